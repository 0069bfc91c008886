import FlareCRDT
import FlareJournal
import Foundation
import Testing
import TestSupport

@Suite struct DoseChangeTests {
    static func at(_ day: String, _ hour: Int) -> Moment { try! JournalTests.at(day, hour) }

    @Test func aDoseChangeRoundTripsThroughADocumentAndIsChecked() throws {
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        let change = try DoseChange(treatment: "t1", at: Self.at("2026-11-20", 9), from: "10 mg", dose: " 25 mg ", note: "as agreed with Dr Ahn")
        #expect(change.dose == "25 mg")
        let first = try DoseChange(treatment: "t1", at: Self.at("2026-11-01", 9), dose: "10 mg")
        try phone.makeChange(wallMilliseconds: 1) { builder in
            try builder.write(change, as: "dc1")
            try builder.write(first, as: "dc2")
        }
        #expect(phone.document("dc1")?.type == "dose-change")
        #expect(try JournalRecordTests.read(DoseChange.self, "dc1", in: phone) == (change, []))
        #expect(try JournalRecordTests.read(DoseChange.self, "dc2", in: phone) == (first, []))
        #expect(phone.document("dc2")?.field("from") == nil, "an absent value is not written to a new record")

        #expect(throws: JournalError.invalidTerm(field: "dose", value: " ", reason: "it is empty")) {
            try DoseChange(treatment: "t1", at: Self.at("2026-11-20", 9), dose: " ")
        }
        #expect(throws: JournalError.missing(field: "treatment")) { try DoseChange(treatment: "", at: Self.at("2026-11-20", 9), dose: "5 mg") }
        #expect(throws: JournalError.invalidValue(field: "dose", value: "5 mg", expected: "a different dose from the one before")) {
            try DoseChange(treatment: "t1", at: Self.at("2026-11-20", 9), from: "5 mg", dose: "5 mg")
        }
    }

    /// A dose change without a dose, a treatment or a time cannot be shown: it is left out of
    /// the timeline, never fatal.
    @Test func anUnreadableDoseChangeIsLeftOut() throws {
        let folder = try TemporaryFolder()
        let journal = try JournalTests.journal(in: folder)
        try journal.vault.makeChange { change in
            try change.create("dc-broken01", type: "dose-change")
            try change.set("dc-broken01", "treatment", to: .string("t1"))
            try change.set("dc-broken01", "at", to: .int(1_795_766_400))
            try change.set("dc-broken01", "dose", to: .int(25))
        }
        #expect(journal.timeline().isEmpty)
        #expect(journal.all(DoseChange.self).unreadable == [.unreadable(record: "dc-broken01", field: "dose", found: "nothing")])
        #expect(journal.doseHistory(of: "t1").isEmpty)
        try journal.vault.close()
    }

    /// Changing a treatment's dose writes the dose and a dose change in one change; the history
    /// is in time order whatever order the changes were made in, and the timeline shows them.
    @Test func aDoseEditKeepsItsHistory() throws {
        let folder = try TemporaryFolder()
        let journal = try JournalTests.journal(in: folder)
        let pill = try journal.add(Treatment(kind: .medication, name: "Amitriptyline", dose: "10 mg", started: Self.at("2026-11-01", 21)))
        var treatment = try journal.stored(pill, as: Treatment.self).record

        treatment.dose = "25 mg"
        let seq = journal.vault.replica.versionVector[journal.vault.replicaID]
        let raised = try journal.update(treatment: pill, to: treatment, doseChangedAt: Self.at("2026-11-20", 9))
        #expect(raised.changed)
        let raisedID = try #require(raised.doseChange)
        #expect(raisedID.hasPrefix("dc-") && raisedID.count == 11)
        #expect(journal.vault.replica.versionVector[journal.vault.replicaID] == seq + 1, "one change for both")
        #expect(try journal.stored(pill, as: Treatment.self).record.dose == "25 mg")

        // Dated earlier than the first: the history is by time, not by when it was typed.
        treatment.dose = "50 mg"
        let earlier = try #require(try journal.update(treatment: pill, to: treatment, doseChangedAt: Self.at("2026-11-10", 9)).doseChange)
        let history = journal.doseHistory(of: pill)
        #expect(history.map(\.id) == [earlier, raisedID])
        #expect(history.map(\.record.from) == ["25 mg", "10 mg"])
        #expect(history.map(\.record.dose) == ["50 mg", "25 mg"])
        #expect(journal.doseHistory(of: "t-nothere0").isEmpty)

        // Other fields, or the same dose, record no dose change.
        treatment.schedule = "nightly"
        #expect(try journal.update(treatment: pill, to: treatment, doseChangedAt: Self.at("2026-11-21", 9)) == (true, nil))
        #expect(try journal.update(treatment: pill, to: treatment, doseChangedAt: Self.at("2026-11-21", 9)) == (false, nil))
        #expect(journal.doseHistory(of: pill).count == 2)

        #expect(journal.timeline().map(\.id) == [pill, earlier, raisedID])
        #expect(journal.timeline(TimelineFilter(types: ["dose-change"])).map(\.id) == [earlier, raisedID])
        #expect(journal.timeline(TimelineFilter(from: try Day(parsing: "2026-11-15"))).map(\.id) == [raisedID])
        #expect(journal.daySummaries().isEmpty, "a dose change is not something logged about a day")

        let treatments = journal.treatments()
        #expect(treatments.name(of: pill) == "Amitriptyline")
        #expect(treatments.dose(of: pill, at: Self.at("2026-11-05", 9)) == "25 mg", "what the first change replaced")
        #expect(treatments.dose(of: pill, at: Self.at("2026-11-10", 9)) == "50 mg")
        #expect(treatments.dose(of: pill, at: Self.at("2026-11-25", 9)) == "25 mg")
        #expect(treatments.name(of: "t-nothere0") == nil)
        try journal.vault.close()
    }

    @Test func theDoseAtAMoment() throws {
        let changes = [
            try DoseChange(treatment: "t1", at: Self.at("2026-11-10", 9), from: "10 mg", dose: "25 mg"),
            try DoseChange(treatment: "t1", at: Self.at("2026-11-20", 9), from: "25 mg", dose: "50 mg"),
        ]
        #expect(DoseChange.dose(at: Self.at("2026-11-01", 9), changes: [], current: "10 mg") == "10 mg")
        #expect(DoseChange.dose(at: Self.at("2026-11-01", 9), changes: changes, current: "50 mg") == "10 mg")
        #expect(DoseChange.dose(at: Self.at("2026-11-10", 9), changes: changes, current: "50 mg") == "25 mg")
        #expect(DoseChange.dose(at: Self.at("2026-11-19", 9), changes: changes, current: "50 mg") == "25 mg")
        #expect(DoseChange.dose(at: Self.at("2026-12-01", 9), changes: changes, current: "50 mg") == "50 mg")
        let first = [try DoseChange(treatment: "t1", at: Self.at("2026-11-10", 9), dose: "25 mg")]
        #expect(DoseChange.dose(at: Self.at("2026-11-01", 9), changes: first, current: "25 mg") == nil)
    }

    /// Undoing a dose edit removes the dose change and puts the dose back.
    @Test func undoingADoseEditUndoesBoth() throws {
        let folder = try TemporaryFolder()
        let journal = try JournalTests.journal(in: folder)
        let pill = try journal.add(Treatment(kind: .medication, name: "Pregabalin", dose: "75 mg"))
        var treatment = try journal.stored(pill, as: Treatment.self).record
        treatment.dose = "150 mg"
        let change = try #require(try journal.update(treatment: pill, to: treatment, doseChangedAt: Self.at("2026-11-20", 9)).doseChange)
        #expect(Set(try journal.undo().map(\.record)) == [pill, change])
        #expect(try journal.stored(pill, as: Treatment.self).record.dose == "75 mg")
        #expect(journal.doseHistory(of: pill).isEmpty)
        try journal.vault.close()
    }

    /// A JSON export of a dose change imports elsewhere as the same record; a bad one refuses
    /// the file.
    @Test func doseChangesRoundTripThroughJSON() throws {
        let folder = try TemporaryFolder()
        let phone = try JournalTests.journal(in: folder)
        let pill = try phone.add(Treatment(kind: .medication, name: "Duloxetine", dose: "30 mg"))
        var treatment = try phone.stored(pill, as: Treatment.self).record
        treatment.dose = "60 mg"
        let change = try #require(try phone.update(treatment: pill, to: treatment, doseChangedAt: Self.at("2026-11-20", 9)).doseChange)
        let stored = try phone.stored(change, as: DoseChange.self).record
        let object = stored.jsonObject(id: change)
        #expect(object["from"] as? String == "30 mg")
        #expect(object["at"] as? String == "2026-11-20T09:00:00+01:00")
        #expect(object["note"] == nil)

        let laptop = try JournalTests.journal(in: folder, "laptop.flare")
        let export: [String: Any] = ["records": [treatment.jsonObject(id: pill), object]]
        #expect(try laptop.importRecords(export).added == 2)
        #expect(try laptop.stored(change, as: DoseChange.self).record == stored)
        #expect(laptop.doseHistory(of: pill).map(\.id) == [change])
        #expect(try laptop.importRecords(export).unchanged == 2)

        var bad = object
        bad.removeValue(forKey: "dose")
        #expect(throws: JournalError.missing(field: "dose of \(change)")) { try laptop.importRecords(["records": [bad]]) }
        bad = object
        bad["dose"] = 60
        #expect(throws: JournalError.self) { try laptop.importRecords(["records": [bad]]) }
        try phone.vault.close()
        try laptop.vault.close()
    }
}
