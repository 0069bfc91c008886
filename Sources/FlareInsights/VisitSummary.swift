import FlareJournal

/// Page one of a report: the period in a few numbers a clinician can take in at a glance.
public struct VisitSummary: Sendable {
    public let from: Day
    public let to: Day
    /// Days in the period.
    public let days: Int
    public let daysLogged: Int
    /// The mean of the days' mean pain (each day counts once, however much was logged).
    public let meanPain: Double?
    public let worstPain: Int?
    /// The period of equal length just before.
    public let previousFrom: Day?
    public let previousTo: Day?
    public let previousDaysLogged: Int
    public let previousMeanPain: Double?
    public let previousWorstPain: Int?
    /// The days' mean pain, the previous period against this one.
    public let painChange: Comparison
    public let flareDays: Int
    public let flareUps: [FlareUp]
    public let meanSleepHours: Double?
    public let nightsLogged: Int
    /// Nights under `InsightRules.shortNightHours`.
    public let shortNights: Int
    public let meanStress: Double?
    public let meanFatigue: Double?
    public let meanStiffness: Double?
    /// Treatments under way at some time in the period.
    public let treatments: [TreatmentSummary]
    /// What the person wants to ask at the visit.
    public let questions: [String]
}

/// A treatment over a report's period: how it was kept up and what it did.
public struct TreatmentSummary: Sendable {
    public let id: String
    public let name: String
    public let kind: Treatment.Kind
    /// The dose at the period's end.
    public let dose: String?
    /// The dose at the period's start, when a dose change in the period changed it.
    public let doseAtStart: String?
    /// Dose changes within the period, in time order.
    public let doseChanges: [DoseChange]
    public let schedule: String?
    public let started: Day?
    public let stopped: Day?
    /// Taken or done, and skipped, within the period.
    public let taken: Int
    public let skipped: Int
    /// `taken / (taken + skipped)`; nil with neither.
    public var adherence: Double? { taken + skipped == 0 ? nil : Double(taken) / Double(taken + skipped) }
    /// Side effects reported in the period, most often first.
    public let sideEffects: [(effect: String, times: Int)]
    /// How much it helped (0–10), on average, where rated.
    public let meanEffect: Double?
    /// Its events in the period, for the timeline.
    public let events: [TreatmentEvent]
}

extension JournalDays {
    /// The visit summary of `first`…`last`, with `questions` for the visit.
    public func visitSummary(from first: Day, to last: Day, questions: [String] = []) -> VisitSummary {
        let records = records(from: first, to: last)
        let length = last.days(since: first) + 1
        let previousTo = first.adding(days: -1)
        let previousFrom = first.adding(days: -length)
        let previous = previousFrom.flatMap { from in previousTo.map { to in self.records(from: from, to: to) } } ?? []
        let sleep = records.compactMap(\.sleepHours)
        return VisitSummary(
            from: first, to: last, days: length, daysLogged: records.count,
            meanPain: Sample(records.compactMap(\.pain)).mean, worstPain: records.compactMap(\.worstPain).max(),
            previousFrom: previousFrom, previousTo: previousTo, previousDaysLogged: previous.count,
            previousMeanPain: Sample(previous.compactMap(\.pain)).mean, previousWorstPain: previous.compactMap(\.worstPain).max(),
            painChange: Comparison(Sample(previous.compactMap(\.pain)), Sample(records.compactMap(\.pain))),
            flareDays: records.filter(\.flare).count, flareUps: flareUps(from: first, to: last),
            meanSleepHours: Sample(sleep).mean, nightsLogged: sleep.count, shortNights: sleep.filter { $0 < InsightRules.shortNightHours }.count,
            meanStress: Sample(records.compactMap(\.stress)).mean, meanFatigue: Sample(records.compactMap(\.fatigue)).mean,
            meanStiffness: Sample(records.compactMap(\.stiffness)).mean,
            treatments: treatmentSummaries(from: first, to: last), questions: questions)
    }

    /// Treatments under way at some time in `first`…`last`: started by its end (or with no
    /// start) and not stopped before it began.
    func treatmentSummaries(from first: Day, to last: Day) -> [TreatmentSummary] {
        treatments.compactMap { course in
            let treatment = course.treatment
            if let started = treatment.started?.day, started > last { return nil }
            if let stopped = treatment.stopped?.day, stopped < first { return nil }
            let events = course.events.filter { $0.at.day >= first && $0.at.day <= last }
            let changes = course.doseChanges.filter { $0.at.day >= first && $0.at.day <= last }
            var sideEffects: [String: Int] = [:]
            for event in events { for effect in event.sideEffects { sideEffects[effect.text, default: 0] += 1 } }
            return TreatmentSummary(
                id: course.id, name: treatment.name, kind: treatment.kind, dose: course.dose(endOf: last),
                doseAtStart: changes.first?.from, doseChanges: changes, schedule: treatment.schedule,
                started: treatment.started?.day, stopped: treatment.stopped?.day,
                taken: events.filter { $0.status != .skipped }.count, skipped: events.filter { $0.status == .skipped }.count,
                sideEffects: sideEffects.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) },
                meanEffect: Sample(events.compactMap { $0.effect.map { Double($0.value) } }).mean,
                events: events)
        }
    }
}
