/// One recorded edit: which device made it, when, and what it did.
public struct HistoryEntry: Hashable, Sendable {
    /// The change holding the edit; its replica is the device.
    public let change: ChangeID
    /// When the change was made.
    public let clock: HLC
    /// The edit itself (for a register: the value written).
    public let operation: Operation
}

extension HistoryEntry {
    /// The edits of `document` (only those of `field`, if given) in `changes`, in their order.
    public static func entries<S: Sequence>(of document: String, field: String? = nil, in changes: S) -> [HistoryEntry]
    where S.Element == Change {
        var entries: [HistoryEntry] = []
        for change in changes {
            for operation in change.operations where operation.document == document {
                if let field, operation.field != field { continue }
                entries.append(HistoryEntry(change: change.id, clock: change.clock, operation: operation))
            }
        }
        return entries
    }
}

extension Replica {
    /// Every applied edit of `document` (only those of `field`, if given) held in memory,
    /// oldest first. Edits since overwritten or deleted are listed too: history is never
    /// discarded (a store serves the history of released changes).
    public func history(of document: String, field: String? = nil) -> [HistoryEntry] {
        HistoryEntry.entries(of: document, field: field, in: changes())
    }
}
