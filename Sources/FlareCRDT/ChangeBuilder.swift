/// Records the ops of one local change, checking each against the state as it stands after
/// the ops recorded before it. Obtained from `Replica.makeChange`.
public struct ChangeBuilder {
    private let documents: DocumentMap
    private var draft: ChangeDraft
    private(set) var operations: [Operation] = []
    /// Whether the only op so far, a text edit, is kept out of the draft: a change of one op
    /// (most typing is) is applied by the replica to its document in place, so the draft
    /// would be a copy of a long text made for nothing. A second op applies the first to the
    /// draft before itself. Other ops go to the draft at once: their documents are small,
    /// and a second op would have to read past a held-back first.
    private var firstOnHold = false

    init(change: Change, documents: DocumentMap) {
        draft = ChangeDraft(change: change)
        self.documents = documents
    }

    /// The draft with every op recorded so far, or nil when the change is one op that the
    /// replica applies in place.
    var appliedDraft: ChangeDraft? { firstOnHold ? nil : draft }

    /// The document as this change sees it so far, deleted ones included, for a read that
    /// records nothing (an op that reads first goes through `settled`).
    private func current(_ id: String) -> Document? {
        guard firstOnHold, operations[0].document == id else { return draft.document(id, base: documents) }
        var preview = draft
        _ = preview.apply(operations[0], base: documents)
        return preview.document(id, base: documents)
    }

    /// The live document as this change sees it so far.
    public func document(_ id: String) -> Document? {
        guard let document = current(id), document.isLive else { return nil }
        return document
    }

    /// Applies and keeps `operation`. The checks before it make a failure here impossible for a
    /// consistent replica; one restored from a state that contradicts itself is refused here
    /// rather than trusted.
    private mutating func record(_ operation: Operation) throws {
        if operations.isEmpty {
            switch operation {
            case .insertText, .deleteText:
                operations.append(operation)
                firstOnHold = true
                return
            default: break
            }
        }
        try releaseHeldOp()
        if let failure = draft.apply(operation, base: documents) { throw EditError.inconsistentState(failure) }
        operations.append(operation)
    }

    /// Applies the held-back op to the draft: the change has more than one op.
    private mutating func releaseHeldOp() throws {
        guard firstOnHold else { return }
        if let failure = draft.apply(operations[0], base: documents) { throw EditError.inconsistentState(failure) }
        firstOnHold = false
    }

    /// The document as this change sees it so far, for an op about to be recorded: when it
    /// reads the document the held-back op edits, that op goes to the draft first (the
    /// change has two ops now), instead of being applied to a copy for the look and again.
    private mutating func settled(_ id: String) throws -> Document? {
        if firstOnHold, operations[0].document == id { try releaseHeldOp() }
        return draft.document(id, base: documents)
    }

    /// The text field `field` of `document`, empty if never written.
    private func textSequence(in document: Document, _ field: String) -> TextSequence {
        if case .text(let existing)? = document.field(field) { return existing }
        return TextSequence()
    }

    @discardableResult
    private mutating func live(_ id: String) throws -> Document {
        guard let document = try settled(id), document.isLive else { throw EditError.documentMissing(id) }
        return document
    }

    /// The live document `id`, checked to hold `field` as `kind` or not at all.
    @discardableResult
    private mutating func writable(_ id: String, _ field: String, as kind: FieldKind) throws -> Document {
        let document = try live(id)
        if let existing = document.kind(of: field), existing != kind {
            throw EditError.fieldKindMismatch(document: id, field: field, existing: existing, attempted: kind)
        }
        return document
    }

    /// Creates a document. Fails if the id was ever used on this replica.
    public mutating func create(_ id: String, type: String) throws {
        guard try settled(id) == nil else { throw EditError.documentExists(id) }
        try record(.create(document: id, type: type))
    }

    /// Brings back the deleted document `id` with every field it had: a `create` of its type
    /// after the delete, which touches it (ENCODING.md: a create of an existing document).
    public mutating func revive(_ id: String) throws {
        guard let document = try settled(id) else { throw EditError.documentMissing(id) }
        guard !document.isLive else { throw EditError.documentExists(id) }
        try record(.create(document: id, type: document.type))
    }

    /// Writes `value` to the register `field`.
    public mutating func set(_ id: String, _ field: String, to value: Scalar) throws {
        try writable(id, field, as: .register)
        try record(.set(document: id, field: field, value: value))
    }

    /// Adds `element` to the set `field`.
    public mutating func add(_ id: String, _ field: String, _ element: String) throws {
        try writable(id, field, as: .set)
        try record(.add(document: id, field: field, element: element))
    }

    /// Removes `element` from the set `field` (removing an absent element is allowed).
    public mutating func remove(_ id: String, _ field: String, _ element: String) throws {
        try writable(id, field, as: .set)
        try record(.remove(document: id, field: field, element: element))
    }

    /// Adds `amount` to the counter `field`.
    public mutating func increment(_ id: String, _ field: String, by amount: Int64) throws {
        try writable(id, field, as: .counter)
        try record(.increment(document: id, field: field, amount: amount))
    }

    /// Inserts `text` at Unicode-scalar index `index` of the text `field`.
    public mutating func insertText(_ id: String, _ field: String, at index: Int, _ text: String) throws {
        let document = try writable(id, field, as: .text)
        let sequence = textSequence(in: document, field)
        let length = sequence.count
        guard index >= 0, index <= length else {
            throw EditError.textIndexOutOfRange(document: id, field: field, index: index, length: length)
        }
        guard !text.unicodeScalars.isEmpty else { return }
        let anchor = sequence.anchor(forInsertAt: index)
        try record(.insertText(document: id, field: field, anchor: anchor, text: text))
    }

    /// Deletes `count` Unicode scalars from index `index` of the text `field`.
    public mutating func deleteText(_ id: String, _ field: String, at index: Int, count: Int) throws {
        let document = try writable(id, field, as: .text)
        let sequence = textSequence(in: document, field)
        let length = sequence.count
        guard index >= 0, count >= 0, index <= length, count <= length - index else {
            throw EditError.textIndexOutOfRange(document: id, field: field, index: index + count, length: length)
        }
        guard count > 0 else { return }
        try record(.deleteText(document: id, field: field, ranges: sequence.ranges(from: index, length: count)))
    }

    /// Replaces `count` Unicode scalars from index `index` of the text `field` with `text`
    /// (a delete, then an insert at the same place), as an editor's splice does.
    public mutating func spliceText(_ id: String, _ field: String, at index: Int, deleting count: Int, inserting text: String) throws {
        try deleteText(id, field, at: index, count: count)
        try insertText(id, field, at: index, text)
    }

    /// Deletes the document.
    public mutating func delete(_ id: String) throws {
        try live(id)
        try record(.delete(document: id))
    }
}
