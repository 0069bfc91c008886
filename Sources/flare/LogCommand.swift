import ArgumentParser
import FlareJournal
import Foundation

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log how you feel now (or at --at): one flag per field, any you like.",
        discussion: """
            Example: flare log --pain 6 --region neck --region "lower back" --quality aching \
            --fatigue 7 --note "woke stiff"

            Ratings are whole numbers from 0 to 10. Regions, qualities and triggers are open: \
            use the suggested words (\(Vocabulary.regions.prefix(6).joined(separator: ", ")), …) \
            or your own.
            """
    )

    @OptionGroup var vault: VaultOptions

    @Option(help: "When: now (default), 08:30, yesterday 21:00, 2026-11-27 08:30, or ISO 8601.")
    var at: String = "now"
    @Option(help: "Pain, 0–10.") var pain: String?
    @Option(name: .customLong("region"), help: "Where it hurts (repeat for several; widespread counts).") var regions: [String] = []
    @Option(name: .customLong("quality"), help: "How it feels: aching, burning, deep soreness, … (repeat).") var qualities: [String] = []
    @Option(help: "Stiffness, 0–10.") var stiffness: String?
    @Option(name: .customLong("stiffness-timing"), help: "When stiffness is worst: \"after rest\", \"on waking\" (repeat).")
    var stiffnessTiming: [String] = []
    @Option(help: "Physical fatigue, 0–10.") var fatigue: String?
    @Option(name: .customLong("cognitive-fatigue"), help: "Concentration and fog, 0–10.") var cognitiveFatigue: String?
    @Option(help: "Tenderness to light touch, 0–10.") var tenderness: String?
    @Option(name: .customLong("sleep-hours"), help: "Hours slept last night.") var sleepHours: String?
    @Option(name: .customLong("sleep-quality"), help: "Sleep quality, 0–10.") var sleepQuality: String?
    @Option(help: "Stress, 0–10.") var stress: String?
    @Flag(help: "Mark it as a flare-up.") var flare = false
    @Option(name: .customLong("trigger"), help: "A suspected trigger (repeat).") var triggers: [String] = []
    @Option(help: "A note.") var note: String = ""
    @Flag(help: "Print the new entry as JSON.") var json = false

    func run() throws {
        try reporting {
            // Everything is checked before the vault is opened: a refused entry writes nothing.
            let entry = try SymptomEntry(
                at: HumanTime.parse(at), pain: rating(pain, "pain"), regions: terms(regions, "region"),
                qualities: terms(qualities, "quality"), stiffness: rating(stiffness, "stiffness"),
                stiffnessTiming: terms(stiffnessTiming, "stiffness-timing"), fatigue: rating(fatigue, "fatigue"),
                cognitiveFatigue: rating(cognitiveFatigue, "cognitive-fatigue"), tenderness: rating(tenderness, "tenderness"),
                sleepHours: hours(sleepHours), sleepQuality: rating(sleepQuality, "sleep-quality"), stress: rating(stress, "stress"),
                flare: flare, triggers: terms(triggers, "trigger"), note: note)
            let opened = try vault.open()
            defer { try? opened.close() }
            let id = try Journal(vault: opened).log(entry)
            if json { try printJSON(entry.jsonObject(id: id)) } else { print("Logged \(id).") }
        }
    }
}

func rating(_ text: String?, _ field: String) throws -> Rating? {
    try text.map { text throws(JournalError) in try Rating(parsing: text, field: field) }
}

func terms(_ words: [String], _ field: String) throws -> Set<Term> {
    Set(try words.map { word throws(JournalError) in try Term(word, field: field) })
}

func hours(_ text: String?) throws -> Double? {
    guard let text else { return nil }
    guard let hours = Double(text.trimmingCharacters(in: .whitespaces)) else {
        throw JournalError.invalidValue(field: "sleep-hours", value: text, expected: "a number of hours, like 6.5")
    }
    return hours
}
