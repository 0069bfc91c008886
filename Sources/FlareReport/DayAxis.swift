import FlareJournal

/// The horizontal axis shared by the report's charts: one slot per day of the period.
struct DayAxis {
    let first: Day
    let last: Day
    /// Where the plot area starts and how wide it is, in SVG units.
    let left: Double
    let width: Double

    var dayCount: Int { last.days(since: first) + 1 }
    var slot: Double { width / Double(dayCount) }

    /// The middle of `day`'s slot.
    func x(_ day: Day) -> Double { left + (Double(day.days(since: first)) + 0.5) * slot }

    /// The left edge of `day`'s slot.
    func start(_ day: Day) -> Double { left + Double(day.days(since: first)) * slot }

    /// Days to label, a dozen or so whatever the period: Mondays every week or two, first days
    /// of months, or first days of years, so labels never crowd and a long period costs no more
    /// than a short one.
    var ticks: [(day: Day, label: String)] {
        let count = dayCount
        if count <= 120 {
            let step = count <= 35 ? 1 : 2
            return (first.number...last.number).compactMap { number -> (Day, String)? in
                guard let day = Day(number: number), day.weekday == 1, (number - first.number) / 7 % step == 0 else { return nil }
                return (day, "\(day.day) \(Self.monthNames[day.month - 1])")
            }
        }
        if count <= 1100 {
            let months = (last.year - first.year) * 12 + last.month - first.month + 1
            let step = (months + 11) / 12
            var ticks: [(Day, String)] = []
            var (year, month) = (first.year, first.month)
            for index in 0..<months {
                if index % step == 0, let day = Day.first(ofMonth: month, in: year), day >= first { ticks.append((day, "\(Self.monthNames[month - 1]) \(year)")) }
                (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
            }
            return ticks
        }
        let years = last.year - first.year + 1
        let step = (years + 11) / 12
        return (first.year...last.year).compactMap { year -> (Day, String)? in
            guard year % step == 0, let day = Day.first(ofMonth: 1, in: year), day >= first else { return nil }
            return (day, String(year))
        }
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The tick marks and labels along `y`.
    func axis(at y: Double) -> String {
        var svg = "<line x1=\"\(coordinate(left))\" y1=\"\(coordinate(y))\" x2=\"\(coordinate(left + width))\" y2=\"\(coordinate(y))\" class=\"axis\"/>"
        for (day, label) in ticks {
            let x = coordinate(x(day))
            svg += "<line x1=\"\(x)\" y1=\"\(coordinate(y))\" x2=\"\(x)\" y2=\"\(coordinate(y + 4))\" class=\"axis\"/>"
            svg += "<text x=\"\(x)\" y=\"\(coordinate(y + 14))\" text-anchor=\"middle\" class=\"tick\">\(label)</text>"
        }
        return svg
    }
}
