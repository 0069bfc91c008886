import FlareBytes
/// A replica's whole state in one encoding, so a store can reopen it without replaying its
/// history: the replica's clock, its version vector, every document, and the clock of every
/// applied change (received changes are checked against their dependencies' clocks).
///
/// Each document is stored as its own length-prefixed body with a liveness flag, so a replica
/// restored from a checkpoint decodes a document only when it needs it, and a checkpoint of a
/// replica restored from an earlier one copies the bodies of untouched documents as they are
/// (its tables extend the earlier tables, so their indexes stay valid). Layout: Protocol/
/// ENCODING.md, "Replica checkpoints".
extension Replica {
    static let checkpointMagic: [UInt8] = [0x46, 0x4C, 0x52]  // "FLR"

    /// This replica's checkpoint. Buffered changes are not part of it.
    public func checkpoint() -> [UInt8] {
        encodedCheckpoint().bytes
    }

    /// Encodes this replica's checkpoint and continues from it: every document returns to its
    /// encoded form in the returned bytes (memory falls to their size), the log is released,
    /// and the next checkpoint copies the bytes of every document no change touched since.
    /// The state, clocks and buffered changes are unchanged.
    public mutating func rebaseOnCheckpoint() -> [UInt8] {
        let checkpoint = encodedCheckpoint()
        rebase(on: checkpoint, keeping: [])
        return checkpoint.bytes
    }

    /// Continues from `checkpoint`, which encodes this replica as it was at some earlier point
    /// (a copy of it was checkpointed, perhaps on another thread, while this one went on):
    /// the documents in `changed`, which changes touched since that point, stay as they are;
    /// every other document takes its encoded form from the checkpoint. The log is released.
    public mutating func rebase(on checkpoint: EncodedCheckpoint, keeping changed: Set<String>) {
        var encoded = checkpoint.bodies
        var kept: [String: Document] = [:]
        for id in changed {
            encoded.removeValue(forKey: id)
            if let document = documents[id] { kept[id] = document }
        }
        documents = DocumentMap(source: checkpoint.source, encoded: encoded, decoded: kept)
        releaseLog()
    }

    /// The checkpoint's bytes, with what a replica needs to continue from them.
    public func encodedCheckpoint() -> EncodedCheckpoint {
        var bodies: [String: DocumentMap.Encoded] = [:]
        bodies.reserveCapacity(documents.count)
        let source = documents.source
        var tables = source?.tables ?? Tables()
        for entry in versionVector { tables.add(entry.replica) }
        let decoded = documents.decoded
        for (id, document) in decoded { DocumentCoding.collect(document, id: id, into: &tables) }

        var writer = ByteWriter()
        writer.raw(Self.checkpointMagic)
        writer.byte(ChangeCodec.version)
        writer.replica(id)
        writer.varint(clock.milliseconds)
        writer.varint(UInt64(clock.counter))
        tables.write(to: &writer)
        DocumentCoding.write(versionVector, to: &writer, tables: tables)
        writer.varint(documents.count)
        if let source {
            for (id, entry) in documents.encoded.sorted(by: { $0.value.range.lowerBound < $1.value.range.lowerBound }) {
                writer.varint(tables.stringIndex[id]!)
                writer.byte(entry.isLive ? 1 : 0)
                writer.varint(entry.range.count)
                bodies[id] = DocumentMap.Encoded(range: writer.bytes.count..<(writer.bytes.count + entry.range.count), isLive: entry.isLive)
                writer.raw(source.bytes[entry.range])
            }
        }
        for (id, document) in decoded {
            var body = ByteWriter()
            DocumentCoding.write(document, to: &body, tables: tables, numbering: .fromType)
            writer.varint(tables.stringIndex[id]!)
            writer.byte(document.isLive ? 1 : 0)
            writer.varint(body.bytes.count)
            bodies[id] = DocumentMap.Encoded(range: writer.bytes.count..<(writer.bytes.count + body.bytes.count), isLive: document.isLive)
            writer.raw(body.bytes)
        }
        let clocks = changeClocks
        for entry in versionVector {
            var previous: UInt64 = 0
            for reading in clocks[entry.replica]! {
                writer.signed(Int64(bitPattern: reading.milliseconds &- previous))
                writer.varint(UInt64(reading.counter))
                previous = reading.milliseconds
            }
        }
        let bytes = writer.bytes
        return EncodedCheckpoint(source: EncodedDocuments(bytes: bytes, tables: tables), bodies: bodies)
    }

    /// Restores a replica from `checkpoint()`'s bytes, decoding every document once to check
    /// it. Throws `DecodingError` for anything malformed or inconsistent, never traps.
    public init(checkpoint bytes: [UInt8]) throws {
        try self.init(checkpoint: bytes, validatingDocuments: true)
    }

    /// Restores a replica from `checkpoint()`'s bytes without decoding its documents until they
    /// are needed, which makes restoring a large replica fast.
    ///
    /// For bytes this code wrote and whose integrity was checked since (a store reads them
    /// back through authenticated encryption). The structure is still checked; but a document
    /// whose body does not decode stops the process when it is first read.
    public init(authenticatedCheckpoint bytes: [UInt8]) throws {
        try self.init(checkpoint: bytes, validatingDocuments: false)
    }

    private init(checkpoint bytes: [UInt8], validatingDocuments: Bool) throws {
        var reader = ByteReader(bytes)
        try ChangeCodec.readHeader(&reader, magic: Self.checkpointMagic)
        let id = try reader.replica()
        let clockAt = reader.position
        let clock = HLC(milliseconds: try reader.varint(), counter: try reader.varint32())
        guard clock.isInRange else { throw DecodingError.clockOutOfRange(clock.milliseconds, at: clockAt) }
        let tables = try Tables.read(from: &reader)
        let versionVector = try DocumentCoding.readVector(&reader, tables: tables)
        var encoded: [String: DocumentMap.Encoded] = [:]
        let count = try reader.count(minimumSize: 3)
        encoded.reserveCapacity(count)
        for _ in 0..<count {
            let at = reader.position
            let documentID = tables.strings[try reader.index(below: tables.strings.count)]
            let flag = try reader.byte()
            guard flag <= 1 else { throw DecodingError.invalidValue("a document's flag is 0 or 1", at: at) }
            let length = try reader.count()
            let start = reader.position
            let body = try reader.raw(length)
            guard encoded[documentID] == nil else { throw DecodingError.invalidValue("document listed twice", at: at) }
            if validatingDocuments {
                var bodyReader = ByteReader(Array(body))
                let document = try DocumentCoding.read(&bodyReader, tables: tables, numbering: .fromType)
                guard bodyReader.isAtEnd, document.isLive == (flag == 1) else {
                    throw DecodingError.invalidValue("a document's body and flag do not agree", at: at)
                }
                guard DocumentCoding.names(document, onlyWithin: versionVector) else {
                    throw DecodingError.invalidValue("document \(documentID) names a change the checkpoint's version vector does not cover", at: at)
                }
            }
            encoded[documentID] = DocumentMap.Encoded(range: start..<(start + length), isLive: flag == 1)
        }
        var clocks: [ReplicaID: [HLC]] = [:]
        for entry in versionVector {
            let at = reader.position
            // Each clock takes at least two bytes, so the count is backed by the input.
            guard entry.seq <= UInt64(reader.remaining / 2) else { throw DecodingError.truncated(at: at) }
            var readings: [HLC] = []
            readings.reserveCapacity(Int(entry.seq))
            var previous: UInt64 = 0
            for _ in 0..<entry.seq {
                let milliseconds = previous &+ UInt64(bitPattern: try reader.signed())
                let reading = HLC(milliseconds: milliseconds, counter: try reader.varint32())
                guard readings.last.map({ $0 < reading }) ?? true, reading <= clock else {
                    throw DecodingError.invalidValue("change clocks must rise and not pass the replica's clock", at: at)
                }
                readings.append(reading)
                previous = milliseconds
            }
            clocks[entry.replica] = readings
        }
        guard reader.isAtEnd else { throw DecodingError.trailingBytes(at: reader.position) }
        let documents = DocumentMap(source: EncodedDocuments(bytes: bytes, tables: tables), encoded: encoded)
        self.init(id: id, clock: clock, versionVector: versionVector, documents: documents, clocks: clocks)
    }
}

/// A replica's checkpoint (`bytes`), with where each document lies in it, so a replica can
/// continue from it without parsing it (`Replica.rebase(on:keeping:)`).
public struct EncodedCheckpoint: Sendable {
    let source: EncodedDocuments
    let bodies: [String: DocumentMap.Encoded]

    /// The checkpoint as `Replica.checkpoint()` returns it.
    public var bytes: [UInt8] { source.bytes }
}
