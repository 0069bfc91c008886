import Foundation
import FlareCRDT

/// Something a person does or takes for their condition, from the seed document: physical
/// therapy, gentle movement, sleep and stress measures, medication, CBT, or their own.
public struct Treatment: JournalRecord {
    public static let recordType = "treatment"
    public static let idPrefix = "t"

    /// What kind of treatment it is.
    public enum Kind: String, CaseIterable, Sendable {
        case physicalTherapy = "physical therapy"
        case gentleMovement = "gentle movement"
        case sleepMeasure = "sleep measure"
        case stressMeasure = "stress measure"
        case medication
        case cbt = "cbt"
        case other
    }

    /// A medication's class.
    public enum MedicationClass: String, CaseIterable, Sendable {
        case painReliever = "pain reliever"
        case muscleRelaxant = "muscle relaxant"
        case nervePain = "nerve pain"
        case sleepAid = "sleep aid"
        case other
    }

    public var kind: Kind
    /// What the person calls it: "amitriptyline", "physio with Anna", "evening walk".
    public var name: String
    /// Only for medication.
    public var medicationClass: MedicationClass?
    /// e.g. "10 mg".
    public var dose: String?
    /// e.g. "nightly", "twice a week".
    public var schedule: String?
    public var started: Moment?
    public var stopped: Moment?
    public var note: String

    public init(
        kind: Kind, name: String, medicationClass: MedicationClass? = nil, dose: String? = nil, schedule: String? = nil,
        started: Moment? = nil, stopped: Moment? = nil, note: String = ""
    ) throws(JournalError) {
        guard medicationClass == nil || kind == .medication else {
            throw .invalidValue(field: "class", value: medicationClass!.rawValue, expected: "given only for a medication")
        }
        if let started, let stopped, stopped < started {
            throw .invalidValue(field: "stopped", value: stopped.description, expected: "at or after the start (\(started))")
        }
        self.kind = kind
        guard !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, let name = try Check.label(name, field: "name") else {
            throw .missing(field: "name")
        }
        self.name = name
        self.medicationClass = medicationClass
        self.dose = try Check.label(dose, field: "dose")
        self.schedule = try Check.label(schedule, field: "schedule")
        self.started = started
        self.stopped = stopped
        self.note = try Check.note(note)
    }

    public var fields: [String: FieldValue] {
        var fields: [String: FieldValue] = [
            "kind": .scalar(.string(kind.rawValue)),
            "name": .scalar(.string(name)),
            "class": FieldEncoding.string(medicationClass?.rawValue),
            "dose": FieldEncoding.string(dose),
            "schedule": FieldEncoding.string(schedule),
            "note": .text(note),
        ]
        FieldEncoding.moment(started, "started", into: &fields)
        FieldEncoding.moment(stopped, "stopped", into: &fields)
        return fields
    }

    public init(reading fields: inout RecordFields) throws(JournalError) {
        let kindText = fields.string("kind")
        guard let kind = kindText.flatMap(Kind.init(rawValue:)) else {
            throw .unreadable(record: fields.id, field: "kind", found: kindText ?? "nothing")
        }
        guard let name = fields.string("name") else { throw .unreadable(record: fields.id, field: "name", found: "nothing") }
        self.kind = kind
        self.name = name
        let classText = fields.string("class")
        medicationClass = classText.flatMap(MedicationClass.init(rawValue:))
        if let classText, medicationClass == nil { fields.unreadable("class", classText) }
        dose = fields.string("dose")
        schedule = fields.string("schedule")
        started = fields.moment("started")
        stopped = fields.moment("stopped")
        note = fields.text("note")
    }
}
