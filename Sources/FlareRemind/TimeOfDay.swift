import Foundation

/// A time of day on a 24-hour clock, to the minute: when a reminder comes, every day.
public struct TimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    /// `hour`:`minute`, when both are on the clock (0–23, 0–59).
    public init?(hour: Int, minute: Int) {
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        (self.hour, self.minute) = (hour, minute)
    }

    /// Reads `H:MM` or `HH:MM` (ASCII digits, surrounding blanks ignored). Anything else is
    /// refused with what was wrong: an hour past 23 (`24:00`: midnight is 00:00), minutes past
    /// 59, or a 12-hour time (`7pm`), for which the 24-hour one is suggested.
    public init(parsing text: String) throws(ReminderError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let pieces = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count == 2, (1...2).contains(pieces[0].count), pieces[1].count == 2,
            pieces.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(pieces[0]), let minute = Int(pieces[1])
        else {
            throw .badTime(text, hint: Self.twelveHour(trimmed).map { "Did you mean \($0)?" } ?? "")
        }
        guard hour < 24 else { throw .badTime(text, hint: "Hours run from 00 to 23; midnight is 00:00.") }
        guard minute < 60 else { throw .badTime(text, hint: "Minutes run from 00 to 59.") }
        (self.hour, self.minute) = (hour, minute)
    }

    /// `text` read as a 12-hour time (`7pm`, `7:30 am`, `12 a.m.`), when it is one.
    static func twelveHour(_ text: String) -> TimeOfDay? {
        var rest = Substring(text.lowercased().replacingOccurrences(of: ".", with: "").replacingOccurrences(of: " ", with: ""))
        let afternoon: Bool
        if rest.hasSuffix("pm") { afternoon = true } else if rest.hasSuffix("am") { afternoon = false } else { return nil }
        rest = rest.dropLast(2)
        let pieces = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), pieces.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(pieces[0]), (1...12).contains(hour)
        else { return nil }
        let minute = pieces.count == 2 ? Int(pieces[1]) ?? 60 : 0
        return TimeOfDay(hour: hour % 12 + (afternoon ? 12 : 0), minute: minute)
    }

    public var description: String { Self.twoDigits(hour) + ":" + Self.twoDigits(minute) }

    static func twoDigits(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { (a.hour, a.minute) < (b.hour, b.minute) }
}
