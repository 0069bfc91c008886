import FlareCRDT

/// A treatment's dose changing at a moment, from one dose to another. The treatment's own
/// `dose` is a register that keeps only the last value; these records keep every change and
/// when it happened, so a report can show doses over time ("30 mg, then 60 mg from 3 March").
public struct DoseChange: JournalRecord {
    public static let recordType = "dose-change"
    public static let idPrefix = "dc"

    /// The id of the treatment record.
    public var treatment: String
    public var at: Moment
    /// The dose before; nil when the treatment had none recorded.
    public var from: String?
    /// The dose from `at` on.
    public var dose: String
    public var note: String

    public init(treatment: String, at: Moment, from: String? = nil, dose: String, note: String = "") throws(JournalError) {
        guard !treatment.isEmpty else { throw .missing(field: "treatment") }
        guard let dose = try Check.label(dose, field: "dose") else { throw .missing(field: "dose") }
        let from = try Check.label(from, field: "from")
        guard from != dose else { throw .invalidValue(field: "dose", value: dose, expected: "a different dose from the one before") }
        self.treatment = treatment
        self.at = at
        self.from = from
        self.dose = dose
        self.note = try Check.note(note)
    }

    public var fields: [String: FieldValue] {
        var fields: [String: FieldValue] = [
            "treatment": .scalar(.string(treatment)),
            "from": FieldEncoding.string(from),
            "dose": .scalar(.string(dose)),
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
        guard let dose = fields.string("dose") else { throw .unreadable(record: fields.id, field: "dose", found: "nothing") }
        self.treatment = treatment
        self.at = at
        self.dose = dose
        from = fields.string("from")
        note = fields.text("note")
    }

    /// The dose a treatment had at `moment`, given its dose changes in time order and its
    /// current dose: the dose of the last change at or before `moment`; before the first
    /// change, the dose that change replaced; with no changes, `current`.
    public static func dose(at moment: Moment, changes: [DoseChange], current: String?) -> String? {
        guard let first = changes.first else { return current }
        return changes.last(where: { $0.at <= moment })?.dose ?? first.from
    }
}

extension Journal {
    /// Writes `treatment` over the treatment `id`, writing only the fields that changed; when
    /// its dose differs from the stored one, records the change as a dose change at `at` in the
    /// same change, so the dose and its history never disagree, on this device or any other.
    /// Returns whether anything changed, and the dose change's id if one was recorded.
    @discardableResult
    public func update(treatment id: String, to treatment: Treatment, doseChangedAt at: Moment) throws -> (changed: Bool, doseChange: String?) {
        let before = try stored(id, as: Treatment.self).record.dose
        var doseChange: (id: String, record: DoseChange)?
        if let dose = treatment.dose, dose != before {
            doseChange = (Self.newID(prefix: DoseChange.idPrefix), try DoseChange(treatment: id, at: at, from: before, dose: dose))
        }
        do {
            try vault.makeChange { change in
                try change.write(treatment, as: id)
                if let doseChange { try change.write(doseChange.record, as: doseChange.id) }
            }
            return (true, doseChange?.id)
        } catch EditError.emptyChange {
            return (false, nil)
        }
    }

    /// The dose changes of the treatment `treatmentID`, oldest first (by time, then id); none
    /// for a treatment that has none or does not exist.
    public func doseHistory(of treatmentID: String) -> [Stored<DoseChange>] {
        all(DoseChange.self).records.filter { $0.record.treatment == treatmentID }.sorted { ($0.record.at, $0.id) < ($1.record.at, $1.id) }
    }

    /// Every treatment by id, with its dose changes, read once.
    public func treatments() -> Treatments {
        var changes: [String: [DoseChange]] = [:]
        for stored in all(DoseChange.self).records.sorted(by: { ($0.record.at, $0.id) < ($1.record.at, $1.id) }) {
            changes[stored.record.treatment, default: []].append(stored.record)
        }
        return Treatments(
            byID: Dictionary(all(Treatment.self).records.map { ($0.id, $0.record) }, uniquingKeysWith: { first, _ in first }), doseChanges: changes)
    }
}

/// The journal's treatments by id and their dose changes, for naming treatments and the dose
/// they had at a time in lists, exports and reports.
public struct Treatments: Sendable {
    public let byID: [String: Treatment]
    /// Each treatment's dose changes, oldest first.
    public let doseChanges: [String: [DoseChange]]

    /// The name of the treatment `id`; nil if it is not in the journal (deleted, or not synced).
    public func name(of id: String) -> String? { byID[id]?.name }

    /// The dose the treatment `id` had at `moment` (see `DoseChange.dose(at:changes:current:)`).
    public func dose(of id: String, at moment: Moment) -> String? {
        DoseChange.dose(at: moment, changes: doseChanges[id] ?? [], current: byID[id]?.dose)
    }
}
