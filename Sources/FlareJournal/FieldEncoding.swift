import Foundation
import FlareCRDT

/// How record values become field values; absent values become `.null`.
enum FieldEncoding {
    static func rating(_ rating: Rating?) -> FieldValue { .scalar(rating.map { .int(Int64($0.value)) } ?? .null) }
    static func number(_ number: Double?) -> FieldValue { .scalar(number.map(Scalar.double) ?? .null) }
    static func string(_ string: String?) -> FieldValue { .scalar(string.map(Scalar.string) ?? .null) }

    /// A moment as two registers: `name` (seconds since 1970) and `name_utc_offset` (minutes).
    static func moment(_ moment: Moment?, _ name: String, into fields: inout [String: FieldValue]) {
        fields[name] = .scalar(moment.map { .int($0.secondsSince1970) } ?? .null)
        fields[name + "_utc_offset"] = .scalar(moment.map { .int(Int64($0.utcOffsetMinutes)) } ?? .null)
    }
}

/// Checks shared by the records.
enum Check {
    /// Hours of sleep in a night: 0 to 24, in quarter hours at most.
    static func sleepHours(_ hours: Double?) throws(JournalError) -> Double? {
        guard let hours else { return nil }
        guard hours.isFinite, (0...24).contains(hours) else {
            throw .outOfRange(field: "sleep_hours", value: String(hours), range: "from 0 to 24 hours")
        }
        return (hours * 4).rounded() / 4
    }

    /// A short free-text value (a name, a dose, a schedule): trimmed, not empty, at most 80
    /// characters, one line.
    static func label(_ text: String?, field: String) throws(JournalError) -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalidTerm(field: field, value: text, reason: "it is empty") }
        guard trimmed.count <= 80 else { throw .invalidTerm(field: field, value: text, reason: "it is longer than 80 characters") }
        guard !trimmed.contains(where: \.isNewline) else { throw .invalidTerm(field: field, value: text, reason: "it spans lines") }
        return trimmed
    }

    /// A note: any text up to 10,000 characters.
    static func note(_ text: String) throws(JournalError) -> String {
        guard text.count <= 10_000 else {
            throw .outOfRange(field: "note", value: "\(text.count) characters", range: "at most 10,000 characters")
        }
        return text
    }
}
