import FlareBytes
/// A checkpoint's bytes and tables, shared by every replica restored from it, from which its
/// documents (bodies numbered `.fromType`) are decoded when first needed.
final class EncodedDocuments: Sendable {
    let bytes: [UInt8]
    let tables: Tables

    init(bytes: [UInt8], tables: Tables) {
        self.bytes = bytes
        self.tables = tables
    }

    func decode(_ range: Range<Int>) -> Document {
        var reader = ByteReader(Array(bytes[range]))
        do {
            return try DocumentCoding.read(&reader, tables: tables, numbering: .fromType)
        } catch {
            // Only reachable for a checkpoint restored without validation that was not one this
            // code wrote: `Replica(authenticatedCheckpoint:)` documents the precondition.
            preconditionFailure("a checkpointed document does not decode: \(error)")
        }
    }
}

/// Every document of a replica, deleted ones included, by id.
///
/// A replica restored from a checkpoint keeps each document in its encoded form until a change
/// touches it, so opening a large vault does not build every document up front; reading an
/// untouched document decodes it (each time), and whether it is live is known without that.
public struct DocumentMap: Sendable {
    struct Encoded: Sendable {
        let range: Range<Int>
        let isLive: Bool
    }

    private(set) var decoded: [String: Document] = [:]
    private(set) var encoded: [String: Encoded] = [:]
    private(set) var source: EncodedDocuments?

    init() {}

    init(source: EncodedDocuments, encoded: [String: Encoded], decoded: [String: Document] = [:]) {
        self.source = source
        self.encoded = encoded
        self.decoded = decoded
    }

    /// The document with `id`, deleted or not.
    public subscript(id: String) -> Document? {
        if let document = decoded[id] { return document }
        guard let entry = encoded[id], let source else { return nil }
        return source.decode(entry.range)
    }

    /// Whether a document with `id` exists and is live, without decoding it.
    public func isLive(_ id: String) -> Bool {
        if let document = decoded[id] { return document.isLive }
        return encoded[id]?.isLive ?? false
    }

    /// How many documents there are, deleted ones included.
    public var count: Int { decoded.count + encoded.count }

    /// The ids of live documents, in no particular order.
    public var liveIDs: [String] {
        decoded.filter { $0.value.isLive }.map(\.key) + encoded.filter { $0.value.isLive }.map(\.key)
    }

    /// Calls `body` with the document `id` in place (decoding it first if it is still
    /// encoded), so that a change to a long text copies nothing; nil if there is no such
    /// document.
    mutating func modify<Result>(_ id: String, _ body: (inout Document) -> Result) -> Result? {
        if decoded.index(forKey: id) == nil {
            guard let entry = encoded[id], let source else { return nil }
            store(source.decode(entry.range), as: id)
        }
        return body(&decoded[id]!)
    }

    mutating func store(_ document: Document, as id: String) {
        decoded[id] = document
        if !encoded.isEmpty { encoded.removeValue(forKey: id) }
    }

    /// Every document, decoded.
    func materialized() -> [String: Document] {
        guard let source else { return decoded }
        var all = decoded
        for (id, entry) in encoded { all[id] = source.decode(entry.range) }
        return all
    }
}
