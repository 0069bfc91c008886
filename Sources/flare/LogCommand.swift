import ArgumentParser
import FlareJournal
import FlareStore
import Foundation

/// The fields of a symptom entry as flags, one per field, shared by `log` and `edit`. A flag
/// given sets its field (lists are replaced by the values given); a flag left out leaves it.
struct SymptomOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Pain, 0–10.") var pain: String?
    @Option(
        name: .customLong("region"),
        help: "Where it hurts (repeat): a region such as neck, \"lower back\", \"left hip\"; shoulders, hips, thighs for both sides; head, hands, feet, knees; widespread.")
    var regions: [String] = []
    @Option(name: .customLong("new-region"), help: "A place Flare does not know, logged as you write it (repeat).")
    var newRegions: [String] = []
    @Option(name: .customLong("quality"), help: "How it feels: aching, burning, deep soreness, … (repeat).") var qualities: [String] = []
    @Option(parsing: .unconditional, help: "Stiffness, 0–10.") var stiffness: String?
    @Option(name: .customLong("stiffness-timing"), help: "When stiffness is worst: \"after rest\", \"on waking\" (repeat).")
    var stiffnessTiming: [String] = []
    @Option(parsing: .unconditional, help: "Physical fatigue, 0–10.") var fatigue: String?
    @Option(name: .customLong("cognitive-fatigue"), parsing: .unconditional, help: "Concentration and fog, 0–10.") var cognitiveFatigue: String?
    @Option(parsing: .unconditional, help: "Tenderness to light touch, 0–10.") var tenderness: String?
    @Option(name: .customLong("sleep-hours"), parsing: .unconditional, help: "Hours slept last night.") var sleepHours: String?
    @Option(name: .customLong("sleep-quality"), parsing: .unconditional, help: "Sleep quality, 0–10.") var sleepQuality: String?
    @Option(parsing: .unconditional, help: "Stress, 0–10.") var stress: String?
    @Flag(inversion: .prefixedNo, help: "Whether it is a flare-up.") var flare: Bool?
    @Option(name: .customLong("trigger"), help: "A suspected trigger (repeat).") var triggers: [String] = []
    @Option(help: "A note.") var note: String?

    /// Whether no field was given.
    var isEmpty: Bool {
        [pain, stiffness, fatigue, cognitiveFatigue, tenderness, sleepHours, sleepQuality, stress, note].allSatisfy { $0 == nil }
            && regions.isEmpty && newRegions.isEmpty && qualities.isEmpty && stiffnessTiming.isEmpty && triggers.isEmpty && flare == nil
    }

    /// `entry` with the given fields set, checked as a new entry would be.
    func applied(to entry: SymptomEntry) throws -> SymptomEntry {
        try SymptomEntry(
            at: entry.at,
            pain: pain == nil ? entry.pain : rating(pain, "pain"),
            regions: regions.isEmpty && newRegions.isEmpty ? entry.regions : regionWords(regions, new: newRegions),
            qualities: qualities.isEmpty ? entry.qualities : terms(qualities, "quality"),
            stiffness: stiffness == nil ? entry.stiffness : rating(stiffness, "stiffness"),
            stiffnessTiming: stiffnessTiming.isEmpty ? entry.stiffnessTiming : terms(stiffnessTiming, "stiffness-timing"),
            fatigue: fatigue == nil ? entry.fatigue : rating(fatigue, "fatigue"),
            cognitiveFatigue: cognitiveFatigue == nil ? entry.cognitiveFatigue : rating(cognitiveFatigue, "cognitive-fatigue"),
            tenderness: tenderness == nil ? entry.tenderness : rating(tenderness, "tenderness"),
            sleepHours: sleepHours == nil ? entry.sleepHours : hours(sleepHours),
            sleepQuality: sleepQuality == nil ? entry.sleepQuality : rating(sleepQuality, "sleep-quality"),
            stress: stress == nil ? entry.stress : rating(stress, "stress"),
            flare: flare ?? entry.flare,
            triggers: triggers.isEmpty ? entry.triggers : terms(triggers, "trigger"),
            note: note ?? entry.note)
    }
}

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log how you feel now (or at --at): one flag per field, any you like.",
        discussion: """
            Example: flare log --pain 6 --region neck --region "lower back" --quality aching \
            --fatigue 7 --note "woke stiff"

            Ratings are whole numbers from 0 to 10. Regions are the 19 of the Widespread Pain \
            Index (\(BodyRegion.allCases.map(\.rawValue).joined(separator: ", "))), and \
            \(BodyRegion.otherPlaces.joined(separator: ", ")) and \(BodyRegion.widespread). \
            Common words are stored as the regions they mean: shoulders as left and right \
            shoulder girdle, hips, thighs, calves, arms, legs, back likewise, "left thigh" as left \
            upper leg. A word Flare does not know is refused with the nearest known one; \
            --new-region logs it as a place of your own. Qualities and triggers are open: use the \
            suggested words (\(Vocabulary.qualities.prefix(3).joined(separator: ", ")), …) or your \
            own.
            """
    )

    @OptionGroup var vault: VaultOptions
    @Option(help: "When: now (default), 08:30, yesterday 21:00, 2026-11-27 08:30, or ISO 8601; a day alone means noon.")
    var at: String = "now"
    @OptionGroup var future: FutureOption
    @OptionGroup var fields: SymptomOptions
    @Flag(help: "Ask for each field in turn (the default on a terminal when no field is given).") var guided = false
    @Flag(help: "Print the new entry as JSON.") var json = false

    func run() throws {
        try reporting {
            guard guided || fields.isEmpty else {
                // Everything is checked before the vault is opened: a refused entry writes nothing.
                let entry = try fields.applied(to: SymptomEntry(at: HumanTime.moment(at, field: "at", future: future.future)))
                try vault.withVault { opened in try write(entry, to: opened) }
                return
            }
            guard guided || isatty(STDIN_FILENO) == 1 else {
                throw CLIError.usage("Give at least one field (e.g. --pain 6), or answer questions with `flare log --guided`.")
            }
            // The vault is opened (and a mistyped passphrase asked again) before the first
            // question, so no answer is typed for an entry that then cannot be written.
            try vault.withVault { opened in
                var questions = GuidedLog(future: future.future)
                let answers = try questions.ask(defaultTime: at)
                let entry = try SymptomOptions.parse(answers.flags).applied(to: SymptomEntry(at: answers.at))
                try write(entry, to: opened)
            }
        }
    }

    private func write(_ entry: SymptomEntry, to opened: Vault) throws {
        let id = try Journal(vault: opened).log(entry)
        if json { try printJSON(entry.jsonObject(id: id)) } else { print("Logged \(id).") }
    }
}

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change fields of a record; fields not given stay as they are.",
        discussion: """
            For a symptom entry, give the flags of `flare log` (and --at); for a treatment, those \
            of `flare treat` except --kind; for a treatment event, those of `flare took`; a \
            check-in is changed by `flare checkin` for its day. Only the fields that change are \
            written, so edits made elsewhere to other fields are kept. \
            Example: flare edit s-k2m9x4qa --pain 7 --no-flare

            --region (and --quality, --stiffness-timing, --trigger, --side-effect) replaces the \
            whole list; --add-region and --remove-region (and --add-quality, --remove-trigger, …) \
            change one word and keep the rest; --add-new-region adds a place of your own. \
            Example: flare edit s-k2m9x4qa --add-region "left hip" --remove-trigger cold

            A new --dose for a treatment is also kept in its dose history, as a dose change dated \
            now or at --at (flare list shows it). Example: flare edit t-jyg15gta --dose "25 mg" \
            --at 2026-12-01
            """)

    @Argument(help: "The record's id.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "The fields to change; also --vault, --passphrase-file, --json.")
    var flags: [String] = []

    struct SymptomEdit: ParsableArguments {
        @OptionGroup var vault: VaultOptions
        @Option var at: String?
        @OptionGroup var future: FutureOption
        @OptionGroup var fields: SymptomOptions
        @OptionGroup var lists: SymptomListEdits
        @Flag var json = false
    }

    struct TreatmentEdit: ParsableArguments {
        @OptionGroup var vault: VaultOptions
        @OptionGroup var fields: TreatmentOptions
        @Option var at: String?
        @Flag var json = false
    }

    struct EventEdit: ParsableArguments {
        @OptionGroup var vault: VaultOptions
        @OptionGroup var fields: EventOptions
        @OptionGroup var lists: EventListEdits
        @Flag var json = false
    }

    func run() throws {
        try reporting {
            try VaultOptions.parse(vaultFlags).withVault { opened in
                let journal = Journal(vault: opened)
                guard let type = opened.replica.document(id)?.type else { throw JournalError.unknownRecord(id) }
                let changed: Bool
                let object: [String: Any]
                let json: Bool
                var doseChange = ""
                switch type {
                case SymptomEntry.recordType:
                    let edit = try parse(SymptomEdit.self)
                    let stored = try journal.stored(id, as: SymptomEntry.self).record
                    var entry = try edit.fields.applied(to: edit.lists.applied(to: stored, id: id, replacing: edit.fields))
                    if let at = edit.at { entry.at = try HumanTime.moment(at, field: "at", future: edit.future.future) }
                    (changed, object, json) = (try journal.update(id, to: entry), entry.jsonObject(id: id), edit.json)
                case Treatment.recordType:
                    let edit = try parse(TreatmentEdit.self)
                    guard edit.at == nil || edit.fields.dose != nil else {
                        throw CLIError.usage("--at dates a dose change; give the new --dose with it.")
                    }
                    let before = try journal.stored(id, as: Treatment.self).record
                    let treatment = try edit.fields.applied(to: before)
                    let at = try edit.at.map { try HumanTime.moment($0, field: "at", future: edit.fields.future.future) } ?? Moment(Date())
                    let result = try journal.update(treatment: id, to: treatment, doseChangedAt: at)
                    if let recorded = result.doseChange, let dose = treatment.dose {
                        doseChange = "; dose \(before.dose ?? "none") → \(dose) from \(at.day), as \(recorded)"
                    }
                    (changed, object, json) = (result.changed, treatment.jsonObject(id: id), edit.json)
                case TreatmentEvent.recordType:
                    let edit = try parse(EventEdit.self)
                    let stored = try journal.stored(id, as: TreatmentEvent.self).record
                    let event = try edit.fields.applied(to: edit.lists.applied(to: stored, id: id, replacing: edit.fields))
                    (changed, object, json) = (try journal.update(id, to: event), event.jsonObject(id: id), edit.json)
                default:
                    throw CLIError.usage("\(id) is a \(type); `flare edit` changes symptom entries, treatments and treatment events.")
                }
                if json { try printJSON(object) } else { print(changed ? "Updated \(id)\(doseChange)." : "Nothing to change in \(id).") }
            }
        }
    }

    /// The flags, read as `Edit`'s fields for one type of record. A flag that belongs to
    /// another type of record is named as such, with the flags this one takes: ArgumentParser
    /// alone would suggest the nearest spelling, which is the wrong advice here.
    private func parse<Fields: ParsableArguments>(_ type: Fields.Type) throws -> Fields {
        do {
            return try Fields.parse(flags)
        } catch {
            let message = Fields.message(for: error)
            guard let unknown = message.firstMatch(of: /Unknown option '(--[a-z-]+)'/)?.1 else { throw CLIError.usage(message) }
            let kinds: [(name: String, flags: Set<String>)] = [
                ("symptom entries", Self.fieldFlags(SymptomEdit.self)), ("treatments", Self.fieldFlags(TreatmentEdit.self)),
                ("treatment events", Self.fieldFlags(EventEdit.self)),
            ]
            let own = Self.fieldFlags(Fields.self)
            let owner = kinds.first { $0.flags.contains(String(unknown)) }.map { " (it is a field of \($0.name))" }
                ?? Spelling.nearest(to: String(unknown), among: own).map { " (did you mean \($0)?)" } ?? ""
            throw CLIError.usage(
                "\(id) is \(Self.article(of: Fields.self)); \(unknown) is not one of its fields\(owner). Its fields: \(own.sorted().joined(separator: ", ")).")
        }
    }

    /// The flags that set fields, as the help of `Fields` lists them.
    private static func fieldFlags<Fields: ParsableArguments>(_ type: Fields.Type) -> Set<String> {
        let general: Set<String> = ["--vault", "--passphrase-file", "--json", "--help", "--future"]
        return Set(Fields.helpMessage().matches(of: /--[a-z][a-z-]*/).map { String($0.output) }).subtracting(general)
    }

    private static func article<Fields: ParsableArguments>(of type: Fields.Type) -> String {
        switch type {
        case is SymptomEdit.Type: return "a symptom entry"
        case is TreatmentEdit.Type: return "a treatment"
        default: return "a treatment event"
        }
    }

    /// `--vault` and `--passphrase-file` with their values, found among the flags.
    private var vaultFlags: [String] {
        var found: [String] = []
        var index = 0
        while index < flags.count {
            let flag = flags[index]
            if ["--vault", "--passphrase-file"].contains(flag), index + 1 < flags.count {
                found += [flag, flags[index + 1]]
                index += 2
                continue
            }
            if flag.hasPrefix("--vault=") || flag.hasPrefix("--passphrase-file=") { found.append(flag) }
            index += 1
        }
        return found
    }
}

func rating(_ text: String?, _ field: String) throws -> Rating? {
    try text.map { text throws(JournalError) in try Rating(parsing: text, field: field) }
}

func terms(_ words: [String], _ field: String) throws -> Set<Term> { Set(try termList(words, field)) }

/// `words` as terms of `field`, in the order given.
func termList(_ words: [String], _ field: String) throws(JournalError) -> [Term] {
    try words.map { word throws(JournalError) in try Term(word, field: field) }
}

/// The words given as `--region` and `--new-region`, as the journal stores them; the first
/// unknown `--region` word, in the order given, is the one refused.
func regionWords(_ known: [String], new: [String]) throws -> Set<Term> {
    try BodyRegion.storedWords(known: termList(known, "region"), new: termList(new, "new-region"))
}

func hours(_ text: String?) throws -> Double? {
    guard let text else { return nil }
    guard let hours = Double(text.trimmingCharacters(in: .whitespaces)) else {
        throw JournalError.invalidValue(field: "sleep-hours", value: text, expected: "a number of hours, like 6.5")
    }
    return hours
}

/// `flare log --guided`: one question per field on standard error, answers read line by line
/// from standard input (a person at a terminal, or a script). An empty answer skips the field
/// (or, for when, keeps the default); an answer that cannot be used is explained and asked
/// again, checked with the answers before it as the entry will be, so an entry whose questions
/// were all answered is always written; the end of input stops asking.
struct GuidedLog {
    /// Whether a time more than a day ahead is taken (`--future`).
    let future: Bool
    private var finished = false
    private var at = Moment(Date())
    private var flags: [String] = []

    init(future: Bool) { self.future = future }

    /// The answers: when, and the fields as the flags `flare log` would have been given.
    /// `defaultTime` (`--at`, usually "now") is the time an empty answer to "when" keeps.
    mutating func ask(defaultTime: String) throws -> (at: Moment, flags: [String]) {
        var when = try HumanTime.moment(defaultTime, field: "at", future: future)
        _ = answer("When (Enter for \(defaultTime); e.g. 08:30, yesterday 21:00, 2026-11-27 08:30)") { [future] text in
            when = try HumanTime.moment(text, field: "at", future: future)
        }
        at = when
        field("Pain, 0–10", "--pain")
        flags += regions()
        words("How it feels (e.g. \(Vocabulary.qualities.prefix(3).joined(separator: ", ")))", "--quality")
        if let stiffness = field("Stiffness, 0–10", "--stiffness"), stiffness != "0" {
            words("When is stiffness worst (\(SymptomEntry.stiffnessTimings.joined(separator: ", ")))", "--stiffness-timing")
        }
        field("Physical fatigue, 0–10", "--fatigue")
        field("Concentration and fog, 0–10", "--cognitive-fatigue")
        field("Tenderness to light touch, 0–10", "--tenderness")
        field("Hours slept last night", "--sleep-hours")
        field("Sleep quality, 0–10", "--sleep-quality")
        field("Stress, 0–10", "--stress")
        if let flare = yesOrNo("A flare-up?") { flags.append(flare ? "--flare" : "--no-flare") }
        words("Suspected triggers (comma-separated)", "--trigger")
        field("Note", "--note")
        return (at, flags)
    }

    /// `flags`, checked as `flare log` would check them for an entry at `at`.
    private static func check(_ flags: [String], at: Moment) throws {
        let options: SymptomOptions
        do { options = try SymptomOptions.parse(flags) } catch { throw CLIError.usage(SymptomOptions.message(for: error)) }
        _ = try options.applied(to: SymptomEntry(at: at))
    }

    /// Asks for one value of `flag`; the answer, or nil when skipped.
    @discardableResult
    private mutating func field(_ question: String, _ flag: String) -> String? {
        let (before, at) = (flags, at)
        let checked = answer(question) { text in try Self.check(before + [flag, text], at: at) }
        if let checked { flags += [flag, checked] }
        return checked
    }

    /// Asks for a comma-separated list of `flag` values.
    private mutating func words(_ question: String, _ flag: String) {
        let (before, at) = (flags, at)
        var given: [String] = []
        let answered = answer(question) { text in
            given = try termList(text.split(separator: ",").map(String.init), String(flag.dropFirst(2))).flatMap { [flag, $0.text] }
            try Self.check(before + given, at: at)
        }
        if answered != nil { flags += given }
    }

    private mutating func list(_ question: String, field: String) -> [Term] {
        var words: [Term] = []
        _ = answer(question) { text in
            words = try termList(text.split(separator: ",").map(String.init), field)
        }
        return words
    }

    /// Where it hurts, as `--region` and `--new-region` flags. A word Flare does not know is
    /// named with the nearest known one and logged as a new region only if the person says so;
    /// otherwise the question is asked again.
    private mutating func regions() -> [String] {
        asking: while !finished {
            var flags: [String] = []
            for word in list("Where (comma-separated; e.g. neck, lower back, shoulders, left hip, widespread)", field: "region") {
                if BodyRegion.isKnown(word) {
                    flags += ["--region", word.text]
                    continue
                }
                let hint = BodyRegion.suggestion(for: word).map { " (did you mean \"\($0)\"?)" } ?? ""
                guard yesOrNo("\"\(word)\" is not a region Flare knows\(hint). Log it as a new region?") == true else { continue asking }
                flags += ["--new-region", word.text]
            }
            return flags
        }
        return []
    }

    /// A y/n question; nil for an empty answer or the end of input.
    private mutating func yesOrNo(_ question: String) -> Bool? {
        let answered = answer(question + " y/n") { text in
            guard ["y", "yes", "n", "no"].contains(text.lowercased()) else { throw CLIError.usage("Answer y or n.") }
        }
        return answered.map { $0.lowercased().hasPrefix("y") }
    }

    /// Asks until the answer passes `check`; nil for an empty answer or the end of input.
    private mutating func answer(_ question: String, check: (String) throws -> Void) -> String? {
        while !finished {
            FileHandle.standardError.write(Data("\(question): ".utf8))
            guard let line = readLine() else {
                finished = true
                FileHandle.standardError.write(Data("\n".utf8))
                return nil
            }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            do {
                try check(text)
                return text
            } catch {
                FileHandle.standardError.write(Data("  \(error)\n".utf8))
            }
        }
        return nil
    }
}

