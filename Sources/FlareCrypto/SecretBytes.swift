import CSodium

/// Secret bytes kept in libsodium's guarded memory: allocated with `sodium_malloc` (guard pages,
/// locked against swapping where the system allows), read-only once initialised, and zeroed by
/// `sodium_free` when the last reference goes away.
///
/// Two values are equal when they hold the same bytes; the comparison takes the same time
/// wherever the bytes differ (`sodium_memcmp`). Lengths are not secret.
public final class SecretBytes: @unchecked Sendable, Equatable, CustomStringConvertible {
    // @unchecked Sendable: the memory is written only inside `init` and made read-only before
    // `init` returns; afterwards it is only read, so sharing it between threads cannot race.
    private let base: UnsafeMutableRawPointer
    /// The number of bytes.
    public let count: Int

    /// Fills guarded memory of `count` bytes with `initialize`, then makes it read-only.
    init<E: Error>(count: Int, initializingWith initialize: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        Sodium.require()
        precondition(count >= 0, "a secret cannot have a negative length")
        guard let base = sodium_malloc(count) else {
            fatalError("sodium_malloc could not allocate \(count) bytes of guarded memory")
        }
        do {
            try initialize(UnsafeMutableRawBufferPointer(start: base, count: count))
        } catch {
            sodium_free(base)
            throw error
        }
        // Where mprotect is refused the bytes merely stay writable; nothing here writes them again.
        _ = sodium_mprotect_readonly(base)
        self.base = base
        self.count = count
    }

    /// `count` bytes from libsodium's random generator (`randombytes_buf`).
    public convenience init(randomCount: Int) {
        self.init(count: randomCount) { buffer in randombytes_buf(buffer.baseAddress!, buffer.count) }
    }

    /// A guarded copy of `bytes`. The caller's own copy stays where it is: wiping or dropping it
    /// is the caller's responsibility.
    public convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in buffer.copyBytes(from: bytes) }
    }

    deinit { sodium_free(base) }

    /// Calls `body` with the bytes. The pointer is valid only during the call and must not be
    /// written through.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Compares the content in constant time (`sodium_memcmp`) after the lengths, which are not secret.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        lhs.count == rhs.count && sodium_memcmp(lhs.base, rhs.base, lhs.count) == 0
    }

    /// Says only how many bytes there are, so secrets cannot end up in logs.
    public var description: String { "SecretBytes(\(count) bytes)" }
}

extension SecretBytes {
    /// Calls `body` with the bytes typed as `UInt8`, the way libsodium's functions take keys.
    func withKeyPointer<R, E: Error>(_ body: (UnsafePointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let bytes = UnsafeRawBufferPointer(start: base, count: count)
        return try body(bytes.bindMemory(to: UInt8.self).baseAddress!)
    }
}

/// Zeroes a scratch buffer that held plaintext or key bytes (`sodium_memzero`, which the
/// compiler cannot drop). Only this buffer: copies the array made when it grew are not reached,
/// so a buffer meant for secrets is given its full capacity before it is filled.
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
    }
}
