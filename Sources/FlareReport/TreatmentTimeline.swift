import FlareInsights
import FlareJournal

/// One row per treatment over the period: a bar while it was under way, a mark for each time
/// it was taken or done (filled) or skipped (a red ring), and its dose where the dose changed
/// (a tick where a dated dose change was logged).
struct TreatmentTimeline {
    let axis: DayAxis
    let treatments: [TreatmentSummary]

    static let row = 30.0

    var svg: String {
        let height = Double(treatments.count) * Self.row + 24
        let width = axis.left + axis.width + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(coordinate(width)) \(coordinate(height))\" role=\"img\" aria-labelledby=\"treatments-title\" class=\"chart\">"
        svg += "<title id=\"treatments-title\">Treatments over the period: taken or done (filled), skipped (red rings), with doses</title>"
        for (index, treatment) in treatments.enumerated() {
            let y = Double(index) * Self.row + 16
            svg += "<text x=\"\(coordinate(axis.left - 6))\" y=\"\(coordinate(y + 3))\" text-anchor=\"end\" class=\"label\">\(escaped(short(treatment.name)))</text>"
            let from = max(treatment.started ?? axis.first, axis.first)
            let to = min(treatment.stopped ?? axis.last, axis.last)
            if from <= to {
                svg += "<rect x=\"\(coordinate(axis.start(from)))\" y=\"\(coordinate(y - 3))\" width=\"\(coordinate(axis.start(to) + axis.slot - axis.start(from)))\" height=\"6\" class=\"course\"/>"
            }
            // Doses: from the dose changes when there are any (they are dated), else where the
            // dose written on the events changes.
            var lastDose: String?
            if !treatment.doseChanges.isEmpty {
                if from <= to, let initial = treatment.doseAtStart {
                    svg += "<text x=\"\(coordinate(axis.start(from)))\" y=\"\(coordinate(y - 7))\" class=\"dose\">\(escaped(initial))</text>"
                }
                for change in treatment.doseChanges {
                    let x = coordinate(axis.start(change.at.day))
                    svg += "<line x1=\"\(x)\" y1=\"\(coordinate(y - 6))\" x2=\"\(x)\" y2=\"\(coordinate(y + 6))\" class=\"dose-change\"><title>\(escaped(change.from ?? "no dose")) → \(escaped(change.dose)) on \(change.at.day)</title></line>"
                    svg += "<text x=\"\(x)\" y=\"\(coordinate(y - 7))\" class=\"dose\">\(escaped(change.dose))</text>"
                }
                lastDose = ""
            }
            for event in treatment.events {
                let x = coordinate(axis.x(event.at.day))
                if event.status == .skipped {
                    svg += "<circle cx=\"\(x)\" cy=\"\(coordinate(y))\" r=\"3\" class=\"skipped\"><title>Skipped \(event.at.day)</title></circle>"
                } else {
                    svg += "<circle cx=\"\(x)\" cy=\"\(coordinate(y))\" r=\"2.2\" class=\"taken\"><title>\(event.status == .taken ? "Taken" : "Done") \(event.at.day)\(event.dose.map { ", " + escaped($0) } ?? "")</title></circle>"
                }
                if lastDose != "", let dose = event.dose, dose != lastDose {
                    svg += "<text x=\"\(x)\" y=\"\(coordinate(y - 7))\" class=\"dose\">\(escaped(dose))</text>"
                    lastDose = dose
                }
            }
        }
        svg += axis.axis(at: Double(treatments.count) * Self.row + 4)
        return svg + "</svg>"
    }

    private func short(_ name: String) -> String { name.count <= 18 ? name : String(name.prefix(17)) + "…" }
}
