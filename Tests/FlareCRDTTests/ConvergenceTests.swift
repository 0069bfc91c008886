import FlareCRDT
import PropertyBased
import Testing
import ToolSupport
import TestSupport

@Suite struct ConvergenceTests {
    /// Random edits on 3–5 replicas with partial, reordered and duplicated delivery, then a full
    /// sync: every replica must end byte-identical in encoded state, with nothing buffered.
    @Test func randomSchedulesConverge() async {
        await propertyCheck(count: 2000, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var schedule = RandomSchedule(seed: seed)
                try schedule.run(steps: 40)
                try schedule.syncAll()
                let encoded = schedule.replicas.map { $0.snapshot.encoded() }
                let context = "schedule seed \(seed): \(schedule.log.joined(separator: ", "))"
                #expect(Set(encoded).count == 1, Comment(rawValue: context))
                #expect(schedule.replicas.allSatisfy { $0.bufferedCount == 0 }, Comment(rawValue: context))
                #expect(Set(schedule.replicas.map(\.versionVector)).count == 1, Comment(rawValue: context))
            }
        }
    }

    /// A new replica that imports the whole history, encoded as one batch and shuffled, reaches
    /// the same state; the snapshot decodes and re-encodes to the same bytes.
    @Test func historyAndSnapshotRoundTrip() async throws {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var schedule = RandomSchedule(seed: seed)
                try schedule.run(steps: 30)
                try schedule.syncAll()
                let source = schedule.replicas[0]
                let history = source.changes()
                let decoded = try ChangeCodec.decode(ChangeCodec.encode(history))
                let historySurvives = decoded == history
                #expect(historySurvives, "schedule seed \(seed)")
                var fresh = Replica(id: ReplicaID(high: 1, low: 1))
                var shuffler = SplitMix64(state: seed)
                for change in decoded.shuffled(using: &shuffler) { try fresh.receive(change) }
                let expected = source.snapshot.encoded()
                let sameState = fresh.snapshot.encoded() == expected
                #expect(sameState, "schedule seed \(seed)")
                let restored = try StateSnapshot.decode(expected)
                let sameSnapshot = restored.encoded() == expected
                #expect(sameSnapshot, "schedule seed \(seed)")
            }
        }
    }
}
