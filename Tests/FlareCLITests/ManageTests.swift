import FlareStore
import Foundation
import GRDB
import Testing
import TestSupport

@Suite struct ManageTests {
    static func flare(_ arguments: [String], vault: String, environment: [String: String] = [:]) throws -> CLITests.Result {
        try CLITests.flare(arguments, vault: vault, environment: environment)
    }

    @Test func treatmentsEventsHistoryDeleteAndDoctor() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init", "--device-name", "phone"], vault: vault).status == 0)
        let treatment = try #require(try Self.flare(
            ["treat", "--kind", "medication", "--name", "Amitriptyline", "--class", "nerve pain", "--dose", "10 mg", "--json"],
            vault: vault).json as? [String: Any])
        let treatmentID = try #require(treatment["id"] as? String)
        #expect(treatmentID.hasPrefix("t-"))
        #expect(treatment["class"] as? String == "nerve pain")

        let taken = try Self.flare(["took", "amitriptyline", "--effect", "6", "--side-effect", "Dry Mouth", "--json"], vault: vault)
        let event = try #require(taken.json as? [String: Any], "\(taken.errors)")
        #expect((event["id"] as? String)?.hasPrefix("e-") == true)
        #expect(event["treatment"] as? String == treatmentID)
        #expect(event["side_effects"] as? [String] == ["dry mouth"])
        #expect(event["status"] as? String == "taken")

        let unknown = try Self.flare(["took", "ibuprofen"], vault: vault)
        #expect(unknown.status == 66)
        #expect(try Self.flare(["treat", "--kind", "yoga", "--name", "x"], vault: vault).status == 65)
        #expect(try Self.flare(["treat", "--kind", "gentle movement", "--name", "walk", "--class", "sleep aid"], vault: vault).status == 65)

        let logged = try #require(try Self.flare(["log", "--pain", "5", "--json"], vault: vault).json as? [String: Any])
        let entry = try #require(logged["id"] as? String)
        let history = try #require(try Self.flare(["history", entry, "--field", "pain", "--json"], vault: vault).json as? [[String: Any]])
        #expect(history.count == 1)
        #expect(history.first?["device"] as? String == "phone")
        #expect(history.first?["edit"] as? String == "pain = 5")

        #expect(try Self.flare(["delete", entry], vault: vault).status == 0)
        #expect(try Self.flare(["show", entry], vault: vault).status == 66)
        #expect(try Self.flare(["delete", entry], vault: vault).status == 66)

        let relogged = try #require((try Self.flare(["log", "--pain", "3", "--json"], vault: vault).json as? [String: Any])?["id"] as? String)
        #expect(try Self.flare(["edit", relogged, "--pain", "4"], vault: vault).status == 0)
        let undone = try Self.flare(["undo"], vault: vault)
        #expect(undone.output == "Undid a change: \(relogged) has the values it had before that change.\n")
        #expect((try Self.flare(["show", relogged, "--json"], vault: vault).json as? [String: Any])?["pain"] as? Int == 3)

        let doctor = try #require(try Self.flare(["doctor", "--json"], vault: vault).json as? [String: Any])
        #expect(doctor["ok"] as? Bool == true)
        #expect(try Self.flare(["conflicts"], vault: vault).output == "No conflicts.\n")
    }

    /// A JSON export imported into another vault gives the same export; a bad value or an
    /// unknown field refuses the whole file and writes nothing.
    @Test func jsonExportsImportElsewhere() throws {
        let folder = try TemporaryFolder()
        let first = folder.path("first.flare")
        let second = folder.path("second.flare")
        #expect(try Self.flare(["init"], vault: first).status == 0)
        #expect(try Self.flare(["init"], vault: second).status == 0)
        _ = try Self.flare(["log", "--at", "2026-11-23 08:00", "--pain", "6", "--region", "neck", "--note", "stiff, \"very\""], vault: first)
        _ = try Self.flare(["treat", "--kind", "cbt", "--name", "CBT with Sam", "--started", "2026-11-01"], vault: first)
        let exported = try Self.flare(["export", "--output", folder.path("export.json")], vault: first)
        #expect(exported.status == 0)
        let imported = try Self.flare(["import", folder.path("export.json")], vault: second)
        #expect(imported.output == "Imported 2 new records; 0 updated, 0 already as in the file.\n")
        #expect(try Self.flare(["import", folder.path("export.json")], vault: second).output
            == "Imported 0 new records; 0 updated, 2 already as in the file.\n")
        #expect(try Self.flare(["export"], vault: second).output == (try String(contentsOfFile: folder.path("export.json"), encoding: .utf8)))

        let text = try String(contentsOfFile: folder.path("export.json"), encoding: .utf8)
        for (bad, message) in [
            (text.replacingOccurrences(of: "\"pain\" : 6", with: "\"pain\" : 11"), "must be a whole number from 0 to 10; 11 is outside that."),
            (text.replacingOccurrences(of: "\"pain\" : 6", with: "\"pain\" : 6, \"mood\" : 3"), "symptom records have no such field"),
            ("{\"records\": 3}", "\"records\" list"),
            ("not json", "neither a changes file nor JSON"),
        ] {
            try Data(bad.utf8).write(to: URL(fileURLWithPath: folder.path("bad.json")))
            let third = folder.path("third-\(message.count).flare")
            #expect(try Self.flare(["init"], vault: third).status == 0)
            let refused = try Self.flare(["import", folder.path("bad.json")], vault: third)
            #expect(refused.status != 0)
            #expect(refused.errors.contains(message), "\(refused.errors)")
            #expect(try Self.flare(["list", "--json"], vault: third).output == "[]\n")
        }
    }

    /// A command finds the vault held by another process for a moment (a watch syncing): it
    /// waits and goes ahead, saying nothing, instead of refusing.
    @Test func aCommandWaitsForAVaultHeldBriefly() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)
        let holder = try Vault.open(at: vault, passphrase: "a passphrase for tests")
        // Started, not waited for: the holder lets go while the command waits.
        let command = Process()
        command.executableURL = CLITests.binary
        command.arguments = ["log", "--pain", "6"]
        command.environment = ProcessInfo.processInfo.environment.merging(["FLARE_VAULT": vault, "FLARE_PASSPHRASE": "a passphrase for tests"]) { $1 }
        let errors = Pipe()
        command.standardError = errors
        command.standardOutput = FileHandle.nullDevice
        try command.run()
        usleep(500_000)
        try holder.close()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        command.waitUntilExit()
        #expect(command.terminationStatus == 0, "\(said)")
        #expect(said == "")
        let listed = try #require(try Self.flare(["list", "--json"], vault: vault).json as? [[String: Any]])
        #expect(listed.contains { $0["pain"] as? Int == 6 })
    }

    /// A vault open in another process, a damaged vault, a file that is not a vault, a folder
    /// that cannot be written: each one sentence and its exit status, nothing changed.
    @Test func lockedDamagedAndUnwritable() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)
        let id = try #require((try Self.flare(["log", "--pain", "5", "--json"], vault: vault).json as? [String: Any])?["id"] as? String)

        let holder = try Vault.open(at: vault, passphrase: "a passphrase for tests")
        let locked = try Self.flare(["log", "--pain", "6"], vault: vault, environment: ["FLARE_LOCK_WAIT": "3"])
        #expect(locked.status == 75)
        #expect(locked.errors == """
            flare: waiting for another flare process (a sync?) to finish with the vault…
            flare: The vault at \(vault) is in use by another flare process (a sync in progress, or a command still running); \
            try again when it is done.

            """)
        try holder.close()

        // A byte of the stored change flipped by something outside Flare.
        let database = try DatabaseQueue(path: vault)
        try database.write { db in
            let row = try Row.fetchOne(db, sql: "SELECT position, sealed FROM change_run ORDER BY position DESC LIMIT 1")!
            var sealed = row["sealed"] as Data
            sealed[sealed.count / 2] ^= 1
            try db.execute(sql: "UPDATE change_run SET sealed = ? WHERE position = ?", arguments: [sealed, row["position"] as Int64])
        }
        try database.close()
        let damaged = try Self.flare(["show", id], vault: vault)
        #expect(damaged.status == 74)
        #expect(damaged.errors.hasPrefix("flare: The vault is damaged: change_run row "))

        let text = folder.path("notes.txt")
        try Data("shopping list".utf8).write(to: URL(fileURLWithPath: text))
        let notVault = try Self.flare(["list"], vault: text)
        #expect(notVault.status == 65)
        #expect(notVault.errors == "flare: \(text) is not a Flare vault.\n")

        let blocked = folder.path("blocked")
        try Data().write(to: URL(fileURLWithPath: blocked))
        let unwritable = try Self.flare(["init"], vault: blocked + "/journal.flare")
        #expect(unwritable.status == 73)
        #expect(unwritable.errors == "flare: Cannot create a vault at \(blocked)/journal.flare: \(blocked) is a file, not a folder.\n")
    }

    /// The demo journal in seeds/ (made by Tools/make-demo-journal.py) imports cleanly.
    @Test func theDemoJournalImports() throws {
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("seeds/demo")
        let folder = try TemporaryFolder()
        let vault = folder.path("demo.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)
        for device in ["phone", "laptop"] {
            let imported = try Self.flare(["import", seeds.appendingPathComponent("\(device).json").path], vault: vault)
            #expect(imported.status == 0, "\(imported.errors)")
            #expect(imported.output.hasPrefix("Imported "))
        }
        let weeks = try #require(try Self.flare(["summary", "--week", "--json"], vault: vault).json as? [[String: Any]])
        #expect(weeks.count == 12)
        #expect(weeks.contains { ($0["flare_up_days"] as? Int ?? 0) > 0 })
    }

    @Test func editingTreatmentsEventsAndCheckIns() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)
        let treatment = try #require((try Self.flare(
            ["treat", "--kind", "medication", "--name", "Pregabalin", "--started", "2026-11-01", "--json"], vault: vault).json as? [String: Any])?["id"] as? String)
        let stopped = try #require(try Self.flare(["edit", treatment, "--stopped", "2026-11-20", "--json"], vault: vault).json as? [String: Any])
        #expect((stopped["stopped"] as? String)?.hasPrefix("2026-11-20") == true)
        #expect(stopped["name"] as? String == "Pregabalin")
        let early = try Self.flare(["edit", treatment, "--stopped", "2026-10-01"], vault: vault)
        #expect(early.status == 65)
        #expect(early.errors.contains("stopped must be at or after the start"))
        #expect(try Self.flare(["edit", treatment, "--pain", "3"], vault: vault).status == 64)

        let event = try #require((try Self.flare(["took", "pregabalin", "--json"], vault: vault).json as? [String: Any])?["id"] as? String)
        let skipped = try #require(try Self.flare(["edit", event, "--status", "skipped", "--json"], vault: vault).json as? [String: Any])
        #expect(skipped["status"] as? String == "skipped")
        #expect(try Self.flare(["edit", event, "--status", "skipped"], vault: vault).output == "Nothing to change in \(event).\n")

        #expect(try Self.flare(["checkin", "--day", "2026-11-20", "--pain", "4"], vault: vault).status == 0)
        let merged = try #require(try Self.flare(["checkin", "--day", "2026-11-20", "--mood", "6", "--json"], vault: vault).json as? [String: Any])
        #expect(merged["pain"] as? Int == 4)
        #expect(merged["mood"] as? Int == 6)
        #expect(try Self.flare(["checkin", "--day", "2026-13-01"], vault: vault).status == 65)
        let checkIn = try Self.flare(["edit", "check-in-2026-11-20", "--pain", "2"], vault: vault)
        #expect(checkIn.status == 64)
        #expect(checkIn.errors.contains("`flare edit` changes symptom entries, treatments and treatment events"))
    }

    @Test func daySummariesAndWeeks() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)
        for (at, pain) in [("2026-11-23 08:00", "6"), ("2026-11-23 20:00", "8"), ("2026-11-25 09:00", "3")] {
            #expect(try Self.flare(["log", "--at", at, "--pain", pain, "--flare"], vault: vault).status == 0)
        }
        let days = try #require(try Self.flare(["summary", "--json"], vault: vault).json as? [[String: Any]])
        #expect(days.map { $0["day"] as? String } == ["2026-11-23", "2026-11-25"])
        #expect(days.first?["mean_pain"] as? Double == 7)
        #expect(days.first?["max_pain"] as? Int == 8)
        #expect(days.first?["flare_up"] as? Bool == true)
        let weeks = try #require(try Self.flare(["summary", "--week", "--json"], vault: vault).json as? [[String: Any]])
        #expect(weeks.count == 1)
        #expect(weeks.first?["mean_pain"] as? Double == 5)
        #expect(weeks.first?["flare_up_days"] as? Int == 2, "two days, though three entries are marked")
        #expect(try Self.flare(["summary", "--from", "2026-11-24"], vault: vault).output == "2026-11-25  1 entry · pain 3.0 (worst 3) · flare-up\n")
        #expect(try Self.flare(["summary", "--week"], vault: vault).output
            == "week of 2026-11-23  2 days logged · 3 entries · pain 5.0 · 2 flare-up days\n")
        #expect(try Self.flare(["summary", "--from", "someday"], vault: vault).status == 65)
    }

    /// Two devices of one vault exchange a changes file both ways, edit one entry apart, and
    /// end with byte-identical JSON exports and one conflict, which resolving clears.
    @Test func twoDevicesByFileConvergeAndResolveAConflict() throws {
        let folder = try TemporaryFolder()
        let phone = folder.path("phone.flare")
        let laptop = folder.path("laptop.flare")
        let code = try #require((try Self.flare(["init", "--device-name", "phone", "--json"], vault: phone).json as? [String: Any])?["pairing_code"] as? String)
        #expect(try Self.flare(["join", code, "--device-name", "laptop"], vault: laptop).status == 0)
        let entry = try #require((try Self.flare(["log", "--pain", "6", "--region", "neck", "--json"], vault: phone).json as? [String: Any])?["id"] as? String)

        func exchange() throws {
            #expect(try Self.flare(["export", "--format", "changes", "--output", folder.path("phone.flx")], vault: phone).status == 0)
            #expect(try Self.flare(["export", "--format", "changes", "--output", folder.path("laptop.flx")], vault: laptop).status == 0)
            #expect(try Self.flare(["import", folder.path("phone.flx")], vault: laptop).status == 0)
            #expect(try Self.flare(["import", folder.path("laptop.flx")], vault: phone).status == 0)
        }
        try exchange()
        #expect(try Self.flare(["show", entry], vault: laptop).status == 0)

        // Apart: both change the pain, the laptop adds a region.
        #expect(try Self.flare(["conflicts", "resolve", entry, "pain", "7"], vault: phone).status == 64)
        _ = try Self.flare(["log", "--pain", "1"], vault: laptop)
        try editPain(entry, to: 8, vault: phone)
        try editPain(entry, to: 4, vault: laptop)
        try exchange()

        let phoneExport = try Self.flare(["export", "--format", "json"], vault: phone)
        let laptopExport = try Self.flare(["export", "--format", "json"], vault: laptop)
        #expect(phoneExport.status == 0)
        #expect(phoneExport.output == laptopExport.output)
        let conflicts = try #require(try Self.flare(["conflicts", "--json"], vault: phone).json as? [[String: Any]])
        #expect(conflicts.count == 1)
        #expect(conflicts.first?["field"] as? String == "pain")
        #expect(try Self.flare(["conflicts", "resolve", entry, "pain", "5"], vault: phone).status == 64)
        #expect(try Self.flare(["conflicts", "resolve", entry, "pain", "4"], vault: phone).status == 0)
        try exchange()
        #expect(try Self.flare(["conflicts"], vault: laptop).output == "No conflicts.\n")
        let resolved = try #require(try Self.flare(["show", entry, "--json"], vault: laptop).json as? [String: Any])
        #expect(resolved["pain"] as? Int == 4)

        let csv = try Self.flare(["export", "--format", "csv"], vault: phone).output
        #expect(csv.hasPrefix("id,type,at,"))
        #expect(csv.components(separatedBy: "\r\n").count == 4)  // header, two entries, final newline
    }

    /// Sets the pain of `entry` with `flare edit`.
    func editPain(_ entry: String, to pain: Int, vault: String) throws {
        let edited = try Self.flare(["edit", entry, "--pain", String(pain)], vault: vault)
        #expect(edited.status == 0, "\(edited.errors)")
    }
}
