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

/// One replica's run of consecutive changes, sealed under the vault's data key: all the relay
/// stores and forwards (Protocol/PROTOCOL.md §3). The relay sees the replica and the seqs, never
/// what the sealed box holds.
public struct Envelope: Hashable, Sendable {
    /// An upper bound on the bytes an envelope adds around its sealed box in a `push` or a
    /// `batch` (replica, three varints and a server seq).
    public static let headerAllowance = 16 + 4 * 10


    public let replica: WireID
    public let firstSeq: UInt64
    public let lastSeq: UInt64
    public let sealed: [UInt8]

    public init(replica: WireID, firstSeq: UInt64, lastSeq: UInt64, sealed: [UInt8]) throws(WireError) {
        guard firstSeq >= 1, lastSeq >= firstSeq else {
            throw .malformed("an envelope's seqs run from 1 upwards, first to last (got \(firstSeq) to \(lastSeq))")
        }
        guard !sealed.isEmpty else { throw .malformed("an envelope holds a sealed box") }
        self.replica = replica
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.sealed = sealed
    }
}
