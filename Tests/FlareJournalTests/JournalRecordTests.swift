import FlareCRDT
import FlareJournal
import Foundation
import Testing

@Suite struct JournalRecordTests {
    static let morning = try! Moment(secondsSince1970: 1_795_766_400, utcOffsetMinutes: 60)  // 2026-11-27T06:00Z

    static func terms(_ words: String..., field: String = "regions") -> Set<Term> {
        Set(words.map { try! Term($0, field: field) })
    }

    static func entry() throws -> SymptomEntry {
        try SymptomEntry(
            at: morning, pain: Rating(6, field: "pain"), regions: terms("neck", "Lower  Back"),
            qualities: terms("aching", field: "qualities"), stiffness: Rating(7, field: "stiffness"),
            stiffnessTiming: terms("on waking", field: "stiffness_timing"), fatigue: Rating(5, field: "fatigue"),
            cognitiveFatigue: Rating(4, field: "cognitive_fatigue"), sleepHours: 6.3, stress: Rating(3, field: "stress"),
            flare: true, triggers: terms("poor sleep", field: "triggers"), note: "woke stiff, eased after a shower")
    }

    static func read<Record: JournalRecord>(_ type: Record.Type, _ id: String, in replica: Replica) throws -> (Record, [JournalError]) {
        var fields = RecordFields(id: id, document: replica.document(id)!)
        let record = try Record(reading: &fields)
        return (record, fields.problems)
    }

    @Test func badValuesAreRefusedWithTheirRange() {
        #expect(throws: JournalError.outOfRange(field: "pain", value: "11", range: "a whole number from 0 to 10")) {
            try Rating(11, field: "pain")
        }
        #expect(JournalError.outOfRange(field: "pain", value: "11", range: "a whole number from 0 to 10").description
            == "pain must be a whole number from 0 to 10; 11 is outside that.")
        #expect(throws: JournalError.invalidValue(field: "fatigue", value: "lots", expected: "a whole number from 0 to 10")) {
            try Rating(parsing: "lots", field: "fatigue")
        }
        #expect(throws: JournalError.invalidTerm(field: "regions", value: "  ", reason: "it is empty")) { try Term("  ", field: "regions") }
        #expect(throws: JournalError.self) { try Term(String(repeating: "x", count: 61), field: "triggers") }
        #expect(throws: JournalError.outOfRange(field: "sleep_hours", value: "25.0", range: "from 0 to 24 hours")) {
            try SymptomEntry(at: Self.morning, sleepHours: 25)
        }
        #expect(throws: JournalError.invalidValue(field: "stiffness_timing", value: "at noon", expected: "\"after rest\" or \"on waking\"")) {
            try SymptomEntry(at: Self.morning, stiffnessTiming: Self.terms("at noon", field: "stiffness_timing"))
        }
        #expect(throws: JournalError.missing(field: "name")) { try Treatment(kind: .medication, name: "   ") }
        #expect(throws: JournalError.self) { try Treatment(kind: .gentleMovement, name: "walk", medicationClass: .sleepAid) }
        let later = try! Moment(secondsSince1970: Self.morning.secondsSince1970 + 86_400, utcOffsetMinutes: 60)
        #expect(throws: JournalError.self) { try Treatment(kind: .medication, name: "x", started: later, stopped: Self.morning) }
        #expect(throws: JournalError.invalidValue(field: "day", value: "2026-02-30", expected: "a day written as YYYY-MM-DD")) {
            try Day(parsing: "2026-02-30")
        }
        #expect(throws: JournalError.self) { try Moment(secondsSince1970: 0, utcOffsetMinutes: 15 * 60) }
    }

    @Test func termsAreComparedAsPeopleMeanThem() throws {
        #expect(try Term("  Lower \t Back ", field: "regions") == Term("lower back", field: "regions"))
        #expect(try Term("cafe\u{301}", field: "triggers") == Term("caf\u{E9}", field: "triggers"))
    }

    @Test func daysAreThePersonsDays() throws {
        // 23:30 UTC on 26 November is already 27 November at UTC+02:00.
        let late = try Moment(secondsSince1970: 1_795_735_800, utcOffsetMinutes: 120)
        #expect(late.day.description == "2026-11-27")
        #expect(try Moment(secondsSince1970: 1_795_735_800, utcOffsetMinutes: 0).day.description == "2026-11-26")
        #expect(late.description == "2026-11-27T01:30:00+02:00")
    }

    @Test func everyRecordRoundTripsThroughADocument() throws {
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        let entry = try Self.entry()
        #expect(entry.sleepHours == 6.25)
        let treatment = try Treatment(
            kind: .medication, name: "Amitriptyline", medicationClass: .nervePain, dose: "10 mg", schedule: "nightly",
            started: Self.morning)
        let event = try TreatmentEvent(
            treatment: "t1", at: Self.morning, status: .taken, dose: "10 mg", effect: Rating(6, field: "effect"),
            sideEffects: Self.terms("dry mouth", field: "side_effects"))
        let checkIn = try CheckIn(day: Day(parsing: "2026-11-27"), pain: Rating(5, field: "pain"), sleepHours: 7, mood: Rating(6, field: "mood"))
        try phone.makeChange(wallMilliseconds: 1) { change in
            try change.write(entry, as: "e1")
            try change.write(treatment, as: "t1")
            try change.write(event, as: "v1")
            try change.write(checkIn, as: CheckIn.id(for: checkIn.day))
        }
        #expect(try Self.read(SymptomEntry.self, "e1", in: phone) == (entry, []))
        #expect(try Self.read(Treatment.self, "t1", in: phone) == (treatment, []))
        #expect(try Self.read(TreatmentEvent.self, "v1", in: phone) == (event, []))
        #expect(try Self.read(CheckIn.self, "check-in-2026-11-27", in: phone) == (checkIn, []))
        #expect(phone.document("e1")?.type == "symptom")
    }

    /// An edit writes only what changed, so it merges with other devices' edits of other
    /// fields, other regions and other parts of the note.
    @Test func editsWriteOnlyWhatChangedAndMerge() throws {
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        var laptop = Replica(id: ReplicaID(high: 2, low: 2))
        let created = try phone.makeChange(wallMilliseconds: 1) { try $0.write(Self.entry(), as: "e1") }
        try laptop.receive(created)

        var onPhone = try Self.entry()
        onPhone.pain = try Rating(8, field: "pain")
        onPhone.note = "woke very stiff, eased after a shower"
        let phoneEdit = try phone.makeChange(wallMilliseconds: 2) { try $0.write(onPhone, as: "e1") }
        #expect(phoneEdit.operations.count == 2)

        var onLaptop = try Self.entry()
        onLaptop.regions.insert(try Term("hips", field: "regions"))
        onLaptop.note = "woke stiff, eased after a shower and a walk"
        let laptopEdit = try laptop.makeChange(wallMilliseconds: 3) { try $0.write(onLaptop, as: "e1") }
        #expect(laptopEdit.operations.count == 2)

        // Writing what is already there records nothing.
        #expect(throws: EditError.emptyChange) { try phone.makeChange(wallMilliseconds: 4) { try $0.write(onPhone, as: "e1") } }

        try phone.receive(laptopEdit)
        try laptop.receive(phoneEdit)
        #expect(phone.snapshot.encoded() == laptop.snapshot.encoded())
        let (merged, problems) = try Self.read(SymptomEntry.self, "e1", in: phone)
        #expect(problems.isEmpty)
        #expect(merged.pain?.value == 8)
        #expect(merged.regions == Self.terms("neck", "lower back", "hips"))
        #expect(merged.note == "woke very stiff, eased after a shower and a walk")
    }

    @Test func writingOverAnotherTypeIsRefused() throws {
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        try phone.makeChange(wallMilliseconds: 1) { try $0.write(Self.entry(), as: "e1") }
        #expect(throws: JournalError.wrongType(record: "e1", expected: "treatment", found: "symptom")) {
            try phone.makeChange(wallMilliseconds: 2) { try $0.write(Treatment(kind: .cbt, name: "CBT"), as: "e1") }
        }
    }

    /// A field holding something the record type cannot use (say, a newer device's value) is
    /// left out and reported, not fatal.
    @Test func unreadableFieldsAreReportedNotFatal() throws {
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        try phone.makeChange(wallMilliseconds: 1) { change in
            try change.write(Self.entry(), as: "e1")
            try change.set("e1", "pain", to: .string("severe"))
            try change.set("e1", "stress", to: .int(42))
            try change.add("e1", "regions", "")
            try change.set("e1", "sleep_hours", to: .double(30))
            try change.write(CheckIn(day: Day(parsing: "2026-11-27")), as: "c1")
            try change.set("c1", "sleep_hours", to: .double(.nan))
        }
        let (entry, problems) = try Self.read(SymptomEntry.self, "e1", in: phone)
        #expect(entry.pain == nil)
        #expect(entry.stress == nil)
        #expect(entry.sleepHours == nil)
        #expect(entry.regions == Self.terms("neck", "lower back"))
        #expect(problems == [
            .unreadable(record: "e1", field: "pain", found: "\"severe\""),
            .unreadable(record: "e1", field: "regions", found: ""),
            .unreadable(record: "e1", field: "sleep_hours", found: "30.0"),
            .unreadable(record: "e1", field: "stress", found: "42"),
        ])
        let (checkIn, checkInProblems) = try Self.read(CheckIn.self, "c1", in: phone)
        #expect(checkIn.sleepHours == nil)
        #expect(checkInProblems == [.unreadable(record: "c1", field: "sleep_hours", found: "nan")])
    }

    /// Two devices checking in for the same day edit one record.
    @Test func checkInsOfOneDayMerge() throws {
        let day = try Day(parsing: "2026-11-27")
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        var laptop = Replica(id: ReplicaID(high: 2, low: 2))
        let a = try phone.makeChange(wallMilliseconds: 1) { try $0.write(CheckIn(day: day, pain: Rating(4, field: "pain")), as: CheckIn.id(for: day)) }
        try laptop.receive(a)
        var later = try CheckIn(day: day, pain: Rating(4, field: "pain"))
        later.mood = try Rating(7, field: "mood")
        let b = try laptop.makeChange(wallMilliseconds: 2) { try $0.write(later, as: CheckIn.id(for: day)) }
        try phone.receive(b)
        let (merged, _) = try Self.read(CheckIn.self, CheckIn.id(for: day), in: phone)
        #expect(merged.pain?.value == 4)
        #expect(merged.mood?.value == 7)
    }
}
