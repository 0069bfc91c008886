import FlareBytes
@testable import FlareCRDT
import Testing

/// What a vault member, a relay or a file can send the CRDT core: every seq and clock is
/// checked where it is decoded, and nothing past the decoders traps on one (issue 11).
@Suite struct HostileInputTests {
    static let a = ReplicaID(high: 0xAAAA, low: 1)
    static let b = ReplicaID(high: 0xBBBB, low: 2)
    static let now: UInt64 = 1_767_225_600_000

    static func change(_ replica: ReplicaID = a, seq: UInt64, clock: HLC, dependencies: VersionVector = VersionVector()) -> Change {
        Change(
            id: ChangeID(replica: replica, seq: seq), clock: clock, dependencies: dependencies,
            operations: [.create(document: "doc-\(seq)", type: "symptom")])
    }

    /// The boundaries of every number a change carries: 0, the maximum, one past it, 2^63 and
    /// 2^64 − 1.
    @Test(arguments: [(0, false), (1, true), (Seq.maximum, true), (Seq.maximum + 1, false), (UInt64(1) << 63, false), (UInt64.max, false)])
    func changeSeqs(seq: UInt64, accepted: Bool) throws {
        let bytes = ChangeCodec.encode([Self.change(seq: seq, clock: HLC(milliseconds: Self.now))])
        if accepted {
            #expect(try ChangeCodec.decode(bytes)[0].id.seq == seq)
        } else {
            #expect(throws: DecodingError.self) { try ChangeCodec.decode(bytes) }
        }
    }

    /// (A vector cannot hold seq 0, so that boundary is the decoder's `seq()`, as for the others.)
    @Test(arguments: [(1, true), (Seq.maximum, true), (Seq.maximum + 1, false), (UInt64(1) << 63, false), (UInt64.max, false)])
    func dependencySeqs(seq: UInt64, accepted: Bool) throws {
        let change = Self.change(seq: 1, clock: HLC(milliseconds: Self.now), dependencies: VersionVector([(Self.b, seq)]))
        let bytes = ChangeCodec.encode([change])
        if accepted {
            #expect(try ChangeCodec.decode(bytes)[0].dependencies[Self.b] == seq)
        } else {
            #expect(throws: DecodingError.self) { try ChangeCodec.decode(bytes) }
        }
    }

    @Test(arguments: [(0, false), (1, true), (Seq.maximum, true), (Seq.maximum + 1, false), (UInt64(1) << 63, false), (UInt64.max, false)])
    func characterSeqs(seq: UInt64, accepted: Bool) throws {
        let anchor = ElementID(change: ChangeID(replica: Self.b, seq: seq), offset: 0)
        let change = Change(
            id: ChangeID(replica: Self.a, seq: 1), clock: HLC(milliseconds: Self.now), dependencies: VersionVector(),
            operations: [.insertText(document: "d", field: "note", anchor: .after(anchor), text: "x")])
        let bytes = ChangeCodec.encode([change])
        if accepted {
            #expect(try ChangeCodec.decode(bytes)[0] == change)
        } else {
            #expect(throws: DecodingError.self) { try ChangeCodec.decode(bytes) }
        }
    }

    @Test(arguments: [
        (0, true), (HLC.horizon, true), (HLC.maximumMilliseconds, true), (HLC.maximumMilliseconds + 1, false), (UInt64(1) << 63, false),
        (UInt64.max, false),
    ])
    func clockMilliseconds(milliseconds: UInt64, accepted: Bool) throws {
        let bytes = ChangeCodec.encode([Self.change(seq: 1, clock: HLC(milliseconds: milliseconds, counter: .max))])
        if accepted {
            #expect(try ChangeCodec.decode(bytes)[0].clock == HLC(milliseconds: milliseconds, counter: .max))
        } else {
            let error = #expect(throws: DecodingError.self) { try ChangeCodec.decode(bytes) }
            guard case .clockOutOfRange(let refused, _)? = error else {
                Issue.record("expected clockOutOfRange, got \(String(describing: error))")
                return
            }
            #expect(refused == milliseconds)
        }
    }

    /// `tick` is total: from any reading at all it returns, and from any reading in range it
    /// advances.
    @Test func tickNeverTraps() async {
        await #expect(processExitsWith: .success) {
            let extremes: [HLC] = [
                HLC(milliseconds: .max, counter: .max), HLC(milliseconds: .max, counter: 0), HLC(milliseconds: 0, counter: .max),
                HLC(milliseconds: HLC.horizon, counter: .max), HLC(milliseconds: HLC.maximumMilliseconds, counter: .max),
            ]
            for clock in extremes {
                for wall: UInt64 in [0, HLC.horizon, .max] { _ = clock.tick(wallMilliseconds: wall) }
            }
        }
        let last = HLC(milliseconds: HLC.maximumMilliseconds, counter: .max)
        #expect(last.tick(wallMilliseconds: .max) > last)
        // A wall clock centuries ahead is read as the horizon.
        #expect(HLC.zero.tick(wallMilliseconds: .max) == HLC(milliseconds: HLC.horizon))
    }

    /// The case from the issue: one change stamped (2^64 − 1 ms, 2^32 − 1) from a vault member
    /// used to be accepted, after which every local edit trapped. It is refused, named, and
    /// the replica goes on writing.
    @Test func aHostileClockIsRefusedAndTheReplicaKeepsWriting() async throws {
        await #expect(processExitsWith: .success) {
            var replica = Replica(id: HostileInputTests.b)
            let hostile = HostileInputTests.change(seq: 1, clock: HLC(milliseconds: .max, counter: .max))
            do {
                _ = try replica.receive(hostile)
                fatalError("a clock past the range was accepted")
            } catch ChangeRejection.outOfRange {}
            for index in 0..<3 { try! replica.makeChange(wallMilliseconds: HostileInputTests.now) { try $0.create("x-\(index)", type: "t") } }
        }
        var replica = Replica(id: Self.b)
        #expect(throws: ChangeRejection.outOfRange(
            ChangeID(replica: Self.a, seq: 1), "its clock (\(UInt64.max) ms) is past the end of the clock range")) {
            try replica.receive(Self.change(seq: 1, clock: HLC(milliseconds: .max, counter: .max)))
        }
        #expect(replica.versionVector.isEmpty)
    }

    /// A clock past the horizon is refused unless its causal past stands at the horizon and it
    /// is the one millisecond further that advancing from there takes.
    @Test func theHorizonRule() throws {
        var receiver = Replica(id: Self.b)
        // Far ahead, but before the horizon: a phone set to the wrong year still syncs.
        let nextYear = Self.change(seq: 1, clock: HLC(milliseconds: Self.now + 400 * 86_400_000))
        #expect(try receiver.receive(nextYear) == .applied([nextYear.id]))
        // Past the horizon with nothing in its past there: refused, and named.
        let beyond = Self.change(seq: 2, clock: HLC(milliseconds: HLC.horizon + 1))
        #expect(throws: ChangeRejection.self) { try receiver.receive(beyond) }
        // At the horizon with the counter at its end: accepted (no arithmetic breaks) ...
        let atEnd = Self.change(seq: 2, clock: HLC(milliseconds: HLC.horizon, counter: .max))
        #expect(try receiver.receive(atEnd) == .applied([atEnd.id]))
        // ... and the receiver can still write: its next clock is one millisecond past, which
        // a third replica accepts because the change's past forces it.
        let next = try receiver.makeChange(wallMilliseconds: Self.now) { try $0.create("after", type: "t") }
        #expect(next.clock == HLC(milliseconds: HLC.horizon + 1, counter: 0))
        var third = Replica(id: ReplicaID(high: 0xCCCC, low: 3))
        for change in receiver.changes() { _ = try third.receive(change) }
        #expect(third.versionVector == receiver.versionVector)
        // Jumping further than that is refused, even after the horizon was reached.
        let jump = Self.change(seq: 3, clock: HLC(milliseconds: HLC.horizon + 5), dependencies: VersionVector([(Self.b, UInt64(1))]))
        #expect(throws: ChangeRejection.self) { try third.receive(jump) }
        // A write that causally follows another still beats it, whatever the wall clocks say.
        let later = try third.makeChange(wallMilliseconds: 0) { try $0.create("causal", type: "t") }
        #expect(later.clock > next.clock)
    }

    /// A replica whose own seq was pushed to the end (by changes claiming its id) refuses to
    /// edit instead of trapping.
    @Test func aReplicaAtItsLastSeqRefusesToEdit() throws {
        var replica = Replica(id: Self.a)
        let impostor = Self.change(seq: 1, clock: HLC(milliseconds: Self.now))
        _ = try replica.receive(impostor)
        var exhausted = Replica(
            id: Self.a, clock: replica.clock, versionVector: VersionVector([(Self.a, Seq.maximum)] as [(ReplicaID, UInt64)]), documents: replica.documents,
            clocks: [:])
        #expect(throws: EditError.sequenceExhausted) { try exhausted.makeChange(wallMilliseconds: Self.now) { try $0.create("y", type: "t") } }
    }

    /// A checkpoint whose text names a change its own version vector does not cover (item 11)
    /// is refused when restored with checks; restored without them, the next edit is refused
    /// instead of trapping.
    @Test func aCheckpointThatContradictsItselfIsRefused() async throws {
        let bytes = try Self.contradictingCheckpoint()
        #expect(throws: DecodingError.self) { try Replica(checkpoint: bytes) }
        await #expect(processExitsWith: .success) {
            var restored = try! Replica(authenticatedCheckpoint: try! HostileInputTests.contradictingCheckpoint())
            do {
                try restored.makeChange(wallMilliseconds: HostileInputTests.now) { try $0.insertText("d", "note", at: 1, "!") }
                fatalError("an edit of a self-contradicting state was accepted")
            } catch EditError.inconsistentState {}
        }
    }

    /// Text of seq 1 and 2 of replica `a`, in a checkpoint whose vector says `a` is at 1.
    static func contradictingCheckpoint() throws -> [UInt8] {
        var replica = Replica(id: a)
        try replica.makeChange(wallMilliseconds: now) { change in
            try change.create("d", type: "symptom")
            try change.insertText("d", "note", at: 0, "a")
        }
        try replica.makeChange(wallMilliseconds: now + 1) { try $0.insertText("d", "note", at: 1, "b") }
        let contradicting = Replica(
            id: a, clock: replica.clock, versionVector: VersionVector([(a, UInt64(1))]), documents: replica.documents,
            clocks: [a: [replica.clock(of: ChangeID(replica: a, seq: 1))!]])
        return contradicting.checkpoint()
    }

    /// A snapshot whose text deletes a range that runs past the end of the 64-bit range used
    /// to pass the `start + length > start` check after the addition overflowed.
    @Test func snapshotDeletedRangesAreCheckedWithoutOverflow() async throws {
        await #expect(processExitsWith: .success) {
            _ = try? StateSnapshot.decode(HostileInputTests.hostileSnapshot())
        }
        #expect(throws: DecodingError.self) { try StateSnapshot.decode(Self.hostileSnapshot()) }
    }

    /// A snapshot whose one text run of "abc" has its middle character deleted, with the
    /// deleted range's length (the last byte) replaced by 2^64 − 1.
    static func hostileSnapshot() -> [UInt8] {
        var replica = Replica(id: a)
        try! replica.makeChange(wallMilliseconds: now) { change in
            try change.create("d", type: "symptom")
            try change.insertText("d", "note", at: 0, "abc")
        }
        try! replica.makeChange(wallMilliseconds: now + 1) { try $0.deleteText("d", "note", at: 1, count: 1) }
        let bytes = replica.snapshot.encoded()
        precondition(Array(bytes.suffix(2)) == [1, 1], "the deleted range (start 1, length 1) ends the snapshot")
        return Array(bytes.dropLast()) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
    }
    /// A snapshot naming a change its vector does not cover is refused.
    @Test func aSnapshotThatContradictsItselfIsRefused() throws {
        var replica = Replica(id: Self.a)
        try replica.makeChange(wallMilliseconds: Self.now) { try $0.create("d", type: "symptom") }
        try replica.makeChange(wallMilliseconds: Self.now + 1) { try $0.set("d", "pain", to: .int(4)) }
        let contradicting = StateSnapshot(versionVector: VersionVector([(Self.a, UInt64(1))]), documents: replica.snapshot.documents)
        #expect(throws: DecodingError.self) { try StateSnapshot.decode(contradicting.encoded()) }
    }
}
