import FlareCRDT

/// The fixtures' times: `at` as written in files, and HLC stamps as traces print them.
enum FixtureTime {
    /// A replica's first step without `at` happens at 2026-01-01T00:00:00Z.
    static let defaultStart: UInt64 = 1_767_225_600_000

    /// Milliseconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds, from 1970 to
    /// the year 9999), or nil for anything else, including impossible dates.
    static func milliseconds(iso8601 text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              year >= 1970, (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...lengths[month - 1]).contains(day) else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return UInt64(((days * 24 + hour) * 60 + minute) * 60 + second) * 1000
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
    /// days_from_civil).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `2026-03-01T08:00:00Z` for whole seconds, `2026-03-01T08:00:00.250Z` otherwise; plain
    /// milliseconds past the year 9999.
    static func text(milliseconds: UInt64) -> String {
        guard milliseconds <= HLC.horizon else { return "\(milliseconds)ms" }
        let totalSeconds = Int(milliseconds / 1000)
        let (days, secondsOfDay) = totalSeconds.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = civil(daysSinceEpoch: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        var text = "\(yearText)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60))"
        let fraction = Int(milliseconds % 1000)
        if fraction > 0 { text += "." + String(String(fraction + 1000).dropFirst()) }
        return text + "Z"
    }

    /// An HLC stamp as traces print it: `TIME/COUNTER`.
    static func text(_ clock: HLC) -> String { "\(text(milliseconds: clock.milliseconds))/\(clock.counter)" }

    /// The inverse of `daysSinceEpoch` (Howard Hinnant's civil_from_days), for days ≥ 0.
    private static func civil(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (era * 400 + yearOfEra + (month <= 2 ? 1 : 0), month, day)
    }
}
