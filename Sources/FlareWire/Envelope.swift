import FlareBytes

/// A 16-byte id on the wire: a vault, a replica or a session.
public struct WireID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// An id from 32 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes)
    }

    /// 32 lowercase hex digits.
    public var description: String { Hex.encode(bytes) }
}

/// One replica's run of consecutive changes, sealed under the data key of one key epoch of the
/// vault: all the relay stores and forwards (Protocol/PROTOCOL.md §3). The relay sees the
/// replica, the seqs and the epoch, never what the sealed box holds.
public struct Envelope: Hashable, Sendable {
    /// An upper bound on the bytes an envelope adds around its sealed box in a `push` or a
    /// `batch` (replica, four varints and a server seq).
    public static let headerAllowance = 16 + 5 * 10

    /// The bytes a `batch` holding only this envelope takes at most: type, count, the largest
    /// server seq (9 bytes), the envelope and the `more` flag. A relay refuses to store an
    /// envelope that would not fit its frames this way, since it could never serve it back.
    public var largestBatchPayload: Int { 1 + 1 + 9 + encodedCount + 1 }

    /// The envelope's bytes in a message: replica, seqs, epoch, length and sealed box.
    public var encodedCount: Int {
        16 + Self.varintCount(firstSeq) + Self.varintCount(lastSeq) + Self.varintCount(epoch) + Self.varintCount(UInt64(sealed.count))
            + sealed.count
    }

    private static func varintCount(_ value: UInt64) -> Int { max(1, (64 - value.leadingZeroBitCount + 6) / 7) }

    public let replica: WireID
    public let firstSeq: UInt64
    public let lastSeq: UInt64
    /// The key epoch whose data key sealed the box (0 until the vault first revokes a device).
    public let epoch: UInt64
    public let sealed: [UInt8]

    public init(replica: WireID, firstSeq: UInt64, lastSeq: UInt64, epoch: UInt64 = 0, sealed: [UInt8]) throws(WireError) {
        guard firstSeq >= 1, lastSeq >= firstSeq, lastSeq <= Seq.maximum else {
            throw .malformed("an envelope's seqs run from 1 upwards, first to last (got \(firstSeq) to \(lastSeq))")
        }
        guard epoch <= EpochRecord.largestEpoch else {
            throw .malformed("an envelope's key epoch is at most \(EpochRecord.largestEpoch) (got \(epoch))")
        }
        guard !sealed.isEmpty else { throw .malformed("an envelope holds a sealed box") }
        self.replica = replica
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.epoch = epoch
        self.sealed = sealed
    }
}
