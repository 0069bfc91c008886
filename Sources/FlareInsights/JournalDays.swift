import FlareJournal

/// A treatment with what was logged about it: the record, its events and its dose changes.
public struct TreatmentCourse: Sendable {
    public let id: String
    public let treatment: Treatment
    /// Its events (taken, done, skipped), in time order.
    public let events: [TreatmentEvent]
    /// Its dose changes, in time order.
    public let doseChanges: [DoseChange]

    public init(id: String, treatment: Treatment, events: [TreatmentEvent], doseChanges: [DoseChange] = []) {
        self.id = id
        self.treatment = treatment
        self.events = events.sorted { $0.at < $1.at }
        self.doseChanges = doseChanges.sorted { $0.at < $1.at }
    }

    /// The dose it had at the end of `day`: that of the last dose change by then, else the dose
    /// the first change replaced, else the treatment's dose.
    public func dose(endOf day: Day) -> String? {
        doseChanges.last { $0.at.day <= day }?.dose ?? doseChanges.first?.from ?? treatment.dose
    }
}

/// The journal laid out by day, the form every statistic of a report reads: one `DayRecord`
/// per day with anything logged, its flare-ups, the triggers logged and the treatments.
public struct JournalDays: Sendable {
    /// Days with anything logged, by day number.
    public let days: [Int: DayRecord]
    /// Every flare-up in the journal, oldest first.
    public let flareUps: [FlareUp]
    /// Each entry's triggers with its time, in time order, for the windows before flare-ups.
    public let triggerLogs: [(at: Moment, triggers: Set<Term>)]
    public let treatments: [TreatmentCourse]

    /// Lays out `items` (a journal's timeline).
    public init(_ items: [TimelineItem]) {
        var symptoms: [SymptomEntry] = []
        var checkIns: [CheckIn] = []
        var treatments: [(id: String, treatment: Treatment)] = []
        var events: [TreatmentEvent] = []
        var doseChanges: [DoseChange] = []
        for item in items {
            switch item {
            case .symptom(let stored): symptoms.append(stored.record)
            case .checkIn(let stored): checkIns.append(stored.record)
            case .treatment(let stored): treatments.append((stored.id, stored.record))
            case .event(let stored): events.append(stored.record)
            case .doseChange(let stored): doseChanges.append(stored.record)
            }
        }
        self.init(symptoms: symptoms, checkIns: checkIns, treatments: treatments, events: events, doseChanges: doseChanges)
    }

    /// Lays out the given records; `events` and `doseChanges` name their treatment by its id in
    /// `treatments`.
    public init(
        symptoms: [SymptomEntry], checkIns: [CheckIn] = [], treatments: [(id: String, treatment: Treatment)] = [], events: [TreatmentEvent] = [],
        doseChanges: [DoseChange] = []
    ) {
        var records: [Int: DayRecord] = [:]
        var tallies: [Int: DayTally] = [:]
        func touch(_ day: Day, _ body: (inout DayTally, inout DayRecord) -> Void) {
            var record = records[day.number] ?? DayRecord(day: day)
            var tally = tallies[day.number] ?? DayTally()
            body(&tally, &record)
            records[day.number] = record
            tallies[day.number] = tally
        }
        for entry in symptoms { touch(entry.at.day) { tally, record in tally.add(entry, to: &record) } }
        for checkIn in checkIns { touch(checkIn.day) { tally, record in tally.add(checkIn, to: &record) } }
        for event in events { touch(event.at.day) { _, _ in } }
        for (number, tally) in tallies { tally.finish(&records[number]!) }
        days = records
        flareUps = FlareUp.runs(in: records, onsets: symptoms.filter(\.flare).map(\.at))
        triggerLogs = symptoms.filter { !$0.triggers.isEmpty }.map { ($0.at, $0.triggers) }.sorted { $0.at < $1.at }
        let byTreatment = Dictionary(grouping: events, by: \.treatment)
        let changes = Dictionary(grouping: doseChanges, by: \.treatment)
        self.treatments = treatments.map {
            TreatmentCourse(id: $0.id, treatment: $0.treatment, events: byTreatment[$0.id] ?? [], doseChanges: changes[$0.id] ?? [])
        }
            .sorted { ($0.treatment.started?.secondsSince1970 ?? .min, $0.treatment.name) < ($1.treatment.started?.secondsSince1970 ?? .min, $1.treatment.name) }
    }

    /// The logged days from `first` to `last` (inclusive), in order.
    public func records(from first: Day, to last: Day) -> [DayRecord] {
        guard first <= last else { return [] }
        if last.number - first.number > days.count {
            return days.values.filter { $0.day >= first && $0.day <= last }.sorted { $0.day < $1.day }
        }
        return (first.number...last.number).compactMap { days[$0] }
    }

    /// The first and last logged days.
    public var span: ClosedRange<Day>? {
        guard let first = days.keys.min(), let last = days.keys.max() else { return nil }
        return days[first]!.day...days[last]!.day
    }
}
