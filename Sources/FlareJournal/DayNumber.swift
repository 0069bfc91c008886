/// Day arithmetic by day numbers (days since 1970-01-01 in the proleptic Gregorian calendar),
/// computed with integers: reports step through thousands of days, and a `Calendar` round trip
/// per step would dominate their cost.
extension Day {
    /// Days since 1970-01-01 (negative before it).
    public var number: Int {
        // Howard Hinnant's days_from_civil: years counted from March, so leap days fall last.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day numbered `number` (see `number`), within the years 1…9999 that `Moment` allows.
    public init?(number: Int) {
        guard Self.numbers.contains(number) else { return nil }
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// The day numbers of 0001-01-01 … 9999-12-31.
    static let numbers = Day(year: 1, month: 1, day: 1).number...Day(year: 9999, month: 12, day: 31).number

    /// The day `count` days later (earlier if negative); nil past the years 1…9999.
    public func adding(days count: Int) -> Day? { Day(number: number + count) }

    /// Days from `other` to this day (positive when this day is later).
    public func days(since other: Day) -> Int { number - other.number }

    /// 1 = Monday … 7 = Sunday (ISO 8601).
    public var weekday: Int { ((number + 3) % 7 + 7) % 7 + 1 }
}

extension Day {
    /// The first day of `month` (1…12) in `year`; nil outside the years 1…9999.
    public static func first(ofMonth month: Int, in year: Int) -> Day? {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        return Day(year: year, month: month, day: 1)
    }
}
