import FlareJournal

/// One day of the journal as the analyses read it: each rating the report uses, the day's mean
/// over its symptom entries and its check-in; sleep from the check-in if it has it (else the
/// entries' mean); and what was logged where.
public struct DayRecord: Equatable, Sendable {
    public let day: Day
    public var pain: Double?
    public var worstPain: Int?
    public var fatigue: Double?
    public var stiffness: Double?
    public var cognitiveFatigue: Double?
    public var stress: Double?
    /// The night before this day (as a morning entry or check-in reports it).
    public var sleepHours: Double?
    public var sleepQuality: Double?
    /// Some entry that day was marked as a flare-up.
    public var flare = false
    /// Index regions where pain was logged that day.
    public var regions: Set<BodyRegion> = []
    /// Region words that name no index region (`head`, a person's own word), as logged.
    public var otherPlaces: Set<String> = []
    /// Some entry said `widespread`.
    public var widespread = false
    public var triggers: Set<Term> = []

    public init(day: Day) { self.day = day }
}

/// Values gathered over a day, averaged when the day is done.
struct DayTally {
    var pain: [Double] = []
    var fatigue: [Double] = []
    var stiffness: [Double] = []
    var cognitiveFatigue: [Double] = []
    var stress: [Double] = []
    var sleepHours: [Double] = []
    var sleepQuality: [Double] = []
    var checkInSleep: Double?

    mutating func add(_ entry: SymptomEntry, to record: inout DayRecord) {
        Self.append(entry.pain, to: &pain)
        Self.append(entry.fatigue, to: &fatigue)
        Self.append(entry.stiffness, to: &stiffness)
        Self.append(entry.cognitiveFatigue, to: &cognitiveFatigue)
        Self.append(entry.stress, to: &stress)
        Self.append(entry.sleepQuality, to: &sleepQuality)
        if let hours = entry.sleepHours { sleepHours.append(hours) }
        if let value = entry.pain?.value { record.worstPain = max(record.worstPain ?? value, value) }
        if entry.flare { record.flare = true }
        for term in entry.regions {
            let regions = BodyRegion.regions(for: term)
            if term.text == BodyRegion.widespread {
                record.widespread = true
            } else if regions.isEmpty {
                record.otherPlaces.insert(term.text)
            } else {
                record.regions.formUnion(regions)
            }
        }
        record.triggers.formUnion(entry.triggers)
    }

    mutating func add(_ checkIn: CheckIn, to record: inout DayRecord) {
        Self.append(checkIn.pain, to: &pain)
        Self.append(checkIn.fatigue, to: &fatigue)
        Self.append(checkIn.stress, to: &stress)
        Self.append(checkIn.sleepQuality, to: &sleepQuality)
        if let value = checkIn.pain?.value { record.worstPain = max(record.worstPain ?? value, value) }
        if let hours = checkIn.sleepHours { checkInSleep = hours }
    }

    func finish(_ record: inout DayRecord) {
        record.pain = Sample(pain).mean
        record.fatigue = Sample(fatigue).mean
        record.stiffness = Sample(stiffness).mean
        record.cognitiveFatigue = Sample(cognitiveFatigue).mean
        record.stress = Sample(stress).mean
        record.sleepHours = checkInSleep ?? Sample(sleepHours).mean
        record.sleepQuality = Sample(sleepQuality).mean
    }

    private static func append(_ rating: Rating?, to values: inout [Double]) {
        if let rating { values.append(Double(rating.value)) }
    }
}
