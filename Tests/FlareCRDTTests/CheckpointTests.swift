import FlareBytes
@testable import FlareCRDT
import PropertyBased
import Testing
import TestSupport

/// Checkpoints restore a replica without its history, and a replica whose log was released
/// still behaves exactly like one that keeps it.
@Suite struct CheckpointTests {
    @Test func checkpointsRoundTripAndKeepConverging() async throws {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var schedule = RandomSchedule(seed: seed)
                try schedule.run(steps: 40)
                let original = schedule.replicas[0]
                let bytes = original.checkpoint()
                var restored = try Replica(checkpoint: bytes)
                #expect(restored.id == original.id)
                #expect(restored.clock == original.clock)
                #expect(restored.versionVector == original.versionVector)
                #expect(restored.snapshot.encoded() == original.snapshot.encoded())
                #expect(restored.checkpoint() == bytes)
                #expect(restored.releasedThrough == original.versionVector)
                #expect(restored.changes().isEmpty)
                // A checkpoint leaves buffered changes to whoever keeps them (a store re-receives them).
                for change in original.bufferedChanges { #expect(try restored.receive(change) == .buffered) }

                // Everything the others hold arrives, in causal order, some of it already here.
                var full = original
                for other in schedule.replicas.dropFirst() {
                    for change in other.changes() {
                        let expected = try full.receive(change)
                        let outcome = try restored.receive(change)
                        #expect(Self.unordered(outcome) == Self.unordered(expected))
                    }
                }
                #expect(restored.snapshot.encoded() == full.snapshot.encoded())
                #expect(restored.bufferedCount == full.bufferedCount)

                // Restored lazily, touched by some of the same changes, checkpointed again: the
                // untouched documents' bodies are copied, the touched ones re-encoded.
                var lazy = try Replica(authenticatedCheckpoint: bytes)
                #expect(lazy.liveDocumentIDs == original.liveDocumentIDs)
                for change in original.bufferedChanges { _ = try lazy.receive(change) }
                for other in schedule.replicas.dropFirst() {
                    for change in other.changes() { _ = try lazy.receive(change) }
                }
                let again = try Replica(checkpoint: lazy.checkpoint())
                #expect(again.snapshot.encoded() == full.snapshot.encoded())
                #expect(again.liveDocumentIDs == full.liveDocumentIDs)
                #expect(again.clock == full.clock)
            }
        }
    }

    /// A copy is checkpointed while the replica goes on; the replica then continues from that
    /// checkpoint, keeping the documents changed since, and its state is exactly as before.
    @Test func rebasingOnAnEarlierCheckpointKeepsLaterChanges() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var schedule = RandomSchedule(seed: seed)
                try schedule.run(steps: 20)
                var live = schedule.replicas[0]
                let earlier = live
                for other in schedule.replicas.dropFirst() {
                    for change in other.changes() { _ = try live.receive(change) }
                }
                let changed = Set(live.changes(notIn: earlier.versionVector).flatMap { $0.operations.map(\.document) })
                let expected = live.snapshot.encoded()
                live.rebase(on: earlier.encodedCheckpoint(), keeping: changed)
                #expect(live.snapshot.encoded() == expected)
                #expect(live.documents.decoded.keys.allSatisfy { changed.contains($0) })
                #expect(try Replica(checkpoint: live.checkpoint()).snapshot.encoded() == expected)
            }
        }
    }

    @Test func aLazyReplicaDecodesOnlyWhatItTouches() throws {
        var phone = Replica(id: ReplicaID(high: 1, low: 0))
        for index in 0..<50 {
            try phone.makeChange(wallMilliseconds: UInt64(index + 1)) { change in
                try change.create("e\(index)", type: "symptom")
                try change.set("e\(index)", "pain", to: .int(Int64(index % 11)))
            }
        }
        try phone.makeChange(wallMilliseconds: 100) { try $0.delete("e7") }
        var lazy = try Replica(authenticatedCheckpoint: phone.checkpoint())
        #expect(lazy.documents.decoded.isEmpty)
        #expect(lazy.documents.count == 50)
        #expect(lazy.document("e7") == nil)
        #expect(lazy.liveDocumentIDs.count == 49)
        guard case .register(let pain)? = lazy.document("e3")?.field("pain") else {
            Issue.record("e3 has no pain")
            return
        }
        #expect(pain.winner.value == .int(3))
        try lazy.makeChange(wallMilliseconds: 200) { try $0.set("e3", "pain", to: .int(9)) }
        #expect(lazy.documents.decoded.count == 1)
        #expect(try Replica(checkpoint: lazy.checkpoint()).snapshot.encoded() == lazy.snapshot.encoded())
    }

    /// An outcome with the unblocked changes as a set: their order depends on arrival order.
    static func unordered(_ outcome: ReceiveOutcome) -> Set<ChangeID>? {
        if case .applied(let ids) = outcome { return Set(ids) }
        return outcome == .buffered ? [] : nil
    }

    @Test func releasedChangesAreDuplicatesAndStillCheckClocks() throws {
        let phoneID = ReplicaID(high: 1, low: 0)
        let laptopID = ReplicaID(high: 2, low: 0)
        var phone = Replica(id: phoneID)
        let first = try phone.makeChange(wallMilliseconds: 5000) { change in
            try change.create("e1", type: "symptom")
            try change.set("e1", "pain", to: .int(5))
        }
        var laptop = Replica(id: laptopID)
        try laptop.receive(first)
        laptop.releaseLog()
        #expect(laptop.change(first.id) == nil)
        #expect(laptop.clock(of: first.id) == first.clock)
        #expect(try laptop.receive(first) == .duplicate)

        // A change claiming to follow `first` but stamped before it is refused, although
        // `first` itself is no longer in memory.
        let backdated = Change(
            id: ChangeID(replica: ReplicaID(high: 3, low: 0), seq: 1),
            clock: HLC(milliseconds: 4000),
            dependencies: VersionVector([(phoneID, UInt64(1))]),
            operations: [.set(document: "e1", field: "pain", value: .int(2))]
        )
        #expect(throws: ChangeRejection.clockNotAfterDependency(backdated.id, dependency: first.id)) {
            try laptop.receive(backdated)
        }

        let second = try laptop.makeChange(wallMilliseconds: 6000) { try $0.set("e1", "pain", to: .int(7)) }
        #expect(laptop.changes().map(\.id) == [second.id])
        #expect(laptop.changes(notIn: VersionVector([(laptopID, UInt64(1))])).isEmpty)
    }

    @Test func everyCheckpointTruncationIsAnError() throws {
        var replica = Replica(id: ReplicaID(high: 7, low: 7))
        for change in try CodecTests.sampleHistory() { try replica.receive(change) }
        let bytes = replica.checkpoint()
        for length in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try Replica(checkpoint: Array(bytes.prefix(length))) }
        }
        #expect(throws: DecodingError.trailingBytes(at: bytes.count)) { try Replica(checkpoint: bytes + [0]) }
    }

    @Test func randomCheckpointMutationsNeverCrash() async throws {
        var replica = Replica(id: ReplicaID(high: 7, low: 7))
        for change in try CodecTests.sampleHistory() { try replica.receive(change) }
        let bytes = replica.checkpoint()
        await propertyCheck(count: 2000, input: Gen.int(in: 0..<bytes.count), Gen.uint8()) { position, value in
            failOnError("position \(position), value \(value)") {
                var mutated = bytes
                mutated[position] ^= value | 1
                if let restored = try? Replica(checkpoint: mutated) { _ = restored.checkpoint() }
            }
        }
    }
}
