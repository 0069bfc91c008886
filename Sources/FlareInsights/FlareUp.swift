import FlareJournal

/// A flare-up: a run of consecutive days with an entry marked as one.
public struct FlareUp: Equatable, Sendable {
    public let first: Day
    public let last: Day
    /// When its first flare-up entry was logged; the window before it is counted from here.
    public let onset: Moment?

    /// Days it lasted.
    public var length: Int { last.days(since: first) + 1 }
}

extension JournalDays {
    /// The flare-ups that start within `first`…`last`, oldest first. One that started earlier
    /// and runs into the period is left to the period it started in.
    public func flareUps(from first: Day, to last: Day) -> [FlareUp] {
        var flareUps: [FlareUp] = []
        var start: Day?
        var previous: Day?
        // Runs are found over all days so that a flare-up's first day is its real first day.
        for record in days.values.sorted(by: { $0.day < $1.day }) where record.flare {
            if let run = start, let before = previous, record.day.days(since: before) == 1 {
                start = run
            } else {
                if let run = start, let before = previous { flareUps.append(flareUp(run, before)) }
                start = record.day
            }
            previous = record.day
        }
        if let run = start, let before = previous { flareUps.append(flareUp(run, before)) }
        return flareUps.filter { $0.first >= first && $0.first <= last }
    }

    private func flareUp(_ first: Day, _ last: Day) -> FlareUp {
        FlareUp(first: first, last: last, onset: flareEntries.first { $0.day == first })
    }
}
