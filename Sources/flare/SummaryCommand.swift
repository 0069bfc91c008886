import ArgumentParser
import FlareJournal
import Foundation

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Day or week summaries: pain, fatigue, stress, flare-ups, sleep, treatments taken and skipped.")

    @OptionGroup var vault: VaultOptions
    @Flag(help: "One line per week (Monday to Sunday) instead of per day.") var week = false
    @Option(help: "First day (YYYY-MM-DD).") var from: String?
    @Option(help: "Last day (YYYY-MM-DD).") var to: String?
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        try reporting {
            let from = try from.map { text throws(JournalError) in try Day(parsing: text, field: "from") }
            let to = try to.map { text throws(JournalError) in try Day(parsing: text, field: "to") }
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                let rows: [[String: Any]] = week
                    ? journal.weekSummaries(from: from, to: to).map { week in
                        compact([
                            "week": week.monday.description, "days": week.days, "entries": week.entries, "mean_pain": week.meanPain,
                            "flares": week.flares, "mean_sleep_hours": week.meanSleepHours, "taken": week.treatmentsTaken,
                            "skipped": week.treatmentsSkipped,
                        ])
                    }
                    : journal.daySummaries(from: from, to: to).map { day in
                        compact([
                            "day": day.day.description, "entries": day.entries, "mean_pain": day.meanPain, "max_pain": day.maxPain,
                            "mean_fatigue": day.meanFatigue, "mean_stress": day.meanStress, "flares": day.flares,
                            "sleep_hours": day.sleepHours, "taken": day.treatmentsTaken, "skipped": day.treatmentsSkipped,
                        ])
                    }
                if json {
                    try printJSON(rows)
                    return
                }
                if rows.isEmpty { print("Nothing logged in that time.") }
                for row in rows {
                    let key = week ? "week" : "day"
                    let rest = row.keys.filter { $0 != key }.sorted().map { "\($0) \(format(row[$0]!))" }
                    print("\(row[key]!)  \(rest.joined(separator: ", "))")
                }
            }
        }
    }

    /// Drops absent values.
    private func compact(_ row: [String: Any?]) -> [String: Any] { row.compactMapValues { $0 } }

    private func format(_ value: Any) -> String {
        if let number = value as? Double { return String(format: "%.1f", number) }
        return "\(value)"
    }
}
