import FlareBytes
/// A replica's merged state without its history: the version vector it covers and every
/// document (deleted ones too, since a concurrent edit may still revive them).
///
/// Its encoding is canonical: two replicas that applied the same changes, in any order, encode
/// byte-identical snapshots. That makes it both the convergence check and what a new device can
/// start from instead of replaying history.
public struct StateSnapshot: Sendable {
    public let versionVector: VersionVector
    public let documents: [String: Document]

    public init(versionVector: VersionVector, documents: [String: Document]) {
        self.versionVector = versionVector
        self.documents = documents
    }

    static let magic: [UInt8] = [0x46, 0x4C, 0x53]  // "FLS"

    /// The canonical encoding (Protocol/ENCODING.md, "State snapshots").
    public func encoded() -> [UInt8] {
        let documentIDs = documents.keys.sorted(by: bytewiseLess)
        var tables = Tables()
        for entry in versionVector { tables.add(entry.replica) }
        for id in documentIDs { DocumentCoding.collect(documents[id]!, id: id, into: &tables) }
        var writer = ByteWriter()
        writer.raw(Self.magic)
        writer.byte(ChangeCodec.version)
        tables.write(to: &writer)
        DocumentCoding.write(versionVector, to: &writer, tables: tables)
        writer.varint(documentIDs.count)
        for id in documentIDs {
            writer.varint(tables.stringIndex[id]!)
            DocumentCoding.write(documents[id]!, to: &writer, tables: tables)
        }
        return writer.bytes
    }

    /// Decodes a snapshot. Throws `DecodingError` for anything malformed, never traps.
    public static func decode(_ bytes: [UInt8]) throws -> StateSnapshot {
        var reader = ByteReader(bytes)
        try ChangeCodec.readHeader(&reader, magic: magic)
        let tables = try Tables.read(from: &reader)
        let versionVector = try DocumentCoding.readVector(&reader, tables: tables)
        var documents: [String: Document] = [:]
        for _ in 0..<(try reader.count(minimumSize: 5)) {
            let at = reader.position
            let id = tables.strings[try reader.index(below: tables.strings.count)]
            guard documents[id] == nil else { throw DecodingError.invalidValue("document listed twice", at: at) }
            let document = try DocumentCoding.read(&reader, tables: tables)
            guard DocumentCoding.names(document, onlyWithin: versionVector) else {
                throw DecodingError.invalidValue("document \(id) names a change the snapshot's version vector does not cover", at: at)
            }
            documents[id] = document
        }
        guard reader.isAtEnd else { throw DecodingError.trailingBytes(at: reader.position) }
        return StateSnapshot(versionVector: versionVector, documents: documents)
    }
}

/// Orders strings by their UTF-8 bytes, which is what canonical encodings sort by.
func bytewiseLess(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}

extension Replica {
    /// The replica's merged state, for a convergence check or for a new device to start from.
    public var snapshot: StateSnapshot { StateSnapshot(versionVector: versionVector, documents: documents.materialized()) }
}
