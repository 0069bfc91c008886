import FlareCRDT

/// One time a treatment was done, taken or skipped, with the dose, how much it helped and any
/// side effects.
public struct TreatmentEvent: JournalRecord {
    public static let recordType = "treatment-event"
    public static let idPrefix = "e"

    public enum Status: String, CaseIterable, Sendable {
        case done, taken, skipped
    }

    /// The id of the treatment record.
    public var treatment: String
    public var at: Moment
    public var status: Status
    public var dose: String?
    /// How much it helped, 0 (not at all) to 10.
    public var effect: Rating?
    public var sideEffects: Set<Term>
    public var note: String

    public init(
        treatment: String, at: Moment, status: Status, dose: String? = nil, effect: Rating? = nil,
        sideEffects: Set<Term> = [], note: String = ""
    ) throws(JournalError) {
        guard !treatment.isEmpty else { throw .missing(field: "treatment") }
        self.treatment = treatment
        self.at = at
        self.status = status
        self.dose = try Check.label(dose, field: "dose")
        self.effect = effect
        self.sideEffects = sideEffects
        self.note = try Check.note(note)
    }

    public var fields: [String: FieldValue] {
        var fields: [String: FieldValue] = [
            "treatment": .scalar(.string(treatment)),
            "status": .scalar(.string(status.rawValue)),
            "dose": FieldEncoding.string(dose),
            "effect": FieldEncoding.rating(effect),
            "side_effects": .terms(sideEffects),
            "note": .text(note),
        ]
        FieldEncoding.moment(at, "at", into: &fields)
        return fields
    }

    public init(reading fields: inout RecordFields) throws(JournalError) {
        guard let treatment = fields.string("treatment") else {
            throw .unreadable(record: fields.id, field: "treatment", found: "nothing")
        }
        guard let at = fields.moment("at") else { throw .unreadable(record: fields.id, field: "at", found: "nothing") }
        let statusText = fields.string("status")
        guard let status = statusText.flatMap(Status.init(rawValue:)) else {
            throw .unreadable(record: fields.id, field: "status", found: statusText ?? "nothing")
        }
        self.treatment = treatment
        self.at = at
        self.status = status
        dose = fields.string("dose")
        effect = fields.rating("effect")
        sideEffects = fields.terms("side_effects")
        note = fields.text("note")
    }
}
