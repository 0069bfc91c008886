import Foundation

/// When something happened: an instant, and the UTC offset of the device that logged it, so
/// "which day" is the person's day wherever they were, on every device.
public struct Moment: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Offsets people live at: UTC−12:00 to UTC+14:00.
    public static let offsets = (-12 * 60)...(14 * 60)

    public let secondsSince1970: Int64
    public let utcOffsetMinutes: Int

    /// Instants a journal holds: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, so every day
    /// and offset computation stays in range (a value from another device or a file beyond
    /// these is unreadable, never trusted).
    public static let instants: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    public init(secondsSince1970: Int64, utcOffsetMinutes: Int) throws(JournalError) {
        guard Self.instants.contains(secondsSince1970) else {
            throw .outOfRange(field: "time", value: "\(secondsSince1970) seconds since 1970", range: "from the year 1 to the year 9999")
        }
        guard Self.offsets.contains(utcOffsetMinutes) else {
            throw .outOfRange(field: "UTC offset", value: "\(utcOffsetMinutes) minutes", range: "from -12:00 to +14:00")
        }
        self.secondsSince1970 = secondsSince1970
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// `date` at the offset `timeZone` has then.
    public init(_ date: Date, in timeZone: TimeZone = .current) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        secondsSince1970 = seconds.isNaN ? 0 : Int64(min(max(seconds, Double(Self.instants.lowerBound)), Double(Self.instants.upperBound)))
        utcOffsetMinutes = min(max(timeZone.secondsFromGMT(for: date) / 60, Self.offsets.lowerBound), Self.offsets.upperBound)
    }

    /// Parses ISO 8601 with an offset or `Z` (`2026-11-27T07:30:00+01:00`), as
    /// `description` writes it; the offset is kept.
    public init(iso8601 text: String, field: String = "time") throws(JournalError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: trimmed.uppercased()), let offset = Self.offsetMinutes(in: trimmed) else {
            throw .invalidValue(field: field, value: text, expected: "an ISO 8601 time with its offset, like 2026-11-27T07:30:00+01:00")
        }
        let seconds = date.timeIntervalSince1970
        guard seconds >= Double(Self.instants.lowerBound), seconds <= Double(Self.instants.upperBound) else {
            throw .outOfRange(field: field, value: text, range: "from the year 1 to the year 9999")
        }
        try self.init(secondsSince1970: Int64(seconds), utcOffsetMinutes: offset)
    }

    /// The offset at the end of an ISO 8601 time (`Z`, `+01:00`, `-0530`).
    private static func offsetMinutes(in text: String) -> Int? {
        if text.uppercased().hasSuffix("Z") { return 0 }
        guard let sign = text.lastIndex(where: { $0 == "+" || $0 == "-" }) else { return nil }
        let digits = text[text.index(after: sign)...].filter(\.isNumber)
        guard digits.count == 4, let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)) else { return nil }
        return (text[sign] == "-" ? -1 : 1) * (hours * 60 + minutes)
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(secondsSince1970)) }

    /// The calendar day where it was logged.
    public var day: Day {
        let local = Date(timeIntervalSince1970: TimeInterval(secondsSince1970 + Int64(utcOffsetMinutes) * 60))
        let parts = Day.utcCalendar.dateComponents([.year, .month, .day], from: local)
        return Day(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// Orders by instant; the offset only breaks ties, so the order is total.
    public static func < (lhs: Moment, rhs: Moment) -> Bool {
        (lhs.secondsSince1970, lhs.utcOffsetMinutes) < (rhs.secondsSince1970, rhs.utcOffsetMinutes)
    }

    /// ISO 8601 with the offset, e.g. `2026-11-27T07:30:00+01:00`.
    public var description: String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: utcOffsetMinutes * 60)
        return formatter.string(from: date)
    }
}

/// A calendar day, as a person counts days (a check-in's day, a row of a daily report).
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `2026-11-27`; anything else, or a day that does not exist, is refused.
    public init(parsing text: String, field: String = "day") throws(JournalError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let date = Self.utcCalendar.date(from: DateComponents(year: year, month: month, day: day)),
            Self.utcCalendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day)
        else { throw .invalidValue(field: field, value: text, expected: "a day written as YYYY-MM-DD") }
        self.init(year: year, month: month, day: day)
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
}
