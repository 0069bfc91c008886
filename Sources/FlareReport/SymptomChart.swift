import FlareInsights
import FlareJournal

/// The daily chart of pain, fatigue and stiffness (0–10), with flare-up days shaded. Lines
/// break where a day was not logged, so a gap never reads as a trend; each series has its own
/// dash pattern so a black-and-white printout still tells them apart.
struct SymptomChart {
    let axis: DayAxis
    let records: [DayRecord]

    static let height = 200.0
    static let top = 10.0
    static let plot = 160.0

    struct Series: Sendable {
        let name: String
        let value: @Sendable (DayRecord) -> Double?
        let style: String
    }

    static let series = [
        Series(name: "Pain", value: \.pain, style: "pain"),
        Series(name: "Fatigue", value: \.fatigue, style: "fatigue"),
        Series(name: "Stiffness", value: \.stiffness, style: "stiffness"),
    ]

    func y(_ rating: Double) -> Double { Self.top + Self.plot * (1 - rating / 10) }

    var svg: String {
        let width = axis.left + axis.width + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(coordinate(width)) \(coordinate(Self.height))\" role=\"img\" aria-labelledby=\"symptoms-title\" class=\"chart\">"
        svg += "<title id=\"symptoms-title\">Daily pain, fatigue and stiffness, 0 to 10, with flare-up days shaded</title>"
        for record in records where record.flare {
            svg += "<rect x=\"\(coordinate(axis.start(record.day)))\" y=\"\(coordinate(Self.top))\" width=\"\(coordinate(axis.slot))\" height=\"\(coordinate(Self.plot))\" class=\"flare-day\"><title>Flare-up \(record.day)</title></rect>"
        }
        for rating in stride(from: 0, through: 10, by: 2) {
            let y = coordinate(y(Double(rating)))
            svg += "<line x1=\"\(coordinate(axis.left))\" y1=\"\(y)\" x2=\"\(coordinate(axis.left + axis.width))\" y2=\"\(y)\" class=\"grid\"/>"
            svg += "<text x=\"\(coordinate(axis.left - 6))\" y=\"\(y)\" dy=\"3\" text-anchor=\"end\" class=\"tick\">\(rating)</text>"
        }
        for series in Self.series {
            for run in runs(of: series.value) {
                let points = run.map { "\(coordinate(axis.x($0.day))),\(coordinate(y($0.value)))" }.joined(separator: " ")
                if run.count == 1 {
                    let only = run[0]
                    svg += "<circle cx=\"\(coordinate(axis.x(only.day)))\" cy=\"\(coordinate(y(only.value)))\" r=\"2\" class=\"\(series.style) dot\"/>"
                } else {
                    svg += "<polyline points=\"\(points)\" class=\"\(series.style) line\"/>"
                }
            }
        }
        svg += axis.axis(at: Self.top + Self.plot)
        svg += "</svg>"
        return svg
    }

    /// Consecutive logged days with a value, as runs to draw as one line each.
    private func runs(of value: @Sendable (DayRecord) -> Double?) -> [[(day: Day, value: Double)]] {
        var runs: [[(day: Day, value: Double)]] = []
        var current: [(day: Day, value: Double)] = []
        for record in records {
            guard let number = value(record) else { continue }
            if let previous = current.last, record.day.days(since: previous.day) > 1 {
                runs.append(current)
                current = []
            }
            current.append((record.day, number))
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// The chart's legend, as HTML (it prints and wraps better than SVG text).
    static var legend: String {
        "<p class=\"legend\">" + series.map { "<span class=\"key \($0.style)\"></span>\($0.name)" }.joined(separator: " ")
            + " <span class=\"key flare-day\"></span>Flare-up day</p>"
    }
}

/// Hours slept each night, as bars, with the short-night line.
struct SleepChart {
    let axis: DayAxis
    let records: [DayRecord]

    static let height = 130.0
    static let top = 8.0
    static let plot = 95.0
    static let most = 12.0

    func y(_ hours: Double) -> Double { Self.top + Self.plot * (1 - min(hours, Self.most) / Self.most) }

    var svg: String {
        let width = axis.left + axis.width + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(coordinate(width)) \(coordinate(Self.height))\" role=\"img\" aria-labelledby=\"sleep-title\" class=\"chart\">"
        svg += "<title id=\"sleep-title\">Hours of sleep each night; nights under \(Figure.threshold(InsightRules.shortNightHours)) hours are darker</title>"
        for hours in stride(from: 0, through: Int(Self.most), by: 3) {
            let y = coordinate(y(Double(hours)))
            svg += "<line x1=\"\(coordinate(axis.left))\" y1=\"\(y)\" x2=\"\(coordinate(axis.left + axis.width))\" y2=\"\(y)\" class=\"grid\"/>"
            svg += "<text x=\"\(coordinate(axis.left - 6))\" y=\"\(y)\" dy=\"3\" text-anchor=\"end\" class=\"tick\">\(hours) h</text>"
        }
        let bar = max(axis.slot * 0.7, 0.5)
        for record in records {
            guard let hours = record.sleepHours else { continue }
            let top = y(hours)
            let style = hours < InsightRules.shortNightHours ? "sleep short" : "sleep"
            svg += "<rect x=\"\(coordinate(axis.x(record.day) - bar / 2))\" y=\"\(coordinate(top))\" width=\"\(coordinate(bar))\" height=\"\(coordinate(Self.top + Self.plot - top))\" class=\"\(style)\"><title>\(record.day): \(Figure.one(hours)) h</title></rect>"
        }
        let limit = coordinate(y(InsightRules.shortNightHours))
        svg += "<line x1=\"\(coordinate(axis.left))\" y1=\"\(limit)\" x2=\"\(coordinate(axis.left + axis.width))\" y2=\"\(limit)\" class=\"threshold\"/>"
        svg += axis.axis(at: Self.top + Self.plot)
        return svg + "</svg>"
    }
}
