import Foundation
import Testing
import TestSupport

/// What a merge tells the person, on the built `flare`, with two devices of one vault that
/// exchange changes files: records a delete did not remove, notes both devices rewrote (listed
/// and resolved), equal values that are no conflict, history in people's words, and undo.
@Suite struct MergeCLITests {
    static func flare(_ arguments: [String], vault: String, input: String? = nil) throws -> CLITests.Result {
        try CLITests.flare(arguments, vault: vault, input: input, environment: ["TZ": "UTC"])
    }

    /// Two devices of one vault, each having seen the other's first changes.
    static func pair(in folder: TemporaryFolder) throws -> (phone: String, laptop: String) {
        let phone = folder.path("phone.flare")
        let laptop = folder.path("laptop.flare")
        let created = try flare(["init", "--device-name", "phone", "--json"], vault: phone)
        let code = try #require((created.json as? [String: Any])?["pairing_code"] as? String)
        #expect(try flare(["join", code, "--device-name", "laptop"], vault: laptop).status == 0)
        return (phone, laptop)
    }

    /// Sends what `from` holds to `to` as a changes file; the import's output.
    static func send(_ from: String, to: String, folder: TemporaryFolder) throws -> CLITests.Result {
        let file = folder.path("changes-\(UUID().uuidString).flx")
        #expect(try flare(["export", "--format", "changes", "--output", file], vault: from).status == 0)
        let imported = try flare(["import", file], vault: to)
        #expect(imported.status == 0, "\(imported.errors)")
        return imported
    }

    static func id(_ result: CLITests.Result) throws -> String {
        try #require((result.json as? [String: Any])?["id"] as? String, "\(result.errors)")
    }

    /// A record deleted on one device while the other edited it stays, and both devices are told.
    @Test func aDeleteThatAnEditOutlivedIsReported() throws {
        let folder = try TemporaryFolder()
        let (phone, laptop) = try Self.pair(in: folder)
        let entry = try Self.id(try Self.flare(["log", "--pain", "4", "--json"], vault: phone))
        _ = try Self.send(phone, to: laptop, folder: folder)
        #expect(try Self.flare(["delete", entry], vault: phone).output == "Deleted \(entry); flare undo brings it back.\n")
        #expect(try Self.flare(["edit", entry, "--pain", "7"], vault: laptop).status == 0)

        let onLaptop = try Self.send(phone, to: laptop, folder: folder)
        let sentence = "Kept \(entry) (symptom): it was deleted on phone while laptop edited it, so it stays and nothing typed is lost; flare delete \(entry) if it should go."
        #expect(onLaptop.output.contains(sentence), "\(onLaptop.output)")
        let onPhone = try Self.send(laptop, to: phone, folder: folder)
        #expect(onPhone.output.contains(sentence), "\(onPhone.output)")
        let shown = try #require(try Self.flare(["show", entry, "--json"], vault: phone).json as? [String: Any])
        #expect(shown["pain"] as? Int == 7)
        // Told once: a later import that brings nothing new says nothing of it.
        #expect(!(try Self.send(laptop, to: phone, folder: folder)).output.contains("Kept"))
    }

    /// Both devices rewrote the same note apart: the merge keeps both texts, and `conflicts`
    /// names the record with each device's version until one is chosen (or a new text given).
    @Test func overlappingNoteEditsAreShownAndResolved() throws {
        let folder = try TemporaryFolder()
        let (phone, laptop) = try Self.pair(in: folder)
        let entry = try Self.id(try Self.flare(["log", "--pain", "4", "--note", "woke stiff", "--json"], vault: phone))
        _ = try Self.send(phone, to: laptop, folder: folder)
        #expect(try Self.flare(["edit", entry, "--note", "slept badly, hips ached"], vault: phone).status == 0)
        #expect(try Self.flare(["edit", entry, "--note", "better day overall"], vault: laptop).status == 0)

        let merged = try Self.send(laptop, to: phone, folder: folder)
        #expect(merged.output.contains("\(entry)  note: rewritten on 2 devices at once; each version, and the text now:"), "\(merged.output)")
        #expect(merged.output.contains("laptop  \"better day overall\""))
        #expect(merged.output.contains("phone   \"slept badly, hips ached\""))
        let listed = try #require(try Self.flare(["conflicts", "--json"], vault: phone).json as? [[String: Any]])
        let note = try #require(listed.first { $0["kind"] as? String == "text" })
        #expect(note["id"] as? String == entry)
        let versions = try #require(note["versions"] as? [[String: Any]])
        #expect(Set(versions.compactMap { $0["device"] as? String }) == ["phone", "laptop"])
        #expect(Set(versions.compactMap { $0["text"] as? String }) == ["slept badly, hips ached", "better day overall"])
        let shown = try #require(note["shown"] as? String)
        #expect(shown.contains("slept badly, hips ached") && shown.contains("better day overall"), "nothing typed is lost")

        let wrong = try Self.flare(["conflicts", "resolve", entry, "note", "tablet"], vault: phone)
        #expect(wrong.status == 64)
        #expect(wrong.errors.contains("tablet is not one of the versions of note: choose"))
        let chosen = try Self.flare(["conflicts", "resolve", entry, "note", "laptop"], vault: phone)
        #expect(chosen.output == "\(entry) note is now \"better day overall\".\n", "\(chosen.errors)")
        #expect(try Self.flare(["conflicts"], vault: phone).output == "No conflicts.\n")
        _ = try Self.send(phone, to: laptop, folder: folder)
        #expect(try Self.flare(["conflicts"], vault: laptop).output == "No conflicts.\n")
        let settled = try #require(try Self.flare(["show", entry, "--json"], vault: laptop).json as? [String: Any])
        #expect(settled["note"] as? String == "better day overall")

        // Again, settled with a new text this time.
        #expect(try Self.flare(["edit", entry, "--note", "one"], vault: phone).status == 0)
        #expect(try Self.flare(["edit", entry, "--note", "two"], vault: laptop).status == 0)
        _ = try Self.send(laptop, to: phone, folder: folder)
        let written = try Self.flare(["conflicts", "resolve", entry, "note", "--text", "one, then two"], vault: phone)
        #expect(written.status == 0, "\(written.errors)")
        #expect(try Self.flare(["conflicts"], vault: phone).output == "No conflicts.\n")
        // Edits of different stretches merge without a word.
        #expect(try Self.flare(["edit", entry, "--note", "one, then two!"], vault: phone).status == 0)
        _ = try Self.send(phone, to: laptop, folder: folder)
        #expect(try Self.flare(["edit", entry, "--note", "One, then two!"], vault: laptop).status == 0)
        #expect(try Self.flare(["edit", entry, "--note", "one, then two!!"], vault: phone).status == 0)
        #expect(!(try Self.send(laptop, to: phone, folder: folder)).output.contains("rewritten"))
    }

    /// Two devices checking in on one day with the same pain: no conflict, and the check-in
    /// holds no day field either device wrote. Different values remain a conflict, shown and
    /// resolved in people's words; history shows times, not seconds.
    @Test func equalValuesAreNoConflictAndValuesReadAsPeopleWriteThem() throws {
        let folder = try TemporaryFolder()
        let (phone, laptop) = try Self.pair(in: folder)
        #expect(try Self.flare(["checkin", "--day", "2026-11-27", "--pain", "4"], vault: phone).status == 0)
        #expect(try Self.flare(["checkin", "--day", "2026-11-27", "--pain", "4", "--mood", "6"], vault: laptop).status == 0)
        let entry = try Self.id(try Self.flare(["log", "--pain", "4", "--at", "2026-11-27 07:30", "--json"], vault: phone))
        _ = try Self.send(phone, to: laptop, folder: folder)
        #expect(try Self.flare(["edit", entry, "--at", "2026-11-27 08:00"], vault: phone).status == 0)
        #expect(try Self.flare(["edit", entry, "--at", "2026-11-27 09:15"], vault: laptop).status == 0)
        _ = try Self.send(laptop, to: phone, folder: folder)

        let conflicts = try Self.flare(["conflicts"], vault: phone).output
        #expect(!conflicts.contains("check-in"), "\(conflicts)")
        #expect(conflicts.contains("\(entry)  at: shows 2026-11-27 "))
        #expect(conflicts.contains("also 2026-11-27 0"))
        let checkIn = try #require(try Self.flare(["show", "check-in-2026-11-27", "--json"], vault: phone).json as? [String: Any])
        #expect(checkIn["day"] as? String == "2026-11-27")
        #expect(checkIn["mood"] as? Int == 6)
        let checkInHistory = try Self.flare(["history", "check-in-2026-11-27"], vault: phone).output
        #expect(!checkInHistory.contains("day ="), "\(checkInHistory)")

        let resolved = try Self.flare(["conflicts", "resolve", entry, "at", "2026-11-27 08:00 +00:00"], vault: phone)
        #expect(resolved.output == "\(entry) at is now 2026-11-27 08:00 +00:00.\n", "\(resolved.errors)")
        let history = try Self.flare(["history", entry], vault: phone).output
        #expect(history.contains("phone  at = 2026-11-27 07:30 +00:00"), "\(history)")
        #expect(history.contains("laptop  at = 2026-11-27 09:15 +00:00"))
        #expect(!history.contains("utc_offset"))
        #expect(history.contains("flare = no"))
        // Editing another field does not settle a conflict on its way.
        #expect(try Self.flare(["edit", entry, "--at", "2026-11-27 10:00"], vault: laptop).status == 0)
        #expect(try Self.flare(["edit", entry, "--note", "later"], vault: phone).status == 0)
        _ = try Self.send(laptop, to: phone, folder: folder)
        #expect(try Self.flare(["conflicts"], vault: phone).output.contains("\(entry)  at: shows"))
    }

    /// Delete asks on a terminal (no answer keeps the record), not with --yes or from a
    /// script; undo brings a deleted record back and redo deletes it again.
    @Test func deleteAsksAndUndoBringsItBack() throws {
        let folder = try TemporaryFolder()
        let (phone, _) = try Self.pair(in: folder)
        let entry = try Self.id(try Self.flare(["log", "--pain", "4", "--note", "keep me", "--json"], vault: phone))
        #expect(try Self.flare(["delete", entry, "--yes"], vault: phone).status == 0)
        #expect(try Self.flare(["show", entry], vault: phone).status == 66)
        #expect(try Self.flare(["undo"], vault: phone).output == "Undid a change: \(entry) is back.\n")
        let back = try #require(try Self.flare(["show", entry, "--json"], vault: phone).json as? [String: Any])
        #expect(back["note"] as? String == "keep me")
        #expect(try Self.flare(["redo"], vault: phone).output == "Redid a change: \(entry) is deleted.\n")
        #expect(try Self.flare(["undo"], vault: phone).status == 0)

        let terminal = try TerminalSession(folder, vault: phone, ["delete", entry], environment: ["FLARE_PASSPHRASE": "a passphrase for tests"])
        defer { terminal.end() }
        try terminal.waitFor("Delete \(entry)? y/N:")
        #expect(terminal.screen().contains("keep me"), "the record is shown before the question")
        try terminal.send("n")
        try terminal.waitFor("Kept \(entry).")
        #expect(try Self.flare(["show", entry], vault: phone).status == 0)
    }
}
