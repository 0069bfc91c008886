import FlareInsights
import FlareJournal
import FlareReport
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The report's HTML: self-contained, every SVG well-formed, journal text escaped wherever it
/// appears, and a summary-only form.
@Suite struct ReportTests {
    typealias Fixture = InsightsTests

    /// A journal whose words try to break out of the markup.
    static func hostileDays() throws -> JournalDays {
        let hostile = "<script>alert('x')</script> & \"quoted\" \u{0007}"
        let treatment = try Treatment(kind: .medication, name: hostile, dose: "<b>10 mg</b>", started: Fixture.moment("2026-01-06"))
        let event = try TreatmentEvent(treatment: "t-1", at: Fixture.moment("2026-01-07"), status: .taken, dose: "</svg><svg onload=x>", sideEffects: Fixture.terms(["<i>fog</i>"]))
        let skipped = try TreatmentEvent(treatment: "t-1", at: Fixture.moment("2026-01-08"), status: .skipped)
        let entries = Fixture.flaring + [Fixture.entry("2026-01-09", pain: 4, regions: ["<img src=x>", "neck"], triggers: ["</text>"])]
        return JournalDays(symptoms: entries, checkIns: Fixture.week, treatments: [("t-1", treatment)], events: [event, skipped])
    }

    static func report(_ days: JournalDays, questions: [String] = []) -> Report {
        Report(days: days, from: Fixture.day("2026-01-01"), to: Fixture.day("2026-02-05"), questions: questions, generated: "2026-02-06 09:00")
    }

    /// Every `<svg …>…</svg>` in `html`.
    static func svgs(in html: String) -> [String] {
        var found: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            found.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return found
    }

    @Test func selfContainedWithWellFormedCharts() throws {
        let html = Self.report(try Self.hostileDays(), questions: ["<script>steal()</script>", "Dose?"]).html()
        // Nothing to fetch and nothing to run: no scripts, no links to load, no external URLs.
        #expect(!html.lowercased().contains("<script"))
        let tagsLoading = try Regex("<[^>]*\\s(src|href|srcset|data|action)\\s*=").ignoresCase()
        #expect(html.firstMatch(of: tagsLoading) == nil)
        for outside in ["url(", "@import", "http://", "https://"] {
            let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
            #expect(!withoutNamespace.lowercased().contains(outside), "the report contains \(outside)")
        }
        let charts = Self.svgs(in: html)
        // Symptoms, sleep, treatments and the body map.
        #expect(charts.count == 4)
        for chart in charts {
            let parser = XMLParser(data: Data(chart.utf8))
            #expect(parser.parse(), "an SVG does not parse: \(parser.parserError.map { "\($0)" } ?? "?")\n\(chart.prefix(300))")
        }
        // The journal's words are there, escaped, in the tables, the sentences and the charts.
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"))
        #expect(html.contains("&lt;/svg&gt;&lt;svg onload=x&gt;"))
        #expect(html.contains("&lt;script&gt;steal()&lt;/script&gt;"))
        #expect(!html.contains("\u{0007}"))
        #expect(html.contains("&lt;img src=x&gt;"))
    }

    @Test func pageOneIsTheVisitSummary() throws {
        let report = Self.report(try Self.hostileDays(), questions: ["Dose?"])
        let summary = report.html(summaryOnly: true)
        #expect(summary.contains("Pain journal: visit summary"))
        #expect(summary.contains("Questions for this visit"))
        #expect(summary.contains("<li>Dose?</li>"))
        #expect(Self.svgs(in: summary).isEmpty)
        #expect(!summary.contains("What went together"))
        let full = report.html()
        #expect(full.hasPrefix(summary.components(separatedBy: "</body>")[0]))
        #expect(full.contains("What went together") && full.contains("Where the pain was"))
        // Every insight appears.
        #expect(full.components(separatedBy: "<article class=\"insight").count - 1 == report.insights.count)
    }

    @Test func anEmptyJournalStillMakesAReport() {
        let report = Self.report(JournalDays(symptoms: []))
        let html = report.html()
        #expect(html.contains("0 days logged"))
        #expect(html.contains("No places of pain logged in this period."))
        #expect(html.contains("No treatment logged in this period."))
        for chart in Self.svgs(in: html) { #expect(XMLParser(data: Data(chart.utf8)).parse()) }
    }

    @Test func aLongPeriodStillLabelsItsAxisSparsely() throws {
        var entries: [SymptomEntry] = []
        let first = Fixture.day("2023-01-01")
        for offset in stride(from: 0, to: 1200, by: 3) { entries.append(Fixture.entry(first.adding(days: offset)!.description, pain: offset % 11)) }
        let report = Report(days: JournalDays(symptoms: entries), from: first, to: first.adding(days: 1199)!, generated: "now")
        let chart = Self.svgs(in: report.html())[0]
        // 2023-01-01 to 2026-04-14: one label a year (2023, 2024, 2025, 2026).
        let labels = chart.components(separatedBy: "class=\"tick\">").count - 1 - 6
        #expect(labels == 4, "\(labels) axis labels")
        #expect(chart.contains(">2025</text>"))
        // The whole range a journal can hold: still a dozen labels or so, and made at once.
        let everything = Report(days: JournalDays(symptoms: entries), from: Fixture.day("0001-01-01"), to: Fixture.day("9999-12-31"), generated: "now")
        let wide = Self.svgs(in: everything.html())[0]
        let wideLabels = wide.components(separatedBy: "class=\"tick\">").count - 1 - 6
        #expect(wideLabels >= 10 && wideLabels <= 14, "\(wideLabels) axis labels")
        #expect(XMLParser(data: Data(chart.utf8)).parse())
    }
}
