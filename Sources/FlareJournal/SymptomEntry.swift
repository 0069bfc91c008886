import FlareCRDT

/// How a person felt at one moment: pain and where, its qualities, stiffness, fatigue of body
/// and mind, tenderness, sleep, stress, whether it was a flare-up and what may have set it off.
/// Every field but the time is optional: people log what they notice.
public struct SymptomEntry: JournalRecord {
    public static let recordType = "symptom"
    public static let idPrefix = "s"

    /// When stiffness is worst.
    public static let stiffnessTimings = ["after rest", "on waking"]

    public var at: Moment
    public var pain: Rating?
    /// Body regions; `widespread` is one of them.
    public var regions: Set<Term>
    /// Aching, burning, deep soreness, …
    public var qualities: Set<Term>
    public var stiffness: Rating?
    /// `after rest`, `on waking`.
    public var stiffnessTiming: Set<Term>
    /// Physical fatigue.
    public var fatigue: Rating?
    /// Cognitive fatigue: concentration, fog.
    public var cognitiveFatigue: Rating?
    /// Tenderness to light touch.
    public var tenderness: Rating?
    public var sleepHours: Double?
    public var sleepQuality: Rating?
    public var stress: Rating?
    public var flare: Bool
    public var triggers: Set<Term>
    public var note: String

    public init(
        at: Moment, pain: Rating? = nil, regions: Set<Term> = [], qualities: Set<Term> = [], stiffness: Rating? = nil,
        stiffnessTiming: Set<Term> = [], fatigue: Rating? = nil, cognitiveFatigue: Rating? = nil, tenderness: Rating? = nil,
        sleepHours: Double? = nil, sleepQuality: Rating? = nil, stress: Rating? = nil, flare: Bool = false,
        triggers: Set<Term> = [], note: String = ""
    ) throws(JournalError) {
        if let unknown = stiffnessTiming.first(where: { !Self.stiffnessTimings.contains($0.text) }) {
            throw .invalidValue(field: "stiffness_timing", value: unknown.text, expected: "\"after rest\" or \"on waking\"")
        }
        self.at = at
        self.pain = pain
        self.regions = regions
        self.qualities = qualities
        self.stiffness = stiffness
        self.stiffnessTiming = stiffnessTiming
        self.fatigue = fatigue
        self.cognitiveFatigue = cognitiveFatigue
        self.tenderness = tenderness
        self.sleepHours = try Check.sleepHours(sleepHours)
        self.sleepQuality = sleepQuality
        self.stress = stress
        self.flare = flare
        self.triggers = triggers
        self.note = try Check.note(note)
    }

    public var fields: [String: FieldValue] {
        var fields: [String: FieldValue] = [
            "pain": FieldEncoding.rating(pain),
            "regions": .terms(regions),
            "qualities": .terms(qualities),
            "stiffness": FieldEncoding.rating(stiffness),
            "stiffness_timing": .terms(stiffnessTiming),
            "fatigue": FieldEncoding.rating(fatigue),
            "cognitive_fatigue": FieldEncoding.rating(cognitiveFatigue),
            "tenderness": FieldEncoding.rating(tenderness),
            "sleep_hours": FieldEncoding.number(sleepHours),
            "sleep_quality": FieldEncoding.rating(sleepQuality),
            "stress": FieldEncoding.rating(stress),
            "flare": .scalar(.bool(flare)),
            "triggers": .terms(triggers),
            "note": .text(note),
        ]
        FieldEncoding.moment(at, "at", into: &fields)
        return fields
    }

    public init(reading fields: inout RecordFields) throws(JournalError) {
        guard let at = fields.moment("at") else { throw .unreadable(record: fields.id, field: "at", found: "nothing") }
        self.at = at
        pain = fields.rating("pain")
        regions = fields.terms("regions")
        qualities = fields.terms("qualities")
        stiffness = fields.rating("stiffness")
        stiffnessTiming = fields.terms("stiffness_timing").filter { Self.stiffnessTimings.contains($0.text) }
        fatigue = fields.rating("fatigue")
        cognitiveFatigue = fields.rating("cognitive_fatigue")
        tenderness = fields.rating("tenderness")
        sleepHours = fields.sleepHours("sleep_hours")
        sleepQuality = fields.rating("sleep_quality")
        stress = fields.rating("stress")
        flare = fields.flag("flare") ?? false
        triggers = fields.terms("triggers")
        note = fields.text("note")
    }
}
