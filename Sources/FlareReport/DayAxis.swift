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

    /// Days to label: Mondays every week or two for short periods, first days of months for
    /// long ones, so labels never crowd.
    var ticks: [Day] {
        var days: [Day] = []
        let step = dayCount <= 35 ? 7 : dayCount <= 120 ? 14 : 0
        for number in first.number...last.number {
            guard let day = Day(number: number) else { continue }
            if step > 0 {
                if day.weekday == 1, (number - first.number) / 7 % (step / 7) == 0 { days.append(day) }
            } else if day.day == 1, dayCount <= 400 || day.month % 3 == 1 {
                days.append(day)
            }
        }
        return days
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    func label(_ day: Day) -> String { "\(day.day) \(Self.monthNames[day.month - 1])" }

    /// The tick marks and labels along `y`.
    func axis(at y: Double) -> String {
        var svg = "<line x1=\"\(coordinate(left))\" y1=\"\(coordinate(y))\" x2=\"\(coordinate(left + width))\" y2=\"\(coordinate(y))\" class=\"axis\"/>"
        for day in ticks {
            let x = coordinate(x(day))
            svg += "<line x1=\"\(x)\" y1=\"\(coordinate(y))\" x2=\"\(x)\" y2=\"\(coordinate(y + 4))\" class=\"axis\"/>"
            svg += "<text x=\"\(x)\" y=\"\(coordinate(y + 14))\" text-anchor=\"middle\" class=\"tick\">\(label(day))</text>"
        }
        return svg
    }
}
