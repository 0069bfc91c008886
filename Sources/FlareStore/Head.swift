import FlareCRDT

/// The vault's sealed head row, rewritten by every write transaction: what the log holds
/// (per replica, the highest seq stored) and how many changes wait in the buffer. Rows
/// deleted from the end of the log, or pending rows deleted, no longer match the head, so
/// truncation is caught even though each remaining row still authenticates.
struct Head: Equatable, Sendable {
    /// Per replica, the highest seq in the change log.
    var logVector: VersionVector
    /// How many buffered changes are stored.
    var pendingCount: Int

    static let layoutVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.byte(Self.layoutVersion)
        writer.varint(logVector.entries.count)
        for entry in logVector {
            writer.replica(entry.replica)
            writer.varint(entry.seq)
        }
        writer.varint(pendingCount)
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> Head {
        var reader = ByteReader(bytes)
        let version = try reader.byte()
        guard version == layoutVersion else { throw DecodingError.unsupportedVersion(version) }
        var entries: [(ReplicaID, UInt64)] = []
        for _ in 0..<(try reader.count(minimumSize: 17)) {
            entries.append((try reader.replica(), try reader.varint()))
        }
        let pendingCount = Int(clamping: try reader.varint())
        guard reader.isAtEnd else { throw DecodingError.trailingBytes(at: reader.position) }
        return Head(logVector: VersionVector(entries), pendingCount: pendingCount)
    }
}
