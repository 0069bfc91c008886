import ArgumentParser
import FlareJournal
import Foundation

/// Times and days as people type them, one parser for every command: `now`, `today`,
/// `yesterday`, `tomorrow`, `08:30`, `today 08:30`, `yesterday 21:00`, `2026-11-27`, `2026-11-27 08:30`,
/// or ISO 8601 (`2026-11-27T08:30`, with or without an offset). Without an offset, a time is in
/// the device's time zone; a day without a time (`2026-11-27`, `yesterday`) means noon that day,
/// so its day is the same in every time zone a person travels to.
enum HumanTime {
    /// What a time was expected to look like, for errors.
    static let examples = "like now, 08:30, yesterday 21:00, 2026-11-27 08:30 or 2026-11-27T08:30+01:00"

    static func parse(_ text: String, field: String = "time", now: Date = Date(), in zone: TimeZone = .current) throws(JournalError) -> Moment {
        let words = text.trimmingCharacters(in: .whitespaces).lowercased().split(separator: " ").map(String.init)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let invalid = JournalError.invalidValue(field: field, value: text, expected: examples)
        func at(_ day: Date?, _ clock: String?) throws(JournalError) -> Moment {
            guard let day else { throw invalid }
            var parts = calendar.dateComponents([.year, .month, .day], from: day)
            if let clock {
                let pieces = clock.split(separator: ":", omittingEmptySubsequences: false)
                guard pieces.count == 2, pieces.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
                    let hour = Int(pieces[0]), let minute = Int(pieces[1]), (0..<24).contains(hour), (0..<60).contains(minute)
                else { throw invalid }
                parts.hour = hour
                parts.minute = minute
            } else {
                parts.hour = 12
            }
            guard let date = calendar.date(from: parts) else { throw invalid }
            return Moment(date, in: zone)
        }
        func on(_ day: Day) -> Date? { calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) }
        let yesterday = calendar.date(byAdding: .day, value: -1, to: now)
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: now)
        switch words.count {
        case 1 where words[0] == "now": return Moment(now, in: zone)
        case 1 where words[0] == "today": return try at(now, nil)
        case 1 where words[0] == "yesterday": return try at(yesterday, nil)
        case 1 where words[0].contains(":") && !words[0].contains("-"): return try at(now, words[0])
        case 2 where words[0] == "today": return try at(now, words[1])
        case 2 where words[0] == "yesterday": return try at(yesterday, words[1])
        case 1 where words[0] == "tomorrow": return try at(tomorrow, nil)
        case 2 where words[0] == "tomorrow": return try at(tomorrow, words[1])
        default: break
        }
        let joined = words.joined(separator: "t")
        if let day = try? Day(parsing: joined) { return try at(on(day), nil) }
        if let moment = try? Moment(iso8601: text, field: field) { return moment }
        let pieces = joined.split(separator: "t").map(String.init)
        if pieces.count == 2, let day = try? Day(parsing: pieces[0]) {
            // ISO 8601 without an offset may carry seconds (08:30:15); they are dropped.
            let clock = pieces[1].split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(clock.count) else { throw invalid }
            return try at(on(day), clock.prefix(2).joined(separator: ":"))
        }
        throw invalid
    }

    /// The day a person means by `text`: anything `parse` reads, taken as its day.
    static func day(_ text: String, field: String, now: Date = Date(), in zone: TimeZone = .current) throws(JournalError) -> Day {
        do {
            return try parse(text, field: field, now: now, in: zone).day
        } catch {
            throw .invalidValue(field: field, value: text, expected: "a day like today, yesterday or 2026-11-27")
        }
    }

    /// How far ahead a time may be without `--future`: a day, so a late-evening entry for the
    /// morning after is still taken, with a warning.
    static let futureLimit: TimeInterval = 24 * 3600

    /// How far ahead a time may be before it is worth a warning: a clock set a little fast, or
    /// `08:30` typed at 08:29, is not.
    static let futureSlack: TimeInterval = 5 * 60

    /// The time `text` (what `--field` was given), parsed and checked against now by
    /// `checked(_:field:future:now:)`.
    static func moment(_ text: String, field: String, future: Bool) throws -> Moment {
        try checked(parse(text, field: field), field: field, future: future)
    }

    /// `moment` (what `field` was given), checked against now: more than a day ahead is
    /// refused unless `future`; any time ahead is named on standard error.
    static func checked(_ moment: Moment, field: String, future: Bool, now: Date = Date()) throws -> Moment {
        let ahead = moment.date.timeIntervalSince(now)
        guard ahead > futureSlack else { return moment }
        let when = FieldText.clock(moment)
        if ahead > futureLimit && !future {
            throw CLIError.usage("--\(field) \(when) is \(Self.span(ahead)) ahead; nothing was written. Give --future as well if you mean a time to come.")
        }
        warn("--\(field) \(when) is \(Self.span(ahead)) ahead.")
        return moment
    }

    /// `day` (what `field` was given), checked as `checked(_:field:future:now:)` checks a time:
    /// a day after tomorrow is refused unless `future`; tomorrow is named.
    static func checked(_ day: Day, field: String, future: Bool, now: Date = Date(), in zone: TimeZone = .current) throws -> Day {
        let today = Moment(now, in: zone).day
        let ahead = day.days(since: today)
        guard ahead > 0 else { return day }
        if ahead > 1 && !future {
            throw CLIError.usage("--\(field) \(day) is \(ahead) days ahead; nothing was written. Give --future as well if you mean a day to come.")
        }
        warn("--\(field) \(day) is \(ahead == 1 ? "tomorrow" : "\(ahead) days ahead").")
        return day
    }

    /// A span ahead in the largest whole unit: "3 hours", "5 days".
    private static func span(_ seconds: TimeInterval) -> String {
        let minutes = Int(seconds / 60)
        if minutes < 120 { return plural(minutes, "minute") }
        if minutes < 48 * 60 { return plural(minutes / 60, "hour") }
        return plural(minutes / (24 * 60), "day")
    }
}

/// The flag that lets a time or day lie more than a day ahead.
struct FutureOption: ParsableArguments {
    @Flag(help: "Take a time more than a day ahead (a planned start, say); without it such a time is refused as a likely typo.")
    var future = false
}
