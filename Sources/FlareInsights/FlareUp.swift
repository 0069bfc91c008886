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

extension FlareUp {
    /// The runs of consecutive flare-up days among `days`, oldest first, each with its onset:
    /// the earliest of `onsets` (the flare-up entries' times) on its first day.
    static func runs(in days: [Int: DayRecord], onsets: [Moment]) -> [FlareUp] {
        var earliest: [Int: Moment] = [:]
        for onset in onsets {
            let number = onset.day.number
            if earliest[number].map({ onset < $0 }) ?? true { earliest[number] = onset }
        }
        var flareUps: [FlareUp] = []
        var run: (first: Day, last: Day)?
        for record in days.values.filter(\.flare).sorted(by: { $0.day < $1.day }) {
            if let current = run, record.day.days(since: current.last) == 1 {
                run = (current.first, record.day)
                continue
            }
            if let current = run { flareUps.append(FlareUp(first: current.first, last: current.last, onset: earliest[current.first.number])) }
            run = (record.day, record.day)
        }
        if let current = run { flareUps.append(FlareUp(first: current.first, last: current.last, onset: earliest[current.first.number])) }
        return flareUps
    }
}

extension JournalDays {
    /// The flare-ups that start within `first`…`last`, oldest first. One that started earlier
    /// and runs into the period is left to the period it started in.
    public func flareUps(from first: Day, to last: Day) -> [FlareUp] {
        flareUps.filter { $0.first >= first && $0.first <= last }
    }
}
