import FlareCRDT
import Testing

@Suite struct ReplicaTests {
    let phoneID = ReplicaID(high: 1, low: 0)
    let laptopID = ReplicaID(high: 2, low: 0)

    func entry(on replica: inout Replica, at wall: UInt64 = 1000) throws -> Change {
        try replica.makeChange(wallMilliseconds: wall) { change in
            try change.create("e1", type: "symptom")
            try change.set("e1", "pain", to: .int(5))
        }
    }

    @Test func refusedEditsChangeNothing() throws {
        var phone = Replica(id: phoneID)
        _ = try entry(on: &phone)
        let before = phone.snapshot.encoded()
        #expect(throws: EditError.documentExists("e1")) {
            try phone.makeChange(wallMilliseconds: 2000) { change in
                try change.set("e1", "pain", to: .int(9))
                try change.create("e1", type: "symptom")
            }
        }
        #expect(throws: EditError.fieldKindMismatch(document: "e1", field: "pain", existing: .register, attempted: .set)) {
            try phone.makeChange(wallMilliseconds: 2000) { try $0.add("e1", "pain", "x") }
        }
        #expect(throws: EditError.textIndexOutOfRange(document: "e1", field: "note", index: 1, length: 0)) {
            try phone.makeChange(wallMilliseconds: 2000) { try $0.insertText("e1", "note", at: 1, "x") }
        }
        #expect(throws: EditError.emptyChange) { try phone.makeChange(wallMilliseconds: 2000) { _ in } }
        #expect(phone.snapshot.encoded() == before)
        #expect(phone.versionVector[phoneID] == 1)
    }

    @Test func duplicatesAreIgnoredAndImpostorsRefused() throws {
        var phone = Replica(id: phoneID)
        let change = try entry(on: &phone)
        var laptop = Replica(id: laptopID)
        #expect(try laptop.receive(change) == .applied([change.id]))
        #expect(try laptop.receive(change) == .duplicate)
        let impostor = Change(id: change.id, clock: change.clock, dependencies: change.dependencies,
                              operations: [.create(document: "e2", type: "symptom")])
        #expect(throws: ChangeRejection.conflictingDuplicate(change.id)) { try laptop.receive(impostor) }
    }

    @Test func outOfOrderChangesWaitThenApplyInOrder() throws {
        var phone = Replica(id: phoneID)
        let first = try entry(on: &phone)
        let second = try phone.makeChange(wallMilliseconds: 2000) { try $0.set("e1", "pain", to: .int(7)) }
        let third = try phone.makeChange(wallMilliseconds: 3000) { try $0.insertText("e1", "note", at: 0, "stiff") }
        var laptop = Replica(id: laptopID)
        #expect(try laptop.receive(third) == .buffered)
        #expect(try laptop.receive(second) == .buffered)
        #expect(laptop.bufferedCount == 2)
        #expect(laptop.document("e1") == nil)
        #expect(try laptop.receive(first) == .applied([first.id, second.id, third.id]))
        #expect(laptop.bufferedCount == 0)
        #expect(laptop.snapshot.encoded() == phone.snapshot.encoded())
    }

    @Test func malformedChangesAreRefusedWithoutEffect() throws {
        var laptop = Replica(id: laptopID)
        let orphanEdit = Change(id: ChangeID(replica: phoneID, seq: 1), clock: HLC(milliseconds: 5),
                                dependencies: VersionVector(), operations: [.set(document: "nope", field: "pain", value: .int(1))])
        #expect(throws: ChangeRejection.self) { try laptop.receive(orphanEdit) }
        let unknownAnchor = Change(
            id: ChangeID(replica: phoneID, seq: 1), clock: HLC(milliseconds: 5), dependencies: VersionVector(),
            operations: [.create(document: "e", type: "t"),
                         .insertText(document: "e", field: "n", anchor: .after(ElementID(change: ChangeID(replica: laptopID, seq: 9), offset: 0)), text: "x")])
        #expect(throws: ChangeRejection.self) { try laptop.receive(unknownAnchor) }
        #expect(laptop.versionVector.isEmpty)
        #expect(laptop.liveDocumentIDs.isEmpty)

        var phone = Replica(id: phoneID)
        let first = try entry(on: &phone, at: 10_000)
        try laptop.receive(first)
        let backwards = Change(id: ChangeID(replica: phoneID, seq: 2), clock: HLC(milliseconds: 9_000),
                               dependencies: VersionVector(), operations: [.set(document: "e1", field: "pain", value: .int(1))])
        #expect(throws: ChangeRejection.clockNotAfterDependency(backwards.id, dependency: first.id)) { try laptop.receive(backwards) }
    }

    /// A change of one op is applied to the document in place, with no draft to drop: every
    /// way such an op can be refused must leave the replica exactly as it was, in short texts
    /// and in long ones (which keep an index), and a local edit that throws after its one op
    /// must leave nothing behind either.
    @Test(arguments: [3, 40]) func oneOpChangesApplyCompletelyOrNotAtAll(words: Int) throws {
        struct Interrupted: Error {}
        var phone = Replica(id: phoneID)
        _ = try entry(on: &phone)
        for word in 0..<words {
            _ = try phone.makeChange(wallMilliseconds: 2000 + UInt64(word)) { try $0.insertText("e1", "note", at: word, "w\(word) ") }
        }
        var laptop = Replica(id: laptopID)
        for change in phone.changes() { try laptop.receive(change) }
        let before = laptop.snapshot.encoded()
        let known = ElementID(change: ChangeID(replica: phoneID, seq: 2), offset: 0)
        let unknown = ElementID(change: ChangeID(replica: phoneID, seq: 2), offset: 90)
        let stranger = ElementID(change: ChangeID(replica: laptopID, seq: 7), offset: 0)
        let refused: [Operation] = [
            .deleteText(document: "e1", field: "note", ranges: [ElementRange(first: known, count: 2), ElementRange(first: unknown, count: 1)]),
            .deleteText(document: "e1", field: "note", ranges: [ElementRange(first: known, count: 40)]),
            .insertText(document: "e1", field: "note", anchor: .after(stranger), text: "x"),
            .insertText(document: "e1", field: "other", anchor: .before(stranger), text: "x"),
            .deleteText(document: "e1", field: "other", ranges: [ElementRange(first: known, count: 1)]),
            .set(document: "e9", field: "pain", value: .int(1)),
        ]
        let clock = HLC(milliseconds: 100_000)
        for operation in refused {
            let change = Change(id: ChangeID(replica: phoneID, seq: UInt64(words) + 2), clock: clock, dependencies: VersionVector(), operations: [operation])
            #expect(throws: ChangeRejection.self, "\(operation)") { try laptop.receive(change) }
            #expect(laptop.snapshot.encoded() == before, "\(operation)")
        }
        #expect(laptop.versionVector == phone.versionVector)

        let own = phone.snapshot.encoded()
        #expect(throws: Interrupted.self) {
            try phone.makeChange(wallMilliseconds: 200_000) { change in
                try change.insertText("e1", "note", at: 0, "lost")
                throw Interrupted()
            }
        }
        #expect(throws: EditError.textIndexOutOfRange(document: "e1", field: "note", index: 10_000, length: phone.document("e1")!.text("note")!.unicodeScalars.count - 1)) {
            try phone.makeChange(wallMilliseconds: 200_000) { change in
                try change.deleteText("e1", "note", at: 0, count: 1)
                try change.insertText("e1", "note", at: 10_000, "lost")
            }
        }
        #expect(phone.snapshot.encoded() == own)
        #expect(phone.versionVector[phoneID] == UInt64(words) + 1)
    }

    @Test func causalWriteBeatsAFasterClock() throws {
        var phone = Replica(id: phoneID)
        var laptop = Replica(id: laptopID)
        let entry = try entry(on: &laptop, at: 10_000_000)  // the laptop's clock runs far ahead
        try phone.receive(entry)
        try phone.makeChange(wallMilliseconds: 1000) { try $0.set("e1", "pain", to: .int(2)) }
        for change in phone.changes(notIn: laptop.versionVector) { try laptop.receive(change) }
        guard case .register(let register)? = laptop.document("e1")?.field("pain") else {
            Issue.record("pain is not a register")
            return
        }
        #expect(register.winner.value == .int(2))
        #expect(register.conflicts.isEmpty)
    }

    @Test func changesNotInAVectorAreExactlyTheMissingOnes() throws {
        var phone = Replica(id: phoneID)
        _ = try entry(on: &phone)
        for wall: UInt64 in 2...5 { try phone.makeChange(wallMilliseconds: wall * 1000) { try $0.increment("e1", "flares", by: 1) } }
        let known = VersionVector([(phoneID, UInt64(3))])
        #expect(phone.changes(notIn: known).map(\.id.seq) == [UInt64(4), 5])
        #expect(phone.changes().count == 5)
    }
}

@Suite struct HistoryTests {
    @Test func fieldHistoryListsEveryWriteWithDeviceAndTime() throws {
        let phoneID = ReplicaID(high: 1, low: 0)
        let laptopID = ReplicaID(high: 2, low: 0)
        var phone = Replica(id: phoneID)
        var laptop = Replica(id: laptopID)
        try phone.makeChange(wallMilliseconds: 1000) { change in
            try change.create("e1", type: "symptom")
            try change.set("e1", "pain", to: .int(5))
        }
        for change in phone.changes() { try laptop.receive(change) }
        try laptop.makeChange(wallMilliseconds: 2000) { change in
            try change.set("e1", "pain", to: .int(7))
            try change.add("e1", "regions", "neck")
        }
        try phone.makeChange(wallMilliseconds: 3000) { try $0.set("e1", "pain", to: .int(6)) }
        for change in laptop.changes(notIn: phone.versionVector) { try phone.receive(change) }

        let pain = phone.history(of: "e1", field: "pain")
        #expect(pain.map(\.change.replica) == [phoneID, laptopID, phoneID])
        #expect(pain.map(\.clock.milliseconds) == [1000, 2000, 3000])
        #expect(pain.map(\.operation) == [5, 7, 6].map { Operation.set(document: "e1", field: "pain", value: .int($0)) })
        #expect(phone.history(of: "e1").count == 5)
        #expect(phone.history(of: "nope").isEmpty)
    }
}
