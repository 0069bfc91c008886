import FlareCRDT

/// A field of a journal record as it maps onto a CRDT document: a register (a scalar, `.null`
/// when absent), an add-wins set of terms, or a text.
public enum FieldValue: Hashable, Sendable {
    case scalar(Scalar)
    case terms(Set<Term>)
    case text(String)
}

/// A journal record stored as one CRDT document of type `recordType`. Every field is its own
/// register, set or text, so edits of different fields on different devices merge, and two
/// devices adding regions to one entry keep both.
public protocol JournalRecord: Hashable, Sendable {
    /// The document type, e.g. `symptom`.
    static var recordType: String { get }
    /// The first letter of new ids of this type (`s-…`, `t-…`), so an id says what it is.
    static var idPrefix: String { get }
    /// Every field by name, absent ones as `.scalar(.null)`, an empty set or an empty text.
    var fields: [String: FieldValue] { get }
    /// The fields to write for the document `id`: `fields`, less any the id already says
    /// (which two devices would otherwise write concurrently, as a conflict of equal values).
    func fields(as id: String) -> [String: FieldValue]
    /// Reads a record, leaving out (and noting in `fields.problems`) what cannot be read.
    init(reading fields: inout RecordFields) throws(JournalError)
}

extension JournalRecord {
    public func fields(as id: String) -> [String: FieldValue] { fields }
}

/// A stored document's fields, read leniently: a field holding something its record type
/// cannot use (a newer device's value, a damaged one) is noted in `problems` and read as absent.
public struct RecordFields {
    public let id: String
    let document: Document
    /// What could not be read.
    public private(set) var problems: [JournalError] = []

    public init(id: String, document: Document) {
        self.id = id
        self.document = document
    }

    mutating func unreadable(_ field: String, _ found: String) {
        problems.append(.unreadable(record: id, field: field, found: found))
    }

    /// The winning value of the register `field`; nil if absent or null.
    public func scalar(_ field: String) -> Scalar? {
        guard case .register(let register)? = document.field(field), register.winner.value != .null else { return nil }
        return register.winner.value
    }

    /// The register `field` through `extract`; a value it cannot use is noted and read as absent.
    private mutating func value<Value>(_ field: String, _ extract: (Scalar) -> Value?) -> Value? {
        guard let value = scalar(field) else { return nil }
        guard let extracted = extract(value) else {
            unreadable(field, value.description)
            return nil
        }
        return extracted
    }

    public mutating func integer(_ field: String) -> Int64? {
        value(field) { if case .int(let number) = $0 { number } else { nil } }
    }

    /// A number, from a double or an integer register.
    public mutating func number(_ field: String) -> Double? {
        value(field) {
            switch $0 {
            case .double(let number): number
            case .int(let number): Double(number)
            default: nil
            }
        }
    }

    /// Hours of sleep in a night, 0 to 24, as `Check.sleepHours` admits them; another device's
    /// value beyond that (or not a number) is noted, never summed into a mean.
    public mutating func sleepHours(_ field: String) -> Double? {
        guard let hours = number(field) else { return nil }
        guard hours.isFinite, (0...24).contains(hours) else {
            unreadable(field, String(hours))
            return nil
        }
        return hours
    }

    public mutating func string(_ field: String) -> String? {
        value(field) { if case .string(let text) = $0 { text } else { nil } }
    }

    public mutating func flag(_ field: String) -> Bool? {
        value(field) { if case .bool(let flag) = $0 { flag } else { nil } }
    }

    public mutating func rating(_ field: String) -> Rating? {
        guard let value = integer(field) else { return nil }
        do {
            return try Rating(Int(clamping: value), field: field)
        } catch {
            unreadable(field, String(value))
            return nil
        }
    }

    public mutating func terms(_ field: String) -> Set<Term> {
        guard case .set(let set)? = document.field(field) else { return [] }
        var terms: Set<Term> = []
        for element in set.elements {
            if let term = try? Term(element, field: field) { terms.insert(term) } else { unreadable(field, element) }
        }
        return terms
    }

    public func text(_ field: String) -> String {
        guard case .text(let text)? = document.field(field) else { return "" }
        return text.string
    }

    public mutating func moment(_ field: String) -> Moment? {
        guard let seconds = integer(field) else { return nil }
        let offset = integer(field + "_utc_offset") ?? 0
        guard Moment.instants.contains(seconds) else {
            unreadable(field, String(seconds))
            return nil
        }
        do {
            return try Moment(secondsSince1970: seconds, utcOffsetMinutes: Int(clamping: offset))
        } catch {
            unreadable(field + "_utc_offset", String(offset))
            return nil
        }
    }
}

extension ChangeBuilder {
    /// Writes `record` as document `id` (only the fields in `only`, if given): creates it if
    /// new, otherwise writes only the fields that differ from what the document holds (a set by adding and removing elements, a
    /// text by replacing the part that changed), so concurrent edits of other fields, other
    /// elements or other parts of a note survive.
    public mutating func write<Record: JournalRecord>(_ record: Record, as id: String, fields only: Set<String>? = nil) throws {
        let existing = document(id)
        if let existing, existing.type != Record.recordType {
            throw JournalError.wrongType(record: id, expected: Record.recordType, found: existing.type)
        }
        if existing == nil { try create(id, type: Record.recordType) }
        for (field, value) in record.fields(as: id).sorted(by: { $0.key < $1.key }) where only?.contains(field) ?? true {
            let current = document(id)!.field(field)
            switch value {
            case .scalar(let scalar):
                // A value equal to the one shown is left alone, even in a conflict: an edit of one field
                // must not settle another field's conflict (`Journal.resolve` does that, when asked).
                if case .register(let register)? = current, register.winner.value == scalar { continue }
                if current == nil, scalar == .null { continue }
                try set(id, field, to: scalar)
            case .terms(let terms):
                let wanted = Set(terms.map(\.text))
                var held: Set<String> = []
                if case .set(let set)? = current { held = Set(set.elements) }
                for element in wanted.subtracting(held).sorted() { try add(id, field, element) }
                for element in held.subtracting(wanted).sorted() { try remove(id, field, element) }
            case .text(let text):
                var held = ""
                if case .text(let sequence)? = current { held = sequence.string }
                try replaceText(id, field, from: held, to: text)
            }
        }
    }

    /// Replaces `old` with `new` in a text field by deleting and inserting only between their
    /// common prefix and suffix.
    mutating func replaceText(_ id: String, _ field: String, from old: String, to new: String) throws {
        let before = Array(old.unicodeScalars)
        let after = Array(new.unicodeScalars)
        guard before != after else { return }
        var prefix = 0
        while prefix < before.count, prefix < after.count, before[prefix] == after[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < before.count - prefix, suffix < after.count - prefix,
            before[before.count - 1 - suffix] == after[after.count - 1 - suffix]
        {
            suffix += 1
        }
        let removed = before.count - prefix - suffix
        if removed > 0 { try deleteText(id, field, at: prefix, count: removed) }
        let inserted = after[prefix..<(after.count - suffix)]
        if !inserted.isEmpty {
            var text = String.UnicodeScalarView()
            text.append(contentsOf: inserted)
            try insertText(id, field, at: prefix, String(text))
        }
    }
}
