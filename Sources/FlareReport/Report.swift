import FlareInsights
import FlareJournal

/// The clinician report: one self-contained HTML file (inline SVG charts, inline CSS, no
/// scripts, nothing fetched), whose first printed page is the visit summary.
public struct Report: Sendable {
    public let summary: VisitSummary
    public let insights: [Insight]
    public let criteria: CriteriaScores
    /// The period's logged days.
    public let records: [DayRecord]
    /// When and where it was made, as the person should read it ("2026-11-30 21:04").
    public let generated: String

    /// Computes the report of `first`…`last` from `days`.
    public init(days: JournalDays, from first: Day, to last: Day, questions: [String] = [], generated: String) {
        summary = days.visitSummary(from: first, to: last, questions: questions)
        insights = days.insights(from: first, to: last)
        criteria = days.criteriaScores(endingOn: last)
        records = days.records(from: first, to: last)
        self.generated = generated
    }

    /// Days with a place logged, and each index region's share of them.
    var regionShares: (days: Int, shares: [BodyRegion: Double], widespread: Int, other: [String: Int]) {
        let placed = records.filter { !$0.regions.isEmpty || $0.widespread || !$0.otherPlaces.isEmpty }
        var counts: [BodyRegion: Int] = [:]
        var other: [String: Int] = [:]
        for record in placed {
            for region in record.regions { counts[region, default: 0] += 1 }
            for place in record.otherPlaces { other[place, default: 0] += 1 }
        }
        let shares = counts.mapValues { Double($0) / Double(placed.count) }
        return (placed.count, shares, placed.filter(\.widespread).count, other)
    }

    /// The report as HTML; only the visit summary page when `summaryOnly`.
    public func html(summaryOnly: Bool = false) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Pain journal report \(summary.from) to \(summary.to)</title>
            <style>\(Self.style)</style></head><body>
            """
        html += summaryPage
        if !summaryOnly {
            html += chartsPage
            html += bodyPage
            html += insightsPage
        }
        return html + "</body></html>\n"
    }

    // MARK: Page 1

    var summaryPage: String {
        let s = summary
        var html = "<section class=\"page summary\"><header><h1>Pain journal: visit summary</h1>"
        html += "<p class=\"period\"><strong>\(Self.long(s.from)) to \(Self.long(s.to))</strong> (\(s.days) days) · \(s.daysLogged) days logged · made \(escaped(generated)) on the person's own device, from their encrypted Flare journal</p></header>"
        html += "<table class=\"figures\"><tbody>"
        html += row("Pain (0–10)", painLine)
        html += row("Flare-ups", flareLine)
        html += row("Sleep", s.meanSleepHours.map { "mean \(Figure.one($0)) h a night; \(s.shortNights) of \(s.nightsLogged) nights logged under \(Figure.threshold(InsightRules.shortNightHours)) h" } ?? "not logged")
        html += row("Stress (0–10)", s.meanStress.map { "mean \(Figure.one($0))" } ?? "not logged")
        html += row("Fatigue (0–10)", s.meanFatigue.map { "mean \(Figure.one($0))" } ?? "not logged")
        html += row("Stiffness (0–10)", s.meanStiffness.map { "mean \(Figure.one($0))" } ?? "not logged")
        html += row("Last 7 days", criteriaLine + " <span class=\"muted\">(self-reported tracking, not a diagnosis)</span>", raw: true)
        html += "</tbody></table>"
        html += "<h2>Treatments</h2>"
        if s.treatments.isEmpty {
            html += "<p>No treatment logged in this period.</p>"
        } else {
            html += treatmentTable(Array(s.treatments.prefix(Self.pageOneTreatments)))
            if s.treatments.count > Self.pageOneTreatments {
                html += "<p class=\"muted\">And \(s.treatments.count - Self.pageOneTreatments) more, listed with the treatment timeline.</p>"
            }
        }
        html += "<h2>Questions for this visit</h2>"
        let (first, rest) = pageOneQuestions
        if first.isEmpty {
            html += "<p class=\"muted\">None noted.</p>"
        } else {
            html += "<ol class=\"questions\">" + first.map { "<li>\(escaped($0))</li>" }.joined() + "</ol>"
            if !rest.isEmpty { html += "<p class=\"muted\">\(rest.count) more on the next page.</p>" }
        }
        html += "<footer>Everything here was logged by the person and computed on their device; no server saw it. Averages count each logged day once.</footer>"
        return html + "</section>"
    }

    /// Page one has room for this many treatment rows and about this many characters of
    /// questions (checked by printing it in a browser: see ReportCLITests); the rest follow on
    /// the next page.
    static let pageOneTreatments = 6
    static let pageOneQuestionCharacters = 600

    /// The questions that fit page one (always the first), and the rest.
    var pageOneQuestions: (first: [String], rest: [String]) {
        var characters = 0
        var first: [String] = []
        for question in summary.questions {
            characters += question.count + 40
            guard first.isEmpty || characters <= Self.pageOneQuestionCharacters else { break }
            first.append(question)
        }
        return (first, Array(summary.questions.dropFirst(first.count)))
    }

    func treatmentTable(_ treatments: [TreatmentSummary]) -> String {
        table(
            [["Treatment", "Dose, schedule", "Since", "Taken / skipped", "Adherence", "Helped (0–10)", "Side effects"]]
                + treatments.map { t in
                    [
                        t.name, [Self.doses(t), t.schedule].compactMap { $0 }.joined(separator: ", "), t.started.map(Self.long) ?? "",
                        "\(t.taken) / \(t.skipped)", t.adherence.map(Figure.percent) ?? "–", Figure.optional(t.meanEffect),
                        t.sideEffects.prefix(3).map { "\($0.effect) (\($0.times))" }.joined(separator: ", "),
                    ]
                }, classes: "treatments")
    }

    /// "25 mg" or, when it changed in the period, "10 mg → 25 mg (5 Oct)".
    static func doses(_ treatment: TreatmentSummary) -> String? {
        guard !treatment.doseChanges.isEmpty else { return treatment.dose }
        var text = treatment.doseAtStart ?? "no dose"
        for change in treatment.doseChanges { text += " → \(change.dose) (\(change.at.day.day) \(DayAxis.monthNames[change.at.day.month - 1]))" }
        return text
    }

    var painLine: String {
        let s = summary
        guard let mean = s.meanPain else { return "not logged" }
        var line = "mean \(Figure.one(mean)), worst \(s.worstPain.map(String.init) ?? "–")"
        if let previous = s.previousMeanPain, let difference = s.painChange.difference {
            line += "; the \(s.days) days before: mean \(Figure.one(previous)), worst \(s.previousWorstPain.map(String.init) ?? "–")"
            line += " (now \(Figure.change(difference)), \(Figure.interval(s.painChange.interval)))"
        } else {
            line += "; nothing logged in the \(s.days) days before to compare with"
        }
        return line
    }

    var flareLine: String {
        let s = summary
        guard !s.flareUps.isEmpty || s.flareDays > 0 else { return "none logged" }
        let lengths = s.flareUps.map(\.length)
        var line = "\(s.flareUps.count) began in the period, \(s.flareDays) flare-up days in all"
        if let longest = s.flareUps.max(by: { $0.length < $1.length }) {
            let mean = Double(lengths.reduce(0, +)) / Double(lengths.count)
            line += "; lasting \(Figure.one(mean)) days on average, the longest \(Figure.days(longest.length)) from \(Self.long(longest.first))"
        }
        return line
    }

    var criteriaLine: String {
        let c = criteria
        var parts: [String] = []
        if let index = c.widespreadPainIndex {
            parts.append("Widespread Pain Index \(index) of 19" + (c.widespreadOnlyDays > 0 ? " (plus \(Figure.days(c.widespreadOnlyDays)) logged only as widespread)" : ""))
        } else {
            parts.append("no places of pain logged for the Widespread Pain Index")
        }
        if let part = c.severityPart {
            parts.append("Symptom Severity items \(part) of 9 (fatigue \(c.fatigue!), waking unrefreshed \(c.wakingUnrefreshed!), cognitive \(c.cognitiveSymptoms!); the scale's 3 other points are not tracked)")
        } else {
            parts.append("too little fatigue, sleep quality or cognitive fatigue logged for the Symptom Severity items")
        }
        return escaped(parts.joined(separator: "; "))
    }

    func row(_ label: String, _ value: String, raw: Bool = false) -> String {
        "<tr><th>\(escaped(label))</th><td>\(raw ? value : escaped(value))</td></tr>"
    }

    // MARK: Charts

    var axis: DayAxis { DayAxis(first: summary.from, last: summary.to, left: 90, width: 580) }

    var chartsPage: String {
        var html = "<section class=\"page\">"
        let (first, rest) = pageOneQuestions
        if !rest.isEmpty {
            html += "<h2>Questions for this visit, continued</h2><ol class=\"questions\" start=\"\(first.count + 1)\">" + rest.map { "<li>\(escaped($0))</li>" }.joined() + "</ol>"
        }
        html += "<h2>Day by day</h2>"
        html += "<figure>" + SymptomChart(axis: axis, records: records).svg + "<figcaption>" + SymptomChart.legend + "</figcaption></figure>"
        html += "<h3>Sleep</h3><figure>" + SleepChart(axis: axis, records: records).svg
        html += "<figcaption class=\"legend\">Hours slept the night before each day; the line marks \(Figure.threshold(InsightRules.shortNightHours)) hours, darker bars the nights under it.</figcaption></figure>"
        html += "<h3>Treatments</h3>"
        if summary.treatments.isEmpty {
            html += "<p class=\"muted\">No treatment logged in this period.</p>"
        } else {
            html += "<figure>" + TreatmentTimeline(axis: axis, treatments: summary.treatments).svg
            html += "<figcaption class=\"legend\"><span class=\"key taken\"></span>taken or done <span class=\"key skipped\"></span>skipped; a dose is written where it changed.</figcaption></figure>"
            if summary.treatments.count > Self.pageOneTreatments { html += treatmentTable(summary.treatments) }
        }
        return html + "</section>"
    }

    var bodyPage: String {
        let regions = regionShares
        var html = "<section class=\"page\"><h2>Where the pain was</h2>"
        guard regions.days > 0 else { return html + "<p class=\"muted\">No places of pain logged in this period.</p></section>" }
        html += "<figure class=\"body\">" + BodyMap(shares: regions.shares).svg + "</figure>"
        html += "<p>Share of the \(Figure.days(regions.days)) with a place of pain logged."
        if regions.widespread > 0 { html += " On \(Figure.days(regions.widespread)) the pain was logged as widespread, which names no single region and is not counted above." }
        if !regions.other.isEmpty {
            html += " Also logged, outside the index: " + escaped(regions.other.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) (\(Figure.days($0.value)))" }.joined(separator: ", ")) + "."
        }
        html += "</p>"
        let rows = BodyRegion.allCases.filter { (regions.shares[$0] ?? 0) > 0 }.sorted { (regions.shares[$0]!, $1) > (regions.shares[$1]!, $0) }
        if !rows.isEmpty {
            html += table([["Region", "Share of days"]] + rows.map { [$0.rawValue, Figure.percent(regions.shares[$0]!)] }, classes: "regions")
        }
        html += "<h3>Widespread Pain Index and Symptom Severity, \(Self.long(criteria.from)) to \(Self.long(criteria.to))</h3>"
        html += "<p>\(criteriaLine).</p><p class=\"muted\">These follow the ACR 2010/2016 fibromyalgia criteria's scales from what was logged: self-reported tracking for a conversation with a clinician, not a diagnosis. Severity items map a week's mean 0–10 rating to 0 none, 1 mild (up to 3.5), 2 moderate (up to 6.5), 3 severe; waking unrefreshed comes from sleep quality.</p>"
        return html + "</section>"
    }

    var insightsPage: String {
        var html = "<section class=\"page insights\"><h2>What went together</h2>"
        html += "<p class=\"muted\">Each comparison shows what the numbers say and how sure they can be (a 95% interval); none shows a cause. An insight needs at least \(InsightRules.minimumEachSide) days on each side.</p>"
        for insight in insights {
            html += "<article class=\"insight\(insight.enoughData ? "" : " wanting")\"><h3>\(escaped(insight.title))</h3><p>\(escaped(insight.sentence))</p>"
            if !insight.table.isEmpty { html += table(insight.table) }
            html += "</article>"
        }
        return html + "</section>"
    }

    /// "9 Nov 2026".
    static func long(_ day: Day) -> String { "\(day.day) \(DayAxis.monthNames[day.month - 1]) \(day.year)" }

    static let style = """
        @page { margin: 14mm 12mm; }
        * { box-sizing: border-box; }
        body { font: 10pt/1.35 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0 auto; max-width: 186mm; padding: 8mm 0; }
        h1 { font-size: 16pt; margin: 0 0 2mm; }
        h2 { font-size: 12.5pt; margin: 5mm 0 2mm; border-bottom: 1px solid #999; }
        h3 { font-size: 11pt; margin: 4mm 0 1mm; }
        p { margin: 1mm 0 2mm; }
        .period { margin-bottom: 3mm; }
        .muted { color: #555; font-size: 9pt; }
        table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; font-size: 9pt; }
        th, td { text-align: left; vertical-align: top; padding: 0.9mm 1.6mm; border-bottom: 1px solid #ddd; }
        thead th { border-bottom: 1.5px solid #555; }
        table.figures th { width: 36mm; }
        table.regions { width: auto; }
        ol.questions { margin: 1mm 0; padding-left: 6mm; }
        footer { margin-top: 4mm; font-size: 8.5pt; color: #555; }
        figure { margin: 2mm 0; }
        svg { display: block; width: 100%; height: auto; }
        svg.body-map { max-width: 120mm; margin: 0 auto; }
        .section, .insight, figure, table, tr { break-inside: avoid; }
        .page { break-after: page; }
        .page:last-child { break-after: auto; }
        .axis { stroke: #333; stroke-width: 1; }
        .grid { stroke: #ddd; stroke-width: 0.6; }
        .tick { font-size: 9px; fill: #333; }
        .label { font-size: 10px; fill: #111; }
        .line { fill: none; stroke-width: 1.6; stroke-linejoin: round; }
        .line.pain { stroke: #b3261e; }
        .line.fatigue { stroke: #1f5fa8; stroke-dasharray: 5 3; }
        .line.stiffness { stroke: #6b5b00; stroke-dasharray: 1.5 2.5; }
        .dot.pain { fill: #b3261e; }
        .dot.fatigue { fill: #1f5fa8; }
        .dot.stiffness { fill: #6b5b00; }
        .flare-day { fill: #f6c9c4; }
        .sleep { fill: #8fb3dc; }
        .sleep.short { fill: #2f5d8f; }
        .threshold { stroke: #b3261e; stroke-width: 1; stroke-dasharray: 4 3; }
        .course { fill: #d9e4d0; }
        .taken { fill: #2d5a1e; }
        .skipped { fill: #fff; stroke: #b3261e; stroke-width: 1.4; }
        .dose { font-size: 8px; fill: #333; }
        .dose-change { stroke: #333; stroke-width: 1.2; }
        .outline { fill: #f3f3f3; stroke: #bbb; stroke-width: 1; }
        .region { fill: #b3261e; stroke: #7a1a14; stroke-width: 0.8; }
        .share { font-size: 8px; fill: #111; }
        .share.light { fill: #fff; }
        .legend { font-size: 9pt; color: #333; }
        .key { display: inline-block; width: 14px; height: 8px; margin: 0 4px 0 10px; vertical-align: middle; border-top: 2px solid; }
        .key.pain { border-color: #b3261e; }
        .key.fatigue { border-top-style: dashed; border-color: #1f5fa8; }
        .key.stiffness { border-top-style: dotted; border-color: #6b5b00; }
        .key.flare-day { background: #f6c9c4; border: none; height: 10px; }
        .key.taken { background: #2d5a1e; border: none; width: 8px; border-radius: 4px; }
        .key.skipped { border: 1.5px solid #b3261e; width: 8px; border-radius: 4px; }
        .insight.wanting p { color: #555; }
        @media print { body { padding: 0; max-width: none; } a { color: inherit; } }
        """
}
