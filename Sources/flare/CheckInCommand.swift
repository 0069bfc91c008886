import ArgumentParser
import FlareJournal
import Foundation

struct CheckInCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkin",
        abstract: "The day's check-in: a few ratings for the whole day. Run again to change it.",
        discussion: """
            One check-in per day: running it again (on any device) changes only the fields given, \
            and devices' answers for the same day merge. Example: flare checkin --pain 4 --mood 6 \
            --sleep-hours 7
            """)

    @OptionGroup var vault: VaultOptions
    @Option(help: "The day: today (default), yesterday or 2026-11-27.") var day: String = "today"
    @OptionGroup var future: FutureOption
    @Option(parsing: .unconditional, help: "Pain overall, 0–10.") var pain: String?
    @Option(parsing: .unconditional, help: "Fatigue overall, 0–10.") var fatigue: String?
    @Option(name: .customLong("sleep-hours"), parsing: .unconditional, help: "Hours slept last night.") var sleepHours: String?
    @Option(name: .customLong("sleep-quality"), parsing: .unconditional, help: "Sleep quality, 0–10.") var sleepQuality: String?
    @Option(parsing: .unconditional, help: "Stress, 0–10.") var stress: String?
    @Option(parsing: .unconditional, help: "Mood, 0–10.") var mood: String?
    @Option(help: "A note.") var note: String?
    @Flag(help: "Print the check-in as JSON.") var json = false

    func run() throws {
        try reporting {
            let day = try HumanTime.checked(HumanTime.day(day, field: "day"), field: "day", future: future.future)
            let fields = (
                pain: try rating(pain, "pain"), fatigue: try rating(fatigue, "fatigue"), sleepHours: try hours(sleepHours),
                sleepQuality: try rating(sleepQuality, "sleep-quality"), stress: try rating(stress, "stress"), mood: try rating(mood, "mood"))
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                let id = CheckIn.id(for: day)
                let current = opened.replica.document(id) == nil ? try CheckIn(day: day) : try journal.stored(id, as: CheckIn.self).record
                let checkIn = try CheckIn(
                    day: day, pain: fields.pain ?? current.pain, fatigue: fields.fatigue ?? current.fatigue,
                    sleepHours: fields.sleepHours ?? current.sleepHours, sleepQuality: fields.sleepQuality ?? current.sleepQuality,
                    stress: fields.stress ?? current.stress, mood: fields.mood ?? current.mood, note: note ?? current.note)
                try journal.checkIn(checkIn)
                if json { try printJSON(checkIn.jsonObject(id: id)) } else { print("Checked in for \(day).") }
            }
        }
    }
}
