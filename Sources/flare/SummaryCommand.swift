import ArgumentParser
import FlareJournal
import Foundation

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Day or week summaries: pain, fatigue, stress, flare-ups, sleep, treatments taken and skipped.",
        discussion: """
            A flare-up day is a day with an entry marked as a flare-up. With --json, each day has \
            day, entries, mean_pain, max_pain, mean_fatigue, mean_stress, flare_up, sleep_hours, \
            taken and skipped (absent values left out); each week has week (its Monday), days, \
            entries, mean_pain, flare_up_days, mean_sleep_hours, taken and skipped.
            """)

    @OptionGroup var vault: VaultOptions
    @Flag(help: "One line per week (Monday to Sunday) instead of per day.") var week = false
    @OptionGroup var range: DayRange
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        try reporting {
            let (from, to) = try range.bounds()
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                if week {
                    let weeks = journal.weekSummaries(from: from, to: to)
                    if json { return try printJSON(weeks.map(Self.object)) }
                    if weeks.isEmpty { print("Nothing logged in that time.") }
                    for week in weeks { print(Self.line(week)) }
                } else {
                    let days = journal.daySummaries(from: from, to: to)
                    if json { return try printJSON(days.map(Self.object)) }
                    if days.isEmpty { print("Nothing logged in that time.") }
                    for day in days { print(Self.line(day)) }
                }
            }
        }
    }

    /// `2026-11-27  2 entries · pain 5.5 (worst 7) · fatigue 6.0 · stress 4.0 · slept 6.5 h · flare-up · 1 taken, 1 skipped`
    static func line(_ day: DaySummary) -> String {
        var parts = [plural(day.entries, "entry", "entries")]
        if let pain = day.meanPain { parts.append("pain \(decimal(pain))" + (day.maxPain.map { " (worst \($0))" } ?? "")) }
        if let fatigue = day.meanFatigue { parts.append("fatigue \(decimal(fatigue))") }
        if let stress = day.meanStress { parts.append("stress \(decimal(stress))") }
        if let sleep = day.sleepHours { parts.append("slept \(hours(sleep))") }
        if day.flareUp { parts.append("flare-up") }
        parts += treatments(taken: day.treatmentsTaken, skipped: day.treatmentsSkipped)
        return "\(day.day)  " + parts.joined(separator: " · ")
    }

    /// `week of 2026-11-23  5 days logged · 9 entries · pain 5.2 · 2 flare-up days · slept 6.4 h · 12 taken` (a mean, to a tenth of an hour)
    static func line(_ week: WeekSummary) -> String {
        var parts = [plural(week.days, "day") + " logged", plural(week.entries, "entry", "entries")]
        if let pain = week.meanPain { parts.append("pain \(decimal(pain))") }
        parts.append(plural(week.flareUpDays, "flare-up day"))
        if let sleep = week.meanSleepHours { parts.append("slept \(decimal(sleep)) h") }
        parts += treatments(taken: week.treatmentsTaken, skipped: week.treatmentsSkipped)
        return "week of \(week.monday)  " + parts.joined(separator: " · ")
    }

    static func object(_ day: DaySummary) -> [String: Any] {
        compact([
            "day": day.day.description, "entries": day.entries, "mean_pain": day.meanPain, "max_pain": day.maxPain,
            "mean_fatigue": day.meanFatigue, "mean_stress": day.meanStress, "flare_up": day.flareUp,
            "sleep_hours": day.sleepHours, "taken": day.treatmentsTaken, "skipped": day.treatmentsSkipped,
        ])
    }

    static func object(_ week: WeekSummary) -> [String: Any] {
        compact([
            "week": week.monday.description, "days": week.days, "entries": week.entries, "mean_pain": week.meanPain,
            "flare_up_days": week.flareUpDays, "mean_sleep_hours": week.meanSleepHours, "taken": week.treatmentsTaken,
            "skipped": week.treatmentsSkipped,
        ])
    }

    /// Drops absent values.
    private static func compact(_ row: [String: Any?]) -> [String: Any] { row.compactMapValues { $0 } }

    private static func decimal(_ number: Double) -> String { String(format: "%.1f", number) }

    /// Hours to the quarter hour a night is logged in: "7 h", "6.5 h", "6.25 h".
    private static func hours(_ number: Double) -> String {
        var text = String(format: "%.2f", number)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + " h"
    }

    /// "1 taken, 2 skipped", leaving out what is 0.
    private static func treatments(taken: Int, skipped: Int) -> [String] {
        let counts = [(taken, "taken"), (skipped, "skipped")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return counts.isEmpty ? [] : [counts.joined(separator: ", ")]
    }
}
