import Foundation

/// One finding of the journal's numbers, in a plain sentence with the numbers behind it, or
/// why there is not enough data for it yet. An insight reports what went together, never
/// what caused what.
public struct Insight: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case sleepAndNextDayPain = "sleep-and-next-day-pain"
        case stressAndSameDayPain = "stress-and-same-day-pain"
        case triggersBeforeFlareUps = "triggers-before-flare-ups"
        case treatmentStart = "treatment-start"
        case doseChange = "dose-change"
    }

    public let kind: Kind
    /// What it is about: a treatment's name for `treatmentStart` and `doseChange`.
    public let subject: String?
    public let title: String
    /// Whether there was enough data; when not, `sentence` says what is missing.
    public let enoughData: Bool
    public let sentence: String
    /// The numbers behind it, as a table (first row the header); empty without enough data.
    public let table: [[String]]
    /// The same numbers for machines, by snake_case name.
    public let figures: [String: Double]

    init(kind: Kind, subject: String? = nil, title: String, sentence: String, table: [[String]], figures: [String: Double]) {
        self.kind = kind
        self.subject = subject
        self.title = title
        self.enoughData = true
        self.sentence = sentence
        self.table = table
        self.figures = figures
    }

    init(kind: Kind, subject: String? = nil, title: String, notEnough reason: String, figures: [String: Double] = [:]) {
        self.kind = kind
        self.subject = subject
        self.title = title
        self.enoughData = false
        self.sentence = reason
        self.table = []
        self.figures = figures
    }
}

/// How numbers read in sentences and tables.
public enum Figure {
    /// One decimal, always: "4.0", "5.9".
    public static func one(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A threshold as people say it: "6", "6.5".
    public static func threshold(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    public static func optional(_ value: Double?) -> String { value.map(one) ?? "–" }

    public static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }

    /// "1.2 higher" / "0.8 lower" / "no different".
    public static func change(_ difference: Double) -> String {
        let size = one(abs(difference))
        if size == "0.0" { return "no different" }
        return difference > 0 ? "\(size) higher" : "\(size) lower"
    }

    /// "95% interval 0.3 to 1.9 higher" (or "from 0.5 lower to 1.2 higher").
    public static func interval(_ range: ClosedRange<Double>?) -> String {
        guard let range else { return "too few days for an interval" }
        let (low, high) = (range.lowerBound, range.upperBound)
        if low >= 0 { return "95% interval \(one(low)) to \(one(high)) higher" }
        if high <= 0 { return "95% interval \(one(-high)) to \(one(-low)) lower" }
        return "95% interval from \(one(-low)) lower to \(one(high)) higher"
    }

    /// "3 of 66 (5%)".
    public static func part(_ part: Int, of whole: Int) -> String {
        "\(part) of \(whole) (\(percent(whole == 0 ? 0 : Double(part) / Double(whole))))"
    }

    public static func days(_ count: Int) -> String { count == 1 ? "1 day" : "\(count) days" }
}
