import FlareJournal

/// The Widespread Pain Index (0–19) and the part of the Symptom Severity Scale the journal
/// can show, over one week, from self-reported entries: tracking, not a diagnosis (the ACR
/// 2010/2016 criteria are applied by a clinician, with an examination and the person's answers).
public struct CriteriaScores: Sendable {
    /// The seven days, ending with the period's last day.
    public let from: Day
    public let to: Day
    /// Index regions where pain was logged in the week.
    public let regions: Set<BodyRegion>
    /// Days in the week on which only `widespread` said where (not countable by region).
    public let widespreadOnlyDays: Int
    /// `regions.count`, 0–19; nil when no entry in the week named where pain was.
    public var widespreadPainIndex: Int? { regionsLogged ? regions.count : nil }
    let regionsLogged: Bool
    /// Severity 0–3 (none, mild, moderate, severe) of fatigue, waking unrefreshed and
    /// cognitive symptoms, from the week's mean ratings; nil where not logged.
    public let fatigue: Int?
    public let wakingUnrefreshed: Int?
    public let cognitiveSymptoms: Int?

    /// The three severity items summed (0–9) when all three are known. The scale's other
    /// three points (headaches, lower abdominal pain or cramps, depression over six months)
    /// are not in the journal, so the full 0–12 score cannot be given.
    public var severityPart: Int? {
        guard let fatigue, let wakingUnrefreshed, let cognitiveSymptoms else { return nil }
        return fatigue + wakingUnrefreshed + cognitiveSymptoms
    }

    /// A mean 0–10 rating as a 0–3 severity: 0 none, up to 3.5 mild, up to 6.5 moderate,
    /// above severe.
    static func severity(_ rating: Double?) -> Int? {
        guard let rating else { return nil }
        if rating <= 0 { return 0 }
        if rating <= 3.5 { return 1 }
        if rating <= 6.5 { return 2 }
        return 3
    }
}

extension JournalDays {
    /// The scores over the week ending on `last`.
    public func criteriaScores(endingOn last: Day) -> CriteriaScores {
        let first = last.adding(days: -6) ?? last
        let week = records(from: first, to: last)
        let regions = week.reduce(into: Set<BodyRegion>()) { $0.formUnion($1.regions) }
        let quality = Sample(week.compactMap(\.sleepQuality)).mean
        return CriteriaScores(
            from: first, to: last, regions: regions,
            widespreadOnlyDays: week.filter { $0.widespread && $0.regions.isEmpty }.count,
            regionsLogged: week.contains { !$0.regions.isEmpty || $0.widespread || !$0.otherPlaces.isEmpty },
            fatigue: CriteriaScores.severity(Sample(week.compactMap(\.fatigue)).mean),
            wakingUnrefreshed: CriteriaScores.severity(quality.map { 10 - $0 }),
            cognitiveSymptoms: CriteriaScores.severity(Sample(week.compactMap(\.cognitiveFatigue)).mean))
    }
}
