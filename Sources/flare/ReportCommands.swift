import ArgumentParser
import FlareInsights
import FlareJournal
import FlareReport
import Foundation

/// The period a report or the insights cover: `--from` and `--to`, by default the 90 days
/// ending today.
struct ReportPeriod: ParsableArguments {
    static let defaultDays = 90

    @OptionGroup var range: DayRange

    /// The first and last day, checked; `--from` alone runs to today, `--to` alone starts 89
    /// days before it.
    func days(now: Date = Date()) throws -> (first: Day, last: Day) {
        let (first, last) = try range.bounds(now: now)
        let end = last ?? Moment(now).day
        let start = first ?? end.adding(days: -(Self.defaultDays - 1)) ?? end
        guard start <= end else {
            throw CLIError.usage("--from \(start) is after today (\(end)); give --to as well, or an earlier day.")
        }
        return (start, end)
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report for a clinician: one HTML file with a visit summary, charts and insights.",
        discussion: """
            The period is --from to --to, by default the 90 days ending today. The file is \
            self-contained (no scripts, nothing fetched) and prints cleanly: use the \
            browser's print or "save as PDF" for A4 or Letter pages; page 1 is the visit summary. It \
            is computed on this device from the vault and is written readable only by you; it leaves \
            the device only if you hand it over.

            Example: flare report --from 2026-09-01 --note "Can I take the amitriptyline earlier in the evening?"
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var period: ReportPeriod
    @Option(help: "Where to write the report; - for standard output. Default: flare-report-FROM-to-TO.html here.") var out: String?
    @Option(name: .customLong("note"), help: "A question or note for the visit, shown on page 1 (repeat for several).") var notes: [String] = []
    @Flag(help: "Only the visit summary page.") var summaryOnly = false

    func run() throws {
        try reporting {
            let (first, last) = try period.days()
            for note in notes where note.count > 500 || note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ValidationError(note.count > 500 ? "A --note is at most 500 characters; this one has \(note.count)." : "A --note is empty.")
            }
            let html = try vault.withVault { opened in
                let days = JournalDays(Journal(vault: opened).timeline())
                let report = Report(days: days, from: first, to: last, questions: notes, generated: Self.now())
                return report.html(summaryOnly: summaryOnly)
            }
            if out == "-" {
                FileHandle.standardOutput.write(Data(html.utf8))
                return
            }
            let path = out ?? "flare-report-\(first)-to-\(last).html"
            try Self.writePrivately(html, to: path)
            print("Wrote the report for \(first) to \(last) to \(path). Open it in a browser; print it or save it as PDF from there.")
        }
    }

    /// "2026-11-30 21:04" in this device's time zone.
    static func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date())
    }

    /// Writes `text` to `path` readable and writable by this user only (it is health data),
    /// through a temporary file renamed into place, so a failed write leaves no half report.
    static func writePrivately(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError.cannotCreate("Cannot write \(path): \(String(cString: strerror(errno))).")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CLIError.cannotCreate("Cannot write \(path): \(reason).")
        }
    }
}

struct Insights: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What went together in the journal: sleep and pain, stress and pain, triggers before flare-ups, treatments.",
        discussion: """
            The same insights as the report's, each with the numbers behind it, or what data it \
            still needs, for --from to --to (by default the 90 days ending today). They show what went together, never what caused what.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var period: ReportPeriod
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        try reporting {
            let (first, last) = try period.days()
            let insights = try vault.withVault { opened in
                JournalDays(Journal(vault: opened).timeline()).insights(from: first, to: last)
            }
            if json {
                try printJSON(insights.map { insight in
                    var object: [String: Any] = [
                        "kind": insight.kind.rawValue, "title": insight.title, "enough_data": insight.enoughData,
                        "sentence": insight.sentence, "figures": insight.figures, "table": insight.table,
                    ]
                    object["subject"] = insight.subject
                    return object
                })
                return
            }
            print("Insights for \(first) to \(last)")
            for insight in insights {
                print("\n\(insight.title)\n  \(insight.sentence)")
                if !insight.table.isEmpty { print(Self.text(insight.table)) }
            }
        }
    }

    /// A table as aligned columns, indented.
    static func text(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { column, cell in cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
