extension Collection where Element == Change {
    /// The changes, in their order, cut into the fewest stretches of consecutive changes of one
    /// replica. Storing or sending each stretch as one sealed unit, in this order, keeps the
    /// order, so a replay never waits in the causal buffer.
    public func consecutiveRuns() -> [SubSequence] {
        var runs: [SubSequence] = []
        var start = startIndex
        var previous: ChangeID?
        for index in indices {
            let id = self[index].id
            if let last = previous, last.replica != id.replica || last.seq + 1 != id.seq {
                runs.append(self[start..<index])
                start = index
            }
            previous = id
        }
        if start != endIndex { runs.append(self[start..<endIndex]) }
        return runs
    }

    /// Whether these are exactly the changes `first … last` of `replica`, in order: what a
    /// sealed run's label promises.
    public func areExactly(replica: ReplicaID, from first: UInt64, through last: UInt64) -> Bool {
        guard first >= 1, last >= first, count == last - first + 1 else { return false }
        return zip(self, first...last).allSatisfy { $0.id == ChangeID(replica: replica, seq: $1) }
    }
}
