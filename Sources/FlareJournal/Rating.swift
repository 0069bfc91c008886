import Foundation

/// A 0–10 rating, as people rate pain, stiffness, fatigue, stress or how well a treatment
/// worked. Out-of-range values are refused with the field's name and the range.
public struct Rating: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let range = 0...10

    public let value: Int

    /// A rating of `value` for `field` (the name used in the error).
    public init(_ value: Int, field: String) throws(JournalError) {
        guard Self.range.contains(value) else {
            throw .outOfRange(field: field, value: String(value), range: "a whole number from 0 to 10")
        }
        self.value = value
    }

    /// Parses "6" for `field`; anything else is refused with the field's name.
    public init(parsing text: String, field: String) throws(JournalError) {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw .invalidValue(field: field, value: text, expected: "a whole number from 0 to 10")
        }
        try self.init(value, field: field)
    }

    public static func < (lhs: Rating, rhs: Rating) -> Bool { lhs.value < rhs.value }

    public var description: String { String(value) }
}
