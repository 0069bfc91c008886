import FlareBytes

extension Replica {
    /// Receives `changes` in order, as `receive(_:)` would one by one, and returns the ids it
    /// applied. Throws at the first change `receive(_:)` refuses, with the changes before it
    /// applied.
    ///
    /// A stretch of one replica's typing (changes that each insert one character right after
    /// the character the change before inserted, with the same dependencies) goes into its text
    /// as one extension of a run, not as a search of the text per character: a long history
    /// imports in time close to its length.
    @discardableResult
    public mutating func receive(contentsOf changes: [Change]) throws -> [ChangeID] {
        var applied: [ChangeID] = []
        try receive(changes) { _, outcome in
            if case .applied(let ids) = try outcome.get() { applied += ids }
        }
        return applied
    }

    /// Receives `changes` in order, as `receive(_:)` would one by one, going on past the ones
    /// it refuses, and gives `report` each change with what receiving it did (stretches of
    /// typing go into their runs at once, as in `receive(contentsOf:)`). An error `report`
    /// throws stops the receiving there.
    public mutating func receive(_ changes: [Change], reporting report: (Change, Result<ReceiveOutcome, any Error>) throws -> Void) rethrows {
        var index = 0
        // Where a stretch would not go on the end of its run, its changes go one by one.
        var oneByOneUntil = 0
        while index < changes.count {
            let change = changes[index]
            index += 1
            let outcome: ReceiveOutcome
            do {
                outcome = try receive(change)
            } catch {
                try report(change, .failure(error))
                continue
            }
            try report(change, .success(outcome))
            guard case .applied(let ids) = outcome, ids == [change.id], index >= oneByOneUntil else { continue }
            let stretch = typingStretch(after: change, in: changes[index...])
            guard !stretch.isEmpty else { continue }
            if type(stretch, after: change) {
                for typed in stretch { try report(typed, .success(.applied([typed.id]))) }
                index += stretch.count
            } else {
                oneByOneUntil = index + stretch.count
            }
        }
    }

    /// The changes at the front of `rest` that each type one character right after the one the
    /// change before typed, starting after `previous` (just applied, having typed one
    /// character). Each passes every check `receive(_:)` makes: the next seq of the replica
    /// (so not held), the same dependencies as the change before (so present, and with clocks
    /// before it), a clock in range and after the change before, within the horizon.
    private func typingStretch(after previous: Change, in rest: ArraySlice<Change>) -> [Change] {
        guard pending.isEmpty, let (document, field) = typedCharacter(previous, after: nil) else { return [] }
        var stretch: [Change] = []
        var last = previous
        for change in rest {
            guard change.id.replica == last.id.replica, change.id.seq == last.id.seq + 1, change.id.seq <= Seq.maximum,
                  change.dependencies == last.dependencies, change.clock > last.clock, change.clock.isInRange,
                  change.clock.keepsHorizon(after: last.clock),
                  let typed = typedCharacter(change, after: ElementID(change: last.id, offset: 0)),
                  typed.document == document, typed.field == field
            else { break }
            stretch.append(change)
            last = change
        }
        return stretch
    }

    /// The document and text field a change of one op types one character into, right after
    /// the character `anchor` (after anything, when nil).
    private func typedCharacter(_ change: Change, after anchor: ElementID?) -> (document: String, field: String)? {
        guard change.operations.count == 1, case .insertText(let document, let field, let at, let text) = change.operations[0],
              text.unicodeScalars.count == 1 else { return nil }
        if let anchor, at != .after(anchor) { return nil }
        return (document, field)
    }

    /// Types the characters of `stretch` after the one `previous` typed, and enters the changes;
    /// false, changing nothing, where they would not all go on the end of its run.
    private mutating func type(_ stretch: [Change], after previous: Change) -> Bool {
        guard case .insertText(let document, let field, _, _) = previous.operations[0] else { return false }
        let scalars = stretch.compactMap { change -> Unicode.Scalar? in
            guard case .insertText(_, _, _, let text) = change.operations[0] else { return nil }
            return text.unicodeScalars.first
        }
        let last = stretch[stretch.count - 1].id
        let typed = documents.modify(document) { $0.type(scalars, into: field, after: ElementID(change: previous.id, offset: 0), through: last) }
        guard typed == true else { return false }
        for change in stretch { record(change) }
        return true
    }
}
