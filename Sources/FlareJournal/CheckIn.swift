import FlareCRDT

/// A daily check-in: how the day went overall, in a few ratings. One per day: its document id
/// is derived from the day, so two devices checking in for the same day edit one record and
/// their answers merge field by field.
public struct CheckIn: JournalRecord {
    public static let recordType = "check-in"
    public static let idPrefix = "c"

    public var day: Day
    public var pain: Rating?
    public var fatigue: Rating?
    public var sleepHours: Double?
    public var sleepQuality: Rating?
    public var stress: Rating?
    public var mood: Rating?
    public var note: String

    public init(
        day: Day, pain: Rating? = nil, fatigue: Rating? = nil, sleepHours: Double? = nil, sleepQuality: Rating? = nil,
        stress: Rating? = nil, mood: Rating? = nil, note: String = ""
    ) throws(JournalError) {
        self.day = day
        self.pain = pain
        self.fatigue = fatigue
        self.sleepHours = try Check.sleepHours(sleepHours)
        self.sleepQuality = sleepQuality
        self.stress = stress
        self.mood = mood
        self.note = try Check.note(note)
    }

    /// The document id of the check-in for `day`.
    public static func id(for day: Day) -> String { "check-in-\(day)" }

    public var fields: [String: FieldValue] {
        [
            "day": .scalar(.string(day.description)),
            "pain": FieldEncoding.rating(pain),
            "fatigue": FieldEncoding.rating(fatigue),
            "sleep_hours": FieldEncoding.number(sleepHours),
            "sleep_quality": FieldEncoding.rating(sleepQuality),
            "stress": FieldEncoding.rating(stress),
            "mood": FieldEncoding.rating(mood),
            "note": .text(note),
        ]
    }

    /// Without `day` when `id` is the day's own id (`check-in-2026-11-27`): the id says the
    /// day, and two devices checking in for it would otherwise both write it.
    public func fields(as id: String) -> [String: FieldValue] {
        var fields = fields
        if id == Self.id(for: day) { fields["day"] = nil }
        return fields
    }

    public init(reading fields: inout RecordFields) throws(JournalError) {
        // The `day` field where there is one (earlier versions, imported ids), else the id's.
        let dayText = fields.string("day") ?? (fields.id.hasPrefix("check-in-") ? String(fields.id.dropFirst("check-in-".count)) : nil)
        guard let dayText, let day = try? Day(parsing: dayText) else {
            throw .unreadable(record: fields.id, field: "day", found: fields.string("day") ?? "nothing")
        }
        self.day = day
        pain = fields.rating("pain")
        fatigue = fields.rating("fatigue")
        sleepHours = fields.sleepHours("sleep_hours")
        sleepQuality = fields.rating("sleep_quality")
        stress = fields.rating("stress")
        mood = fields.rating("mood")
        note = fields.text("note")
    }
}
