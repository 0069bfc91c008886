import FlareCRDT
import Foundation

/// One record of a JSON export (`JournalRecord.jsonObject(id:)`), read back strictly: every
/// value must pass the same checks as when it was typed, and unknown fields are refused, each
/// error naming the record.
public struct JSONRecord {
    public let id: String
    public let type: String
    private let object: [String: Any]
    private var unread: Set<String>

    public init(_ object: [String: Any]) throws(JournalError) {
        guard let id = object["id"] as? String, !id.isEmpty else { throw .missing(field: "id of a record") }
        guard let type = object["type"] as? String else { throw .missing(field: "type of \(id)") }
        self.id = id
        self.type = type
        self.object = object
        unread = Set(object.keys).subtracting(["id", "type"])
    }

    private func name(_ field: String) -> String { "\(field) of \(id)" }

    /// JSONSerialization returns numbers and booleans alike as NSNumber, and `1 as? Bool`
    /// succeeds, but a boolean is an instance of its own boolean subclass.
    private static func isBoolean(_ value: Any) -> Bool {
        value is NSNumber && String(describing: Swift.type(of: value)).contains("Boolean")
    }

    private mutating func value(_ field: String) -> Any? {
        unread.remove(field)
        guard let value = object[field], !(value is NSNull) else { return nil }
        return value
    }

    public mutating func rating(_ field: String) throws(JournalError) -> Rating? {
        guard let value = value(field) else { return nil }
        guard !Self.isBoolean(value), let number = value as? Int else {
            throw .invalidValue(field: name(field), value: "\(value)", expected: "a whole number from 0 to 10")
        }
        return try Rating(number, field: name(field))
    }

    public mutating func number(_ field: String) throws(JournalError) -> Double? {
        guard let value = value(field) else { return nil }
        guard !Self.isBoolean(value), let number = value as? Double else {
            throw .invalidValue(field: name(field), value: "\(value)", expected: "a number")
        }
        return number
    }

    public mutating func string(_ field: String) throws(JournalError) -> String? {
        guard let value = value(field) else { return nil }
        guard let text = value as? String else { throw .invalidValue(field: name(field), value: "\(value)", expected: "text") }
        return text
    }

    public mutating func flag(_ field: String) throws(JournalError) -> Bool? {
        guard let value = value(field) else { return nil }
        guard Self.isBoolean(value), let flag = value as? Bool else {
            throw .invalidValue(field: name(field), value: "\(value)", expected: "true or false")
        }
        return flag
    }

    public mutating func terms(_ field: String) throws(JournalError) -> Set<Term> {
        guard let value = value(field) else { return [] }
        guard let words = value as? [String] else {
            throw .invalidValue(field: name(field), value: "\(value)", expected: "a list of words")
        }
        return Set(try words.map { word throws(JournalError) in try Term(word, field: name(field)) })
    }

    public mutating func moment(_ field: String) throws(JournalError) -> Moment? {
        try string(field).map { text throws(JournalError) in try Moment(iso8601: text, field: name(field)) }
    }

    public mutating func required<Value>(_ field: String, _ read: (inout JSONRecord) throws(JournalError) -> Value?) throws(JournalError) -> Value {
        guard let value = try read(&self) else { throw .missing(field: name(field)) }
        return value
    }

    /// Refuses fields the record type does not have.
    public func checkNothingElse() throws(JournalError) {
        if let field = unread.sorted().first {
            throw .invalidValue(field: name(field), value: "\(object[field]!)", expected: "absent: \(type) records have no such field")
        }
    }
}

/// A record read from JSON, of whichever type it said.
public enum AnyRecord {
    case symptom(SymptomEntry)
    case treatment(Treatment)
    case event(TreatmentEvent)
    case doseChange(DoseChange)
    case checkIn(CheckIn)

    /// Reads one record of an export.
    public static func read(_ object: [String: Any]) throws(JournalError) -> (id: String, record: AnyRecord) {
        var json = try JSONRecord(object)
        let record: AnyRecord
        switch json.type {
        case SymptomEntry.recordType:
            record = .symptom(try SymptomEntry(
                at: json.required("at") { json throws(JournalError) in try json.moment("at") },
                pain: json.rating("pain"), regions: json.terms("regions"), qualities: json.terms("qualities"),
                stiffness: json.rating("stiffness"), stiffnessTiming: json.terms("stiffness_timing"), fatigue: json.rating("fatigue"),
                cognitiveFatigue: json.rating("cognitive_fatigue"), tenderness: json.rating("tenderness"),
                sleepHours: json.number("sleep_hours"), sleepQuality: json.rating("sleep_quality"), stress: json.rating("stress"),
                flare: json.flag("flare") ?? false, triggers: json.terms("triggers"), note: json.string("note") ?? ""))
        case Treatment.recordType:
            let kindText = try json.required("kind") { json throws(JournalError) in try json.string("kind") }
            guard let kind = Treatment.Kind(rawValue: kindText) else {
                throw .invalidValue(field: "kind of \(json.id)", value: kindText, expected: Treatment.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let classText = try json.string("class")
            let medicationClass = try classText.map { text throws(JournalError) in
                guard let value = Treatment.MedicationClass(rawValue: text) else {
                    throw .invalidValue(field: "class of \(json.id)", value: text, expected: Treatment.MedicationClass.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return value
            }
            record = .treatment(try Treatment(
                kind: kind, name: json.required("name") { json throws(JournalError) in try json.string("name") },
                medicationClass: medicationClass, dose: json.string("dose"), schedule: json.string("schedule"),
                started: json.moment("started"), stopped: json.moment("stopped"), note: json.string("note") ?? ""))
        case TreatmentEvent.recordType:
            let statusText = try json.required("status") { json throws(JournalError) in try json.string("status") }
            guard let status = TreatmentEvent.Status(rawValue: statusText) else {
                throw .invalidValue(field: "status of \(json.id)", value: statusText, expected: "taken, done or skipped")
            }
            record = .event(try TreatmentEvent(
                treatment: json.required("treatment") { json throws(JournalError) in try json.string("treatment") },
                at: json.required("at") { json throws(JournalError) in try json.moment("at") }, status: status,
                dose: json.string("dose"), effect: json.rating("effect"), sideEffects: json.terms("side_effects"),
                note: json.string("note") ?? ""))
        case DoseChange.recordType:
            record = .doseChange(try DoseChange(
                treatment: json.required("treatment") { json throws(JournalError) in try json.string("treatment") },
                at: json.required("at") { json throws(JournalError) in try json.moment("at") }, from: json.string("from"),
                dose: json.required("dose") { json throws(JournalError) in try json.string("dose") }, note: json.string("note") ?? ""))
        case CheckIn.recordType:
            let dayText = try json.required("day") { json throws(JournalError) in try json.string("day") }
            record = .checkIn(try CheckIn(
                day: Day(parsing: dayText, field: "day of \(json.id)"), pain: json.rating("pain"), fatigue: json.rating("fatigue"),
                sleepHours: json.number("sleep_hours"), sleepQuality: json.rating("sleep_quality"), stress: json.rating("stress"),
                mood: json.rating("mood"), note: json.string("note") ?? ""))
        default:
            throw .invalidValue(field: "type of \(json.id)", value: json.type, expected: "symptom, treatment, treatment-event, dose-change or check-in")
        }
        try json.checkNothingElse()
        return (json.id, record)
    }
}

/// What importing records did.
public struct RecordImport: Equatable, Sendable {
    public internal(set) var added = 0
    public internal(set) var updated = 0
    public internal(set) var unchanged = 0
}

extension Journal {
    /// Adds or updates the records of a JSON export (`{"records": [...]}`), keeping their ids, in
    /// one transaction. Every record is checked first: one bad record refuses the whole file,
    /// naming the record and field, and nothing is written.
    public func importRecords(_ export: Any) throws -> RecordImport {
        guard let object = export as? [String: Any], let list = object["records"] as? [[String: Any]] else {
            throw JournalError.invalidValue(field: "file", value: "…", expected: "a JSON object with a \"records\" list, as `flare export --format json` writes")
        }
        let records = try list.map { try AnyRecord.read($0) }
        var summary = RecordImport()
        try vault.write { batch in
            for (id, record) in records {
                let existed = batch.state.document(id) != nil
                do {
                    try batch.makeChange { change in
                        switch record {
                        case .symptom(let entry): try change.write(entry, as: id)
                        case .treatment(let treatment): try change.write(treatment, as: id)
                        case .event(let event): try change.write(event, as: id)
                        case .doseChange(let doseChange): try change.write(doseChange, as: id)
                        case .checkIn(let checkIn): try change.write(checkIn, as: id)
                        }
                    }
                    if existed { summary.updated += 1 } else { summary.added += 1 }
                } catch EditError.emptyChange {
                    summary.unchanged += 1
                }
            }
        }
        return summary
    }
}
