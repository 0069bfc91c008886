import Foundation

/// A word from an open vocabulary (a body region, a pain quality, a trigger, a side effect).
/// Terms are compared as people mean them: surrounding spaces dropped, inner runs of spaces
/// collapsed, lower case, Unicode NFC, so "Lower  Back" on one device and "lower back" on another
/// are one region.
public struct Term: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let maximumLength = 60

    public let text: String

    /// `raw` as a term of `field` (the name used in the error).
    public init(_ raw: String, field: String) throws(JournalError) {
        let words = raw.split(whereSeparator: { $0.isWhitespace })
        let text = words.joined(separator: " ").lowercased().precomposedStringWithCanonicalMapping
        guard !text.isEmpty else { throw .invalidTerm(field: field, value: raw, reason: "it is empty") }
        guard text.count <= Self.maximumLength else {
            throw .invalidTerm(field: field, value: raw, reason: "it is longer than \(Self.maximumLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .invalidTerm(field: field, value: raw, reason: "it contains control characters")
        }
        self.text = text
    }

    /// A word already in normal form (a name from Flare's own vocabulary).
    init(normalised text: String) {
        self.text = text
    }

    public static func < (lhs: Term, rhs: Term) -> Bool { lhs.text < rhs.text }

    public var description: String { text }
}

/// The words Flare suggests, from the seed document. Qualities, triggers and side effects are
/// open: people add their own freely. Regions are not: see `BodyRegion`.
public enum Vocabulary {
    /// The words a region is stored as: the 19 Widespread Pain Index regions, then the other
    /// places and `widespread`.
    public static let regions = BodyRegion.allCases.map(\.rawValue) + BodyRegion.otherPlaces + [BodyRegion.widespread]
    public static let qualities = ["aching", "burning", "deep soreness", "stabbing", "throbbing", "tingling", "tender"]
    public static let triggers = [
        "poor sleep", "stress", "overexertion", "long sitting", "cold weather", "weather change", "travel", "illness",
        "missed medication",
    ]
    public static let sideEffects = ["drowsiness", "dizziness", "nausea", "dry mouth", "brain fog", "weight gain"]
}
