import FlareCRDT
import FlareCrypto
import FlareJournal
import FlareStore
import Foundation
import Testing
import TestSupport

@Suite struct JournalTests {
    static let passphrase = "journal test passphrase"

    static func journal(in folder: TemporaryFolder, _ name: String = "phone.flare", joining secret: VaultSecret? = nil) throws -> Journal {
        Journal(vault: try Vault.create(at: folder.path(name), passphrase: passphrase, joining: secret, parameters: .minimumForTests))
    }

    /// `day` at `hour`:00 UTC+01:00.
    static func at(_ day: String, _ hour: Int) throws -> Moment {
        let parsed = try Day(parsing: day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 3600)!
        let date = calendar.date(from: DateComponents(year: parsed.year, month: parsed.month, day: parsed.day, hour: hour))!
        return try Moment(secondsSince1970: Int64(date.timeIntervalSince1970), utcOffsetMinutes: 60)
    }

    static func region(_ word: String) -> Term { try! Term(word, field: "regions") }

    @Test func logEditDeleteAndRefusals() throws {
        let folder = try TemporaryFolder()
        let journal = try Self.journal(in: folder)
        let id = try journal.log(SymptomEntry(at: Self.at("2026-11-20", 8), pain: Rating(6, field: "pain"), regions: [Self.region("neck")]))
        #expect(id.hasPrefix("s-") && id.count == 10)
        var entry = try journal.stored(id, as: SymptomEntry.self).record
        #expect(entry.pain?.value == 6)

        let before = journal.vault.replica.versionVector
        #expect(try journal.update(id, to: entry) == false)
        #expect(journal.vault.replica.versionVector == before, "an edit that changes nothing writes nothing")
        entry.pain = try Rating(7, field: "pain")
        #expect(try journal.update(id, to: entry))
        #expect(try journal.stored(id, as: SymptomEntry.self).record.pain?.value == 7)
        #expect(try journal.history(of: id, field: "pain").count == 2)

        #expect(throws: JournalError.wrongType(record: id, expected: "treatment", found: "symptom")) {
            try journal.stored(id, as: Treatment.self)
        }
        #expect(throws: JournalError.unknownRecord("t-nothere0")) {
            try journal.record(TreatmentEvent(treatment: "t-nothere0", at: Self.at("2026-11-20", 9), status: .taken))
        }
        #expect(throws: JournalError.unknownRecord("s-missing0")) { try journal.update("s-missing0", to: entry) }
        try journal.delete(id)
        #expect(throws: JournalError.unknownRecord(id)) { try journal.stored(id, as: SymptomEntry.self) }
        #expect(throws: JournalError.unknownRecord(id)) { try journal.delete(id) }
        try journal.vault.close()
    }

    /// Two devices set the same entry's pain while apart: both values are kept, one shows, and
    /// choosing one resolves it on both.
    @Test func concurrentEditsShowAsConflictsAndResolve() throws {
        let folder = try TemporaryFolder()
        let phone = try Self.journal(in: folder)
        let laptop = try Self.journal(in: folder, "laptop.flare", joining: try VaultSecret(pairingCode: phone.vault.pairingCode))
        let id = try phone.log(SymptomEntry(at: Self.at("2026-11-20", 8), pain: Rating(6, field: "pain")))
        _ = try laptop.vault.receive(try phone.vault.changes())

        var onPhone = try phone.stored(id, as: SymptomEntry.self).record
        onPhone.pain = try Rating(8, field: "pain")
        try phone.update(id, to: onPhone)
        var onLaptop = try laptop.stored(id, as: SymptomEntry.self).record
        onLaptop.pain = try Rating(4, field: "pain")
        try laptop.update(id, to: onLaptop)
        _ = try laptop.vault.receive(try phone.vault.changes(notIn: laptop.vault.replica.versionVector))
        _ = try phone.vault.receive(try laptop.vault.changes(notIn: phone.vault.replica.versionVector))

        let conflicts = phone.conflicts()
        #expect(conflicts.count == 1)
        #expect(conflicts == laptop.conflicts())
        let conflict = try #require(conflicts.first)
        #expect(conflict.field == "pain")
        #expect(Set(conflict.candidates) == [.int(8), .int(4)])
        #expect(try phone.stored(id, as: SymptomEntry.self).conflicts == conflicts)

        #expect(throws: JournalError.self) { try phone.resolve(conflict, choosing: .int(5)) }
        try phone.resolve(conflict, choosing: .int(4))
        _ = try laptop.vault.receive(try phone.vault.changes(notIn: laptop.vault.replica.versionVector))
        #expect(phone.conflicts().isEmpty)
        #expect(laptop.conflicts().isEmpty)
        #expect(try laptop.stored(id, as: SymptomEntry.self).record.pain?.value == 4)
        try phone.vault.close()
        try laptop.vault.close()
    }

    @Test func undoWalksBackAndRedoWalksForward() throws {
        let folder = try TemporaryFolder()
        let journal = try Self.journal(in: folder)
        #expect(throws: JournalError.nothingToUndo) { try journal.undo() }
        #expect(throws: JournalError.nothingToRedo) { try journal.redo() }
        let id = try journal.log(SymptomEntry(
            at: Self.at("2026-11-20", 8), pain: Rating(6, field: "pain"), regions: [Self.region("neck")], note: "stiff"))
        let original = try journal.stored(id, as: SymptomEntry.self).record
        var entry = original
        entry.pain = try Rating(9, field: "pain")
        entry.regions.insert(Self.region("hips"))
        entry.note = "very stiff"
        entry.at = try Self.at("2026-11-20", 9)
        try journal.update(id, to: entry)
        try journal.delete(id)

        // Back, step by step: the delete, the edit, the log.
        #expect(try journal.undo() == [.restored(id)])
        #expect(try journal.stored(id, as: SymptomEntry.self).record == entry)
        #expect(try journal.undo() == [.reverted(id)])
        #expect(try journal.stored(id, as: SymptomEntry.self).record == original)
        #expect(try journal.undo() == [.removed(id)])
        #expect(throws: JournalError.unknownRecord(id)) { try journal.stored(id, as: SymptomEntry.self) }
        #expect(throws: JournalError.nothingToUndo) { try journal.undo() }

        // Forward again.
        #expect(try journal.redo() == [.restored(id)])
        #expect(try journal.stored(id, as: SymptomEntry.self).record == original)
        #expect(try journal.redo() == [.reverted(id)])
        #expect(try journal.stored(id, as: SymptomEntry.self).record == entry)

        // A new edit ends the redo; undo then takes back the edit, then the redo before it.
        let other = try journal.log(SymptomEntry(at: Self.at("2026-11-21", 8), pain: Rating(2, field: "pain")))
        #expect(throws: JournalError.nothingToRedo) { try journal.redo() }
        #expect(try journal.undo() == [.removed(other)])
        #expect(try journal.undo() == [.reverted(id)])
        #expect(try journal.stored(id, as: SymptomEntry.self).record == original)

        // The undo log survives reopening the vault.
        let path = journal.vault.path
        try journal.vault.close()
        let reopened = Journal(vault: try Vault.open(at: path, passphrase: Self.passphrase))
        #expect(try reopened.redo() == [.reverted(id)])
        try reopened.vault.close()
    }

    @Test func timelineFiltersAndSummaries() throws {
        let folder = try TemporaryFolder()
        let journal = try Self.journal(in: folder)
        let stress = try Term("stress", field: "triggers")
        let monday = try journal.log(SymptomEntry(
            at: Self.at("2026-11-16", 8), pain: Rating(6, field: "pain"), regions: [Self.region("neck")],
            fatigue: Rating(4, field: "fatigue"), sleepHours: 6, flare: true, triggers: [stress]))
        let mondayEvening = try journal.log(SymptomEntry(
            at: Self.at("2026-11-16", 20), pain: Rating(8, field: "pain"), regions: [Self.region("lower back")]))
        let wednesday = try journal.log(SymptomEntry(at: Self.at("2026-11-18", 9), pain: Rating(3, field: "pain")))
        let nextMonday = try journal.log(SymptomEntry(at: Self.at("2026-11-23", 9), pain: Rating(2, field: "pain")))
        let pill = try journal.add(Treatment(kind: .medication, name: "Amitriptyline", medicationClass: .nervePain, started: Self.at("2026-11-16", 7)))
        let taken = try journal.record(TreatmentEvent(treatment: pill, at: Self.at("2026-11-16", 22), status: .taken))
        let skipped = try journal.record(TreatmentEvent(treatment: pill, at: Self.at("2026-11-18", 22), status: .skipped))
        let checkIn = try journal.checkIn(CheckIn(day: Day(parsing: "2026-11-16"), pain: Rating(7, field: "pain"), sleepHours: 5.5))

        #expect(journal.timeline().map(\.id) == [pill, monday, mondayEvening, taken, checkIn, wednesday, skipped, nextMonday])
        let middle = TimelineFilter(from: try Day(parsing: "2026-11-17"), to: try Day(parsing: "2026-11-18"))
        #expect(journal.timeline(middle).map(\.id) == [wednesday, skipped])
        #expect(journal.timeline(TimelineFilter(types: ["treatment-event"])).map(\.id) == [taken, skipped])
        #expect(journal.timeline(TimelineFilter(region: Self.region("lower back"))).map(\.id) == [mondayEvening])
        #expect(journal.timeline(TimelineFilter(trigger: stress)).map(\.id) == [monday])

        let days = journal.daySummaries()
        #expect(days.map(\.day.description) == ["2026-11-16", "2026-11-18", "2026-11-23"])
        let first = days[0]
        #expect(first.entries == 2)
        #expect(first.meanPain == 7)  // 6, 8 and the check-in's 7
        #expect(first.maxPain == 8)
        #expect(first.flareUp)
        #expect(first.sleepHours == 5.5)  // the check-in's, over the entry's 6
        #expect(first.treatmentsTaken == 1)
        #expect(days[1].treatmentsSkipped == 1)

        let weeks = journal.weekSummaries()
        #expect(weeks.map(\.monday.description) == ["2026-11-16", "2026-11-23"])
        #expect(weeks[0].days == 2)
        #expect(weeks[0].entries == 3)
        #expect(weeks[0].meanPain == 5)  // days 7 and 3
        #expect(weeks[0].flareUpDays == 1)
        #expect(weeks[0].treatmentsTaken == 1 && weeks[0].treatmentsSkipped == 1)
        #expect(try Day(parsing: "2026-11-22").monday.description == "2026-11-16")
        try journal.vault.close()
    }
}
