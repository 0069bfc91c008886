import FlareJournal
import Foundation

/// Times as people type them: `now`, `08:30`, `today 08:30`, `yesterday 21:00`, `2026-11-27`,
/// `2026-11-27 08:30`, or ISO 8601 (`2026-11-27T08:30`, with or without an offset). Without an
/// offset, a time is in the device's time zone.
enum HumanTime {
    static func parse(_ text: String, now: Date = Date(), in zone: TimeZone = .current) throws -> Moment {
        let words = text.trimmingCharacters(in: .whitespaces).lowercased().split(separator: " ").map(String.init)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        func at(_ day: Date, _ clock: String?) throws -> Moment {
            var parts = calendar.dateComponents([.year, .month, .day], from: day)
            if let clock {
                let pieces = clock.split(separator: ":")
                guard pieces.count == 2, let hour = Int(pieces[0]), let minute = Int(pieces[1]), (0..<24).contains(hour),
                    (0..<60).contains(minute)
                else { throw invalid(text) }
                parts.hour = hour
                parts.minute = minute
            } else {
                parts.hour = 12
            }
            guard let date = calendar.date(from: parts) else { throw invalid(text) }
            return Moment(date, in: zone)
        }
        switch words.count {
        case 1 where words[0] == "now": return Moment(now, in: zone)
        case 1 where words[0] == "today": return try at(now, nil)
        case 1 where words[0] == "yesterday": return try at(calendar.date(byAdding: .day, value: -1, to: now)!, nil)
        case 1 where words[0].contains(":") && !words[0].contains("-"): return try at(now, words[0])
        case 2 where words[0] == "today": return try at(now, words[1])
        case 2 where words[0] == "yesterday": return try at(calendar.date(byAdding: .day, value: -1, to: now)!, words[1])
        default: break
        }
        let joined = words.joined(separator: "t")
        if let day = try? Day(parsing: joined) {
            return try at(calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!, nil)
        }
        if let moment = try? Moment(iso8601: text) { return moment }
        let pieces = joined.split(separator: "t").map(String.init)
        if pieces.count == 2, let day = try? Day(parsing: pieces[0]) {
            return try at(calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!, String(pieces[1].prefix(5)))
        }
        throw invalid(text)
    }

    private static func invalid(_ text: String) -> JournalError {
        .invalidValue(field: "time", value: text, expected: "like now, 08:30, yesterday 21:00, 2026-11-27 08:30 or 2026-11-27T08:30+01:00")
    }
}
