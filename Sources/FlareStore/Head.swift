import FlareBytes
import FlareCRDT
import FlareCrypto

/// The vault's sealed head row, rewritten by every write transaction: what the log holds
/// (per replica, the highest seq stored), how many changes wait in the buffer, and which
/// checkpoint is current. Rows deleted from the end of the log, pending rows deleted, or an
/// older checkpoint put back no longer match the head, so truncation and rollback of parts
/// are caught even though each remaining row still authenticates.
struct Head: Equatable, Sendable {
    /// The current checkpoint: its chunks, and the log rows it covers.
    struct Checkpoint: Equatable, Sendable {
        /// Increases with every checkpoint written; bound into each chunk.
        var generation: UInt64
        var chunkCount: Int
        /// Every change row at or below this position is in the checkpoint.
        var throughPosition: Int64
        /// The version vector of the checkpoint's state.
        var covered: VersionVector
    }

    /// Per replica, the highest seq in the change log.
    var logVector: VersionVector
    /// How many buffered changes are stored.
    var pendingCount: Int
    var checkpoint: Checkpoint?

    /// Layout 1 (schema v1) had no checkpoint; layout 2 adds it. Both are read.
    static let layoutVersion: UInt8 = 2

    /// Changes in the log that the checkpoint does not cover.
    var changesSinceCheckpoint: UInt64 {
        logVector.reduce(0) { $0 + $1.seq } - (checkpoint?.covered.reduce(0) { $0 + $1.seq } ?? 0)
    }

    /// The head as its row stores it: sealed under the storage key, bound to the head row.
    func sealed(with key: SealingKey, binding: RowBinding) -> [UInt8] {
        key.seal(encoded(), associatedData: binding.head())
    }

    /// Opens the head row.
    static func open(_ sealed: [UInt8], with key: SealingKey, binding: RowBinding) throws -> Head {
        try decode(try key.open(sealed, associatedData: binding.head()))
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.byte(Self.layoutVersion)
        Self.write(logVector, to: &writer)
        writer.varint(pendingCount)
        if let checkpoint {
            writer.byte(1)
            writer.varint(checkpoint.generation)
            writer.varint(checkpoint.chunkCount)
            writer.varint(UInt64(checkpoint.throughPosition))
            Self.write(checkpoint.covered, to: &writer)
        } else {
            writer.byte(0)
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> Head {
        var reader = ByteReader(bytes)
        let version = try reader.byte()
        guard version == 1 || version == 2 else { throw DecodingError.unsupportedVersion(version) }
        let logVector = try readVector(&reader)
        let pendingCount = Int(clamping: try reader.varint())
        var checkpoint: Checkpoint?
        if version == 2, try reader.byte() == 1 {
            checkpoint = Checkpoint(
                generation: try reader.varint(),
                chunkCount: Int(clamping: try reader.varint()),
                throughPosition: Int64(clamping: try reader.varint()),
                covered: try readVector(&reader))
        }
        guard reader.isAtEnd else { throw DecodingError.trailingBytes(at: reader.position) }
        return Head(logVector: logVector, pendingCount: pendingCount, checkpoint: checkpoint)
    }

    private static func write(_ vector: VersionVector, to writer: inout ByteWriter) {
        writer.varint(vector.entries.count)
        for entry in vector {
            writer.replica(entry.replica)
            writer.varint(entry.seq)
        }
    }

    private static func readVector(_ reader: inout ByteReader) throws -> VersionVector {
        var entries: [(ReplicaID, UInt64)] = []
        for _ in 0..<(try reader.count(minimumSize: 17)) {
            entries.append((try reader.replica(), try reader.varint()))
        }
        return VersionVector(entries)
    }
}
