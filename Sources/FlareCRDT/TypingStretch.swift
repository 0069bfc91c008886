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
            // Only a change that applied alone (it unblocked nothing) starts a stretch.
            guard case .applied(let ids) = outcome, ids.count == 1, index >= oneByOneUntil else { continue }
            let stretch = typingStretch(after: change, in: changes[index...])
            guard !stretch.isEmpty else { continue }
            if type(stretch, after: change) {
                for (typed, _) in stretch { try report(typed, .success(.applied([typed.id]))) }
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
    private func typingStretch(after previous: Change, in rest: ArraySlice<Change>) -> [(change: Change, scalar: Unicode.Scalar)] {
        guard pending.isEmpty, let (document, field, _) = typedCharacter(previous, after: nil) else { return [] }
        var stretch: [(change: Change, scalar: Unicode.Scalar)] = []
        var last = previous
        for change in rest {
            guard change.id.replica == last.id.replica, change.id.seq == last.id.seq + 1, change.id.seq <= Seq.maximum,
                  change.dependencies == last.dependencies, change.clock > last.clock, change.clock.isInRange,
                  change.clock.keepsHorizon(after: last.clock),
                  let typed = typedCharacter(change, after: ElementID(change: last.id, offset: 0)),
                  typed.document == document, typed.field == field
            else { break }
            stretch.append((change, typed.scalar))
            last = change
        }
        return stretch
    }

    /// The document, text field and character of a change of one op that types one character,
    /// right after the character `anchor` (after anything, when nil).
    private func typedCharacter(_ change: Change, after anchor: ElementID?) -> (document: String, field: String, scalar: Unicode.Scalar)? {
        guard change.operations.count == 1, case .insertText(let document, let field, let at, let text) = change.operations[0],
              let scalar = text.unicodeScalars.first, text.unicodeScalars.count == 1 else { return nil }
        if let anchor, at != .after(anchor) { return nil }
        return (document, field, scalar)
    }

    /// Types the characters of `stretch` after the one `previous` typed, and enters the changes;
    /// false, changing nothing, where they would not all go on the end of its run.
    private mutating func type(_ stretch: [(change: Change, scalar: Unicode.Scalar)], after previous: Change) -> Bool {
        guard case .insertText(let document, let field, _, _) = previous.operations[0], let last = stretch.last?.change.id else { return false }
        let scalars = stretch.map(\.scalar)
        let typed = documents.modify(document) { $0.type(scalars, into: field, after: ElementID(change: previous.id, offset: 0), through: last) }
        guard typed == true else { return false }
        for (change, _) in stretch { record(change) }
        return true
    }
}
