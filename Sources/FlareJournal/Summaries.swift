import Foundation

/// One day of the journal in numbers: what the person logged, averaged.
public struct DaySummary: Equatable, Sendable {
    public let day: Day
    /// Symptom entries that day.
    public let entries: Int
    public let meanPain: Double?
    public let maxPain: Int?
    public let meanFatigue: Double?
    public let meanStress: Double?
    /// Whether an entry that day is marked as a flare-up: a flare-up day.
    public let flareUp: Bool
    /// From the check-in if it has them, else the mean of the entries that do.
    public let sleepHours: Double?
    public let treatmentsTaken: Int
    public let treatmentsSkipped: Int
}

/// A week (Monday to Sunday) in numbers.
public struct WeekSummary: Equatable, Sendable {
    /// The Monday the week starts on.
    public let monday: Day
    /// Days with anything logged.
    public let days: Int
    public let entries: Int
    /// The mean of the days' mean pain: each day counts once, however much was logged.
    public let meanPain: Double?
    /// Days with an entry marked as a flare-up.
    public let flareUpDays: Int
    public let meanSleepHours: Double?
    public let treatmentsTaken: Int
    public let treatmentsSkipped: Int
}

extension Journal {
    /// A summary for each day in the range that has anything logged, oldest first.
    public func daySummaries(from: Day? = nil, to: Day? = nil) -> [DaySummary] {
        var entries: [Day: [SymptomEntry]] = [:]
        var checkIns: [Day: CheckIn] = [:]
        var events: [Day: [TreatmentEvent]] = [:]
        for item in timeline(TimelineFilter(from: from, to: to)) {
            switch item {
            case .symptom(let stored): entries[stored.record.at.day, default: []].append(stored.record)
            case .checkIn(let stored): checkIns[stored.record.day] = stored.record
            case .event(let stored): events[stored.record.at.day, default: []].append(stored.record)
            case .treatment, .doseChange: break
            }
        }
        let days = Set(entries.keys).union(checkIns.keys).union(events.keys).sorted()
        return days.map { day in
            let logged = entries[day] ?? []
            let done = events[day] ?? []
            let pains = logged.compactMap(\.pain?.value) + (checkIns[day]?.pain.map { [$0.value] } ?? [])
            return DaySummary(
                day: day,
                entries: logged.count,
                meanPain: mean(pains.map(Double.init)),
                maxPain: pains.max(),
                meanFatigue: mean(logged.compactMap(\.fatigue?.value).map(Double.init) + (checkIns[day]?.fatigue.map { [Double($0.value)] } ?? [])),
                meanStress: mean(logged.compactMap(\.stress?.value).map(Double.init) + (checkIns[day]?.stress.map { [Double($0.value)] } ?? [])),
                flareUp: logged.contains(where: \.flare),
                sleepHours: checkIns[day]?.sleepHours ?? mean(logged.compactMap(\.sleepHours)),
                treatmentsTaken: done.filter { $0.status != .skipped }.count,
                treatmentsSkipped: done.filter { $0.status == .skipped }.count)
        }
    }

    /// A summary for each week (Monday to Sunday) with anything logged, oldest first.
    public func weekSummaries(from: Day? = nil, to: Day? = nil) -> [WeekSummary] {
        let byWeek = Dictionary(grouping: daySummaries(from: from, to: to)) { $0.day.monday }
        return byWeek.keys.sorted().map { monday in
            let days = byWeek[monday]!
            return WeekSummary(
                monday: monday,
                days: days.count,
                entries: days.reduce(0) { $0 + $1.entries },
                meanPain: mean(days.compactMap(\.meanPain)),
                flareUpDays: days.filter(\.flareUp).count,
                meanSleepHours: mean(days.compactMap(\.sleepHours)),
                treatmentsTaken: days.reduce(0) { $0 + $1.treatmentsTaken },
                treatmentsSkipped: days.reduce(0) { $0 + $1.treatmentsSkipped })
        }
    }
}

private func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
}

extension Day {
    /// The Monday of this day's week.
    public var monday: Day { Day(number: number - (weekday - 1)) ?? self }
}
