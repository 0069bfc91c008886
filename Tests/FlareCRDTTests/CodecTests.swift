import FlareBytes
@testable import FlareCRDT
import PropertyBased
import Testing
import TestSupport

@Suite struct CodecTests {
    /// A history with every op kind, scalar kind and anchor kind, from three replicas.
    static func sampleHistory() throws -> [Change] {
        var schedule = RandomSchedule(seed: 42)
        try schedule.run(steps: 60)
        try schedule.syncAll()
        var replica = schedule.replicas[0]
        try replica.makeChange(wallMilliseconds: 1_767_300_000_000) { change in
            try change.create("entry", type: "symptom")
            try change.set("entry", "pain", to: .int(6))
            try change.set("entry", "sleep", to: .double(7.5))
            try change.set("entry", "ratio", to: .double(0.1))
            try change.set("entry", "flare", to: .bool(false))
            try change.set("entry", "cleared", to: .null)
            try change.add("entry", "regions", "neck")
            try change.remove("entry", "regions", "hips")
            try change.increment("entry", "flares", by: -3)
            try change.insertText("entry", "note", at: 0, "woke stiff")
            try change.insertText("entry", "note", at: 4, "up ")
            try change.deleteText("entry", "note", at: 0, count: 2)
        }
        return replica.changes()
    }

    @Test func everyTruncationIsAnError() throws {
        let bytes = ChangeCodec.encode(try Self.sampleHistory())
        for length in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try ChangeCodec.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: DecodingError.self) { try ChangeCodec.decode(bytes + [0]) }
    }

    @Test func everySnapshotTruncationIsAnError() throws {
        var replica = Replica(id: ReplicaID(high: 7, low: 7))
        for change in try Self.sampleHistory() { try replica.receive(change) }
        let bytes = replica.snapshot.encoded()
        for length in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try StateSnapshot.decode(Array(bytes.prefix(length))) }
        }
    }

    /// Random byte mutations either fail with a typed error or decode to changes that a replica
    /// then accepts or refuses with a typed error: never a crash.
    @Test func randomMutationsNeverCrash() async throws {
        let bytes = ChangeCodec.encode(try Self.sampleHistory())
        let snapshot = Replica(id: ReplicaID(high: 1, low: 2)).snapshot.encoded()
        await propertyCheck(count: 3000, input: Gen.int(in: 0..<bytes.count), Gen.uint8(), Gen.int(in: 1...4)) { position, value, span in
            failOnError("position \(position), value \(value), span \(span)") {
                var mutated = bytes
                for offset in 0..<span where position + offset < mutated.count { mutated[position + offset] ^= value | 1 }
                if let changes = try? ChangeCodec.decode(mutated) {
                    var replica = Replica(id: ReplicaID(high: 9, low: 9))
                    for change in changes { _ = try? replica.receive(change) }
                    _ = replica.snapshot.encoded()
                }
                var mutatedSnapshot = snapshot
                mutatedSnapshot[position % snapshot.count] ^= value | 1
                _ = try? StateSnapshot.decode(mutatedSnapshot)
            }
        }
    }

    @Test func varintsMustBeMinimalAndFit() throws {
        var overlong = ByteReader([0x80, 0x00])
        #expect(throws: DecodingError.malformedVarint(at: 0)) { try overlong.varint() }
        var tooBig = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02])
        #expect(throws: DecodingError.malformedVarint(at: 0)) { try tooBig.varint() }
        var largest = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(try largest.varint() == UInt64.max)
        var writer = ByteWriter()
        writer.signed(Int64.min)
        writer.signed(-1)
        var reader = ByteReader(writer.bytes)
        #expect(try reader.signed() == Int64.min)
        #expect(try reader.signed() == -1)
    }

    @Test func hostileCountsDoNotAllocate() {
        // Claims 2^62 replicas in a 14-byte input: refused before reserving anything.
        let bytes: [UInt8] = [0x46, 0x4C, 0x43, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00]
        #expect(throws: DecodingError.self) { try ChangeCodec.decode(bytes) }
    }

    @Test func unknownVersionIsRefused() throws {
        var bytes = ChangeCodec.encode(try Self.sampleHistory())
        bytes[3] = 2
        #expect(throws: DecodingError.unsupportedVersion(2)) { try ChangeCodec.decode(bytes) }
        #expect(throws: DecodingError.badMagic) { try ChangeCodec.decode([0x46, 0x4C, 0x53, 0x01]) }
    }

    @Test func doublesKeepEveryBit() throws {
        let values: [Double] = [7.5, 0.1, -0.0, .infinity, 1e300, .leastNonzeroMagnitude]
        var replica = Replica(id: ReplicaID(high: 3, low: 3))
        try replica.makeChange(wallMilliseconds: 1) { change in
            try change.create("d", type: "t")
            for (index, value) in values.enumerated() { try change.set("d", "f\(index)", to: .double(value)) }
        }
        let decoded = try ChangeCodec.decode(ChangeCodec.encode(replica.changes()))
        for (index, value) in values.enumerated() {
            guard case .set(_, _, .double(let got)) = decoded[0].operations[index + 1] else {
                Issue.record("op \(index + 1) is not a double write")
                continue
            }
            #expect(got.bitPattern == value.bitPattern)
        }
    }
}

@Suite struct ScalarTests {
    @Test func aChangeHoldingNaNIsADuplicateOfItsDecodedCopy() throws {
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        try phone.makeChange(wallMilliseconds: 1) { change in
            try change.create("d", type: "t")
            try change.set("d", "x", to: .double(.nan))
        }
        var laptop = Replica(id: ReplicaID(high: 2, low: 2))
        let copy = try ChangeCodec.decode(ChangeCodec.encode(phone.changes()))[0]
        try laptop.receive(copy)
        let again = try ChangeCodec.decode(ChangeCodec.encode(phone.changes()))[0]
        #expect(try laptop.receive(again) == .duplicate)
    }
}
