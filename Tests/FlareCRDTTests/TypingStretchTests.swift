import FlareCRDT
import PropertyBased
import Testing
import ToolSupport
import TestSupport

/// `receive(contentsOf:)` types a stretch of one replica's typing into its run at once; it
/// must end exactly where receiving the same changes one by one ends, and refuse the same
/// change at the same place.
@Suite struct TypingStretchTests {
    @Test func aBatchEndsWhereOneByOneEnds() async {
        await propertyCheck(count: 150, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var schedule = RandomSchedule(seed: seed, textOnly: true)
                try schedule.run(steps: 80)
                try schedule.syncAll()
                var generator = SplitMix64(state: seed)
                // In causal order, and shuffled (so that some wait in the buffer).
                let inOrder = schedule.replicas[0].changes()
                for changes in [inOrder, inOrder.shuffled(using: &generator)] {
                    var oneByOne = Replica(id: ReplicaID(high: 9, low: 9))
                    for change in changes { _ = try oneByOne.receive(change) }
                    var batch = Replica(id: ReplicaID(high: 9, low: 9))
                    let applied = try batch.receive(contentsOf: changes)
                    #expect(Set(applied) == Set(changes.map(\.id)), "seed \(seed)")
                    #expect(batch.snapshot.encoded() == oneByOne.snapshot.encoded(), "seed \(seed)")
                    #expect(batch.versionVector == oneByOne.versionVector && batch.bufferedCount == oneByOne.bufferedCount, "seed \(seed)")
                    #expect(batch.changes() == oneByOne.changes(), "seed \(seed)")
                }
            }
        }
    }

    /// A stretch with a bad change in it: the changes before it are typed, it is refused as
    /// `receive(_:)` refuses it, and nothing after it is applied.
    @Test func aRefusedChangeInAStretchStopsTheBatchThere() throws {
        var phone = Replica(id: ReplicaID(high: 1, low: 0))
        try phone.makeChange(wallMilliseconds: 1000) { try $0.create("e", type: "symptom") }
        for (offset, character) in "stiff neck".enumerated() {
            try phone.makeChange(wallMilliseconds: 2000 + UInt64(offset)) { try $0.insertText("e", "note", at: offset, String(character)) }
        }
        var changes = phone.changes()
        // The sixth character's change claims a clock before the fifth's.
        let bad = changes[6]
        changes[6] = Change(id: bad.id, clock: HLC(milliseconds: 1500), dependencies: bad.dependencies, operations: bad.operations)
        var batch = Replica(id: ReplicaID(high: 2, low: 0))
        #expect(throws: ChangeRejection.clockNotAfterDependency(bad.id, dependency: changes[5].id)) { try batch.receive(contentsOf: changes) }
        var oneByOne = Replica(id: ReplicaID(high: 2, low: 0))
        for change in changes.prefix(6) { try oneByOne.receive(change) }
        #expect(batch.snapshot.encoded() == oneByOne.snapshot.encoded())
        #expect(batch.document("e")?.text("note") == "stiff")
    }
}
