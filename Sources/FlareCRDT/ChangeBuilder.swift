/// Records the ops of one local change, checking each against the state as it stands after
/// the ops recorded before it. Obtained from `Replica.makeChange`.
public struct ChangeBuilder {
    private let change: Change
    private let past: VersionVector
    private let documents: [String: Document]
    private(set) var touched: [String: Document] = [:]
    private(set) var operations: [Operation] = []
    private var textOffset: UInt32 = 0

    init(change: Change, documents: [String: Document]) {
        self.change = change
        self.past = change.causalPast
        self.documents = documents
    }

    /// The document as this change sees it so far, deleted ones included.
    private func current(_ id: String) -> Document? { touched[id] ?? documents[id] }

    /// The live document as this change sees it so far.
    public func document(_ id: String) -> Document? {
        guard let document = current(id), document.isLive else { return nil }
        return document
    }

    private mutating func record(_ operation: Operation, on document: Document) {
        var document = document
        let failure = document.apply(
            operation, index: UInt32(operations.count), change: change, past: past, textOffset: textOffset)
        precondition(failure == nil, "checked before recording: \(failure ?? "")")
        textOffset += operation.insertedCount
        touched[operation.document] = document
        operations.append(operation)
    }

    private func live(_ id: String) throws -> Document {
        guard let document = document(id) else { throw EditError.documentMissing(id) }
        return document
    }

    private func check(_ document: Document, _ id: String, field: String, is kind: FieldKind) throws {
        if let existing = document.kind(of: field), existing != kind {
            throw EditError.fieldKindMismatch(document: id, field: field, existing: existing, attempted: kind)
        }
    }

    /// Creates a document. Fails if the id was ever used on this replica.
    public mutating func create(_ id: String, type: String) throws {
        guard current(id) == nil else { throw EditError.documentExists(id) }
        let operation = Operation.create(document: id, type: type)
        let document = Document(type: RegisterWrite(
            id: WriteID(change: change.id, operation: UInt32(operations.count)), clock: change.clock, value: .string(type)))
        record(operation, on: document)
    }

    /// Writes `value` to the register `field`.
    public mutating func set(_ id: String, _ field: String, to value: Scalar) throws {
        let document = try live(id)
        try check(document, id, field: field, is: .register)
        record(.set(document: id, field: field, value: value), on: document)
    }

    /// Adds `element` to the set `field`.
    public mutating func add(_ id: String, _ field: String, _ element: String) throws {
        let document = try live(id)
        try check(document, id, field: field, is: .set)
        record(.add(document: id, field: field, element: element), on: document)
    }

    /// Removes `element` from the set `field` (removing an absent element is allowed).
    public mutating func remove(_ id: String, _ field: String, _ element: String) throws {
        let document = try live(id)
        try check(document, id, field: field, is: .set)
        record(.remove(document: id, field: field, element: element), on: document)
    }

    /// Adds `amount` to the counter `field`.
    public mutating func increment(_ id: String, _ field: String, by amount: Int64) throws {
        let document = try live(id)
        try check(document, id, field: field, is: .counter)
        record(.increment(document: id, field: field, amount: amount), on: document)
    }

    /// Inserts `text` at Unicode-scalar index `index` of the text `field`.
    public mutating func insertText(_ id: String, _ field: String, at index: Int, _ text: String) throws {
        let document = try live(id)
        try check(document, id, field: field, is: .text)
        var sequence = TextSequence()
        if case .text(let existing)? = document.field(field) { sequence = existing }
        let length = sequence.count
        guard index >= 0, index <= length else {
            throw EditError.textIndexOutOfRange(document: id, field: field, index: index, length: length)
        }
        guard !text.unicodeScalars.isEmpty else { return }
        let anchor = sequence.anchor(forInsertAt: index)
        record(.insertText(document: id, field: field, anchor: anchor, text: text), on: document)
    }

    /// Deletes `count` Unicode scalars from index `index` of the text `field`.
    public mutating func deleteText(_ id: String, _ field: String, at index: Int, count: Int) throws {
        let document = try live(id)
        try check(document, id, field: field, is: .text)
        var sequence = TextSequence()
        if case .text(let existing)? = document.field(field) { sequence = existing }
        let length = sequence.count
        guard index >= 0, count >= 0, index <= length, count <= length - index else {
            throw EditError.textIndexOutOfRange(document: id, field: field, index: index + count, length: length)
        }
        guard count > 0 else { return }
        record(.deleteText(document: id, field: field, ranges: sequence.ranges(from: index, length: count)), on: document)
    }

    /// Deletes the document.
    public mutating func delete(_ id: String) throws {
        let document = try live(id)
        record(.delete(document: id), on: document)
    }
}
