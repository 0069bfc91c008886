/// The documents one change has edited so far, kept apart from the replica's state so that the
/// change lands all at once (`Replica` commits `touched`) or not at all (the draft is dropped).
/// Local edits and received changes both apply their ops through it.
struct ChangeDraft {
    let change: Change
    let past: VersionVector
    /// Edited documents in first-touch order. Changes touch one document or a few, so a short
    /// list beats a hash table.
    private(set) var touched: [(id: String, document: Document)] = []
    private(set) var operationCount: UInt32 = 0
    private var textOffset: UInt32 = 0

    init(change: Change) {
        self.change = change
        past = change.causalPast
    }

    /// The document as this change sees it so far (deleted ones included).
    func document(_ id: String, base: DocumentMap) -> Document? {
        touched.last { $0.id == id }?.document ?? base[id]
    }

    /// Applies the next op of the change; returns why it cannot apply, after which the draft
    /// must be dropped.
    mutating func apply(_ operation: Operation, base: DocumentMap) -> String? {
        let id = operation.document
        var document: Document
        if let position = touched.firstIndex(where: { $0.id == id }) {
            document = touched.remove(at: position).document
        } else if let existing = base[id] {
            document = existing
        } else if let created = Document(createdBy: operation, index: operationCount, of: change) {
            document = created
        } else {
            return "document \(id) does not exist"
        }
        if let failure = document.apply(operation, index: operationCount, change: change, past: past, textOffset: textOffset) {
            return failure
        }
        let (offset, overflow) = textOffset.addingReportingOverflow(operation.insertedCount)
        guard !overflow else { return "too many characters in one change" }
        textOffset = offset
        operationCount += 1
        touched.append((id, document))
        return nil
    }
}
