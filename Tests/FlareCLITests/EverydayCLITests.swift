import Foundation
import Testing
import TestSupport

/// The frictions of everyday logging on the built `flare`: guided questions, words added and
/// removed one at a time, errors that name the real problem, and one way of reading dates.
@Suite struct EverydayCLITests {
    static func flare(_ arguments: [String], vault: String, input: String? = nil, zone: String = "UTC") throws -> CLITests.Result {
        try CLITests.flare(arguments, vault: vault, input: input, environment: ["TZ": zone])
    }

    static func object(_ result: CLITests.Result) throws -> [String: Any] {
        try #require(result.json as? [String: Any], "\(result.status) \(result.errors)")
    }

    static func records(_ vault: String) throws -> [[String: Any]] {
        try #require(try flare(["list", "--json"], vault: vault).json as? [[String: Any]])
    }

    static func newVault(_ folder: TemporaryFolder) throws -> String {
        let vault = folder.path("journal.flare")
        #expect(try flare(["init", "--device-name", "laptop"], vault: vault).status == 0)
        return vault
    }

    /// Guided logging asks when (Enter keeps now), tenderness, sleep quality and, after a
    /// stiffness above 0, when stiffness is worst; a time too far ahead is asked again.
    @Test func guidedLoggingAsksWhenAndEveryField() throws {
        let folder = try TemporaryFolder()
        let vault = try Self.newVault(folder)
        let answers = [
            "2031-01-01 08:00", "yesterday 08:30", "5", "neck", "", "6", "at noon", "on waking", "4", "", "7", "5.5", "3", "2", "", "", "",
        ]
        let guided = try Self.flare(["log", "--guided", "--json"], vault: vault, input: answers.joined(separator: "\n") + "\n")
        #expect(guided.status == 0, "\(guided.errors)")
        let entry = try Self.object(guided)
        let yesterday = Calendar(identifier: .gregorian).date(byAdding: .day, value: -1, to: Date())!
        let day = ISO8601DateFormatter.string(from: yesterday, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        #expect(entry["at"] as? String == "\(day)T08:30:00Z")
        #expect(entry["pain"] as? Int == 5)
        #expect(entry["stiffness"] as? Int == 6)
        #expect(entry["stiffness_timing"] as? [String] == ["on waking"])
        #expect(entry["fatigue"] as? Int == 4)
        #expect(entry["tenderness"] as? Int == 7)
        #expect(entry["sleep_hours"] as? Double == 5.5)
        #expect(entry["sleep_quality"] as? Int == 3)
        #expect(entry["stress"] as? Int == 2)
        for question in ["When (Enter for now;", "Tenderness to light touch, 0–10:", "Sleep quality, 0–10:", "When is stiffness worst"] {
            #expect(guided.errors.contains(question), "\(question)")
        }
        #expect(guided.errors.contains("--at 2031-01-01 08:00 is"))
        #expect(guided.errors.contains("stiffness_timing must be \"after rest\" or \"on waking\"; \"at noon\" is not."))

        // Enter skips every question, and "when" stays now; no stiffness, no timing question.
        let skipped = try Self.flare(["log", "--guided", "--json"], vault: vault, input: "\n2\n" + String(repeating: "\n", count: 14))
        #expect(skipped.status == 0, "\(skipped.errors)")
        let quick = try Self.object(skipped)
        #expect(quick["pain"] as? Int == 2)
        #expect(quick["stiffness_timing"] == nil)
        #expect(!skipped.errors.contains("When is stiffness worst"))
        let at = try #require(ISO8601DateFormatter().date(from: quick["at"] as? String ?? ""))
        #expect(abs(at.timeIntervalSinceNow) < 600)
    }

    /// On a terminal, guided logging asks for the passphrase before the first question and
    /// again when it is wrong, so no answer is typed for an entry that cannot be written.
    @Test func guidedLoggingAsksThePassphraseFirst() throws {
        let folder = try TemporaryFolder()
        let vault = try Self.newVault(folder)
        let terminal = try TerminalSession(folder, vault: vault, ["log", "--guided"])
        defer { terminal.end() }
        try terminal.answer(prompt: 1, "not the passphrase")
        try terminal.answer(prompt: 2, "a passphrase for tests")
        let asked = try terminal.waitFor("When (Enter for now;")
        #expect(!asked.components(separatedBy: "When (").first!.contains("Pain"), "no question before the passphrase")
        #expect(asked.contains("That passphrase does not unlock this vault; try again."))
        for answer in ["", "6", "neck"] { try terminal.send(answer) }
        try terminal.waitFor("How it feels")
        for _ in 0..<11 { try terminal.send("") }
        let done = try terminal.waitForExit()
        #expect(done.contains("Logged s-"), "\(done)")
        let entries = try Self.records(vault)
        #expect(entries.count == 1)
        #expect(entries.first?["pain"] as? Int == 6)
        #expect(entries.first?["regions"] as? [String] == ["neck"])
    }

    /// `--add-…` and `--remove-…` change one word of a list and keep the rest; a word that is
    /// not there, an unknown region, or replacing and changing one list at once is refused and
    /// changes nothing.
    @Test func wordsAreAddedAndRemovedOneAtATime() throws {
        let folder = try TemporaryFolder()
        let vault = try Self.newVault(folder)
        let entry = try Self.object(try Self.flare(
            ["log", "--pain", "5", "--region", "neck", "--quality", "aching", "--trigger", "poor sleep", "--json"], vault: vault))
        let id = try #require(entry["id"] as? String)

        let added = try Self.object(try Self.flare(
            ["edit", id, "--add-region", "shoulders", "--add-new-region", "ankle", "--add-quality", "burning", "--add-trigger", "cold",
             "--add-stiffness-timing", "on waking", "--json"], vault: vault))
        #expect(added["regions"] as? [String] == ["ankle", "left shoulder girdle", "neck", "right shoulder girdle"])
        #expect(added["qualities"] as? [String] == ["aching", "burning"])
        #expect(added["triggers"] as? [String] == ["cold", "poor sleep"])
        #expect(added["stiffness_timing"] as? [String] == ["on waking"])

        let removed = try Self.object(try Self.flare(
            ["edit", id, "--remove-region", "shoulders", "--remove-region", "ankle", "--remove-trigger", "Poor Sleep", "--json"], vault: vault))
        #expect(removed["regions"] as? [String] == ["neck"])
        #expect(removed["triggers"] as? [String] == ["cold"])
        #expect(removed["qualities"] as? [String] == ["aching", "burning"])

        for (arguments, message) in [
            (["--remove-trigger", "stress"], "flare: \(id) has no trigger \"stress\" to remove; it has \"cold\". Nothing was changed.\n"),
            (["--remove-region", "left hip"], "flare: \(id) has no region \"left hip\" to remove; it has \"neck\". Nothing was changed.\n"),
            (["--add-region", "nek"],
             "flare: Unknown region \"nek\"; did you mean \"neck\"? Use --add-new-region \"nek\" to add it as a place of your own.\n"),
            (["--region", "hips", "--add-region", "neck"],
             "flare: --region replaces the whole list, so it cannot go with --add-region or --remove-region; use one or the other.\n"),
        ] {
            let refused = try Self.flare(["edit", id] + arguments, vault: vault)
            #expect(refused.status == 64, "\(arguments)")
            #expect(refused.errors == message)
        }
        #expect(try Self.flare(["edit", id, "--add-stiffness-timing", "at noon"], vault: vault).status == 65)
        let unchanged = try Self.object(try Self.flare(["show", id, "--json"], vault: vault))
        #expect(unchanged["regions"] as? [String] == ["neck"])
        #expect(unchanged["stiffness_timing"] as? [String] == ["on waking"])

        _ = try Self.flare(["treat", "--kind", "medication", "--name", "Duloxetine"], vault: vault)
        let event = try Self.object(try Self.flare(["took", "duloxetine", "--side-effect", "nausea", "--json"], vault: vault))
        let eventID = try #require(event["id"] as? String)
        let effects = try Self.object(try Self.flare(
            ["edit", eventID, "--add-side-effect", "dry mouth", "--remove-side-effect", "nausea", "--json"], vault: vault))
        #expect(effects["side_effects"] as? [String] == ["dry mouth"])
    }

    /// A negative rating, a field of another kind of record, and a misspelt treatment each
    /// name the real problem and the nearest valid choice.
    @Test func errorsNameTheRealProblem() throws {
        let folder = try TemporaryFolder()
        let vault = try Self.newVault(folder)
        for (arguments, message) in [
            (["log", "--pain", "-1"], "flare: pain must be a whole number from 0 to 10; -1 is outside that.\n"),
            (["log", "--sleep-hours", "-3"], "flare: sleep_hours must be from 0 to 24 hours; -3.0 is outside that.\n"),
            (["checkin", "--mood", "-2"], "flare: mood must be a whole number from 0 to 10; -2 is outside that.\n"),
        ] {
            let refused = try Self.flare(arguments, vault: vault)
            #expect(refused.status == 65, "\(arguments)")
            #expect(refused.errors == message)
        }

        let none = try Self.flare(["took", "Duloxetin"], vault: vault)
        #expect(none.status == 66)
        #expect(none.errors == "flare: No treatment called Duloxetin and no treatment with that id; there are none yet: add one with `flare treat`.\n")
        _ = try Self.flare(["treat", "--kind", "medication", "--name", "Duloxetine"], vault: vault)
        _ = try Self.flare(["treat", "--kind", "gentle movement", "--name", "Walking"], vault: vault)
        let typo = try Self.flare(["took", "Duloxetin"], vault: vault)
        #expect(typo.status == 66)
        #expect(typo.errors == "flare: No treatment called Duloxetin and no treatment with that id; did you mean Duloxetine?\n")
        let far = try Self.flare(["took", "Ibuprofen"], vault: vault)
        #expect(far.errors == "flare: No treatment called Ibuprofen and no treatment with that id; the treatments are Duloxetine, Walking.\n")

        let event = try Self.object(try Self.flare(["took", "walking", "--status", "done", "--json"], vault: vault))
        let eventID = try #require(event["id"] as? String)
        let wrongKind = try Self.flare(["edit", eventID, "--pain", "5"], vault: vault)
        #expect(wrongKind.status == 64)
        #expect(wrongKind.errors.hasPrefix(
            "flare: \(eventID) is a treatment event; --pain is not one of its fields (it is a field of symptom entries). Its fields: --add-side-effect, --at, --dose, --effect,"))
        let misspelt = try Self.flare(["edit", eventID, "--efect", "5"], vault: vault)
        #expect(misspelt.errors.hasPrefix("flare: \(eventID) is a treatment event; --efect is not one of its fields (did you mean --effect?)."))
        let entry = try Self.object(try Self.flare(["log", "--pain", "3", "--json"], vault: vault))
        let onEntry = try Self.flare(["edit", try #require(entry["id"] as? String), "--effect", "5"], vault: vault)
        #expect(onEntry.errors.contains("is a symptom entry; --effect is not one of its fields (it is a field of treatment events)."))
        #expect(try Self.records(vault).count == 4, "nothing refused was written")
    }

    /// A time more than a day ahead is refused unless --future, a time a few hours ahead is
    /// taken with a note; every day option reads the same words; a reversed range is an error;
    /// a day alone means noon where the device is.
    @Test func datesAreReadOneWayAndCheckedAgainstToday() throws {
        let folder = try TemporaryFolder()
        let vault = try Self.newVault(folder)
        let farAhead = try Self.flare(["log", "--pain", "3", "--at", "2031-01-01"], vault: vault)
        #expect(farAhead.status == 64)
        #expect(farAhead.errors.hasPrefix("flare: --at 2031-01-01 12:00 is "))
        #expect(farAhead.errors.hasSuffix(" days ahead; nothing was written. Give --future as well if you mean a time to come.\n"))
        let inFiveDays = ISO8601DateFormatter.string(
            from: Date().addingTimeInterval(5 * 86400), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let checkIn = try Self.flare(["checkin", "--day", inFiveDays, "--pain", "3"], vault: vault)
        #expect(checkIn.status == 64)
        #expect(checkIn.errors.contains("is 5 days ahead; nothing was written."))
        #expect(try Self.flare(["treat", "--kind", "medication", "--name", "Later", "--started", "2031-01-01"], vault: vault).status == 64)
        #expect(try Self.records(vault).isEmpty)

        let planned = try Self.flare(["treat", "--kind", "medication", "--name", "Later", "--started", "2031-01-01", "--future"], vault: vault)
        #expect(planned.status == 0, "\(planned.errors)")
        #expect(planned.errors.contains("flare: note: --started 2031-01-01 12:00 is "))
        let soon = try Self.flare(["log", "--pain", "3", "--at", "tomorrow 00:00"], vault: vault)
        #expect(soon.status == 0, "\(soon.errors)")
        #expect(soon.errors.contains("flare: note: --at "))
        #expect(try Self.flare(["log", "--pain", "4", "--at", "yesterday 20:00"], vault: vault).errors.isEmpty)

        let fromYesterday = try #require(try Self.flare(["list", "--from", "yesterday", "--type", "symptom", "--json"], vault: vault).json as? [[String: Any]])
        #expect(fromYesterday.count == 2)
        for command in [["list"], ["summary"], ["insights"], ["report", "--out", folder.path("r.html")]] {
            let reversed = try Self.flare(command + ["--from", "today", "--to", "yesterday"], vault: vault)
            #expect(reversed.status == 64, "\(command)")
            #expect(reversed.errors.hasPrefix("flare: --from "), "\(command)")
            #expect(reversed.errors.contains("give the earlier day first."), "\(command)")
        }
        let badDay = try Self.flare(["list", "--from", "someday"], vault: vault)
        #expect(badDay.status == 65)
        #expect(badDay.errors == "flare: from must be a day like today, yesterday or 2026-11-27; \"someday\" is not.\n")

        let noon = try Self.object(try Self.flare(["log", "--pain", "2", "--at", "2026-11-27", "--json"], vault: vault, zone: "Europe/Berlin"))
        #expect(noon["at"] as? String == "2026-11-27T12:00:00+01:00")
        #expect(try Self.flare(["log", "--help"], vault: vault).output.contains("a day alone means"))
    }
}
