import Testing

@testable import FlareCRDT

/// The API a replay of real editing needs (issue 15): a fork that goes on as a new
/// participant, a one-call merge, a splice, and a text accessor.
@Suite struct TextAPITests {
    @Test func aForkGoesOnAsANewParticipantAndMergesBack() throws {
        var original = Replica(id: ReplicaID.random())
        try original.makeChange(wallMilliseconds: 1_000) { change in
            try change.create("note", type: "note")
            try change.insertText("note", "text", at: 0, "stiff on waking")
        }
        var fork = try original.forked(as: ReplicaID.random())
        #expect(fork.document("note")?.text("text") == "stiff on waking" && fork.versionVector == original.versionVector)
        let forked = try fork.makeChange(wallMilliseconds: 2_000) { try $0.spliceText("note", "text", at: 0, deleting: 5, inserting: "sore") }
        #expect(forked.id.seq == 1 && forked.id.replica == fork.id)
        try original.makeChange(wallMilliseconds: 2_000) { try $0.insertText("note", "text", at: 15, ", eased by noon") }
        let intoOriginal = try original.merge(fork)
        let intoFork = try fork.merge(original)
        #expect(intoOriginal == [forked.id] && intoFork.count == 1)
        #expect(original.document("note")?.text("text") == "sore on waking, eased by noon")
        #expect(original.snapshot.encoded() == fork.snapshot.encoded())
        #expect(try original.merge(fork).isEmpty, "merging again applies nothing")
        // A fork cannot take an id whose changes are here already.
        #expect(throws: EditError.forkIDInUse(original.id)) { try original.forked(as: original.id) }
        #expect(throws: EditError.forkIDInUse(fork.id)) { try original.forked(as: fork.id) }
    }

    @Test func aSpliceIsADeleteThenAnInsertAndTheAccessorReadsOnlyText() throws {
        var replica = Replica(id: ReplicaID.random())
        try replica.makeChange(wallMilliseconds: 1) { change in
            try change.create("entry", type: "symptom")
            try change.insertText("entry", "note", at: 0, "pain in the lower back")
            try change.set("entry", "pain", to: .int(6))
        }
        try replica.makeChange(wallMilliseconds: 2) { try $0.spliceText("entry", "note", at: 12, deleting: 5, inserting: "upper") }
        #expect(replica.document("entry")?.text("note") == "pain in the upper back")
        #expect(replica.document("entry")?.text("pain") == nil && replica.document("entry")?.text("missing") == nil)
        #expect(throws: EditError.self) {
            try replica.makeChange(wallMilliseconds: 3) { try $0.spliceText("entry", "note", at: 20, deleting: 5, inserting: "x") }
        }
        #expect(replica.document("entry")?.text("note") == "pain in the upper back", "a refused splice changes nothing")
    }
}
