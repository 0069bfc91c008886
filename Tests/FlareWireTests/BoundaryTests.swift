import FlareBytes
import Testing

@testable import FlareWire

/// Every number a message carries is checked where it is decoded (issue 11): each field at 0,
/// its maximum, one past it, 2^63 and 2^64 − 1.
@Suite struct BoundaryTests {
    static let id = WireID([UInt8](repeating: 7, count: 16))!
    static let boundaries: [UInt64] = [0, 1, Seq.maximum, Seq.maximum + 1, 1 << 63, .max]

    /// Builds an envelope without the initializer's checks, the way a hostile peer's bytes
    /// would arrive: the wire form is written by hand.
    static func envelopeBytes(first: UInt64, last: UInt64, epoch: UInt64 = 0) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(id.bytes)
        writer.varint(first)
        writer.varint(last)
        writer.varint(epoch)
        writer.varint(1)
        writer.byte(0xAB)
        return writer.bytes
    }

    static func decodes(_ build: (inout ByteWriter) -> Void) -> Bool {
        var writer = ByteWriter()
        build(&writer)
        return (try? Message.decode(writer.bytes)) != nil
    }

    /// Server seqs may be 0 where they say "nothing yet" (welcome, ack, pull, notify) and must
    /// be 1 or more where they name an envelope (batch); none may pass 2^63 − 1.
    @Test(arguments: boundaries)
    func serverSeqs(value: UInt64) {
        let inRange = value <= Seq.maximum
        #expect(Self.decodes { $0.byte(0x05); $0.raw(Self.id.bytes); $0.varint(value); $0.varint(0); $0.varint(0) } == inRange)
        #expect(Self.decodes { $0.byte(0x11); $0.varint(0); $0.varint(value); $0.varint(Seq.maximum) } == inRange)
        #expect(Self.decodes { $0.byte(0x11); $0.varint(0); $0.varint(0); $0.varint(value) } == inRange)
        #expect(Self.decodes { $0.byte(0x12); $0.varint(value); $0.varint(1024) } == inRange)
        #expect(Self.decodes { $0.byte(0x14); $0.varint(value) } == inRange)
        #expect(Self.decodes { writer in
            writer.byte(0x13); writer.varint(1); writer.varint(value); writer.raw(Self.envelopeBytes(first: 1, last: 1)); writer.byte(0)
        } == (inRange && value >= 1))
    }

    /// Replica seqs (high-water marks, envelope labels, snapshot vectors) are 1 to 2^63 − 1.
    @Test(arguments: boundaries)
    func replicaSeqs(value: UInt64) {
        let inRange = value >= 1 && value <= Seq.maximum
        #expect(Self.decodes { $0.byte(0x05); $0.raw(Self.id.bytes); $0.varint(0); $0.varint(1); $0.raw(Self.id.bytes); $0.varint(value); $0.varint(0) } == inRange)
        #expect(Self.decodes { $0.byte(0x10); $0.varint(1); $0.raw(Self.envelopeBytes(first: 1, last: value)) } == inRange)
        #expect(Self.decodes { $0.byte(0x10); $0.varint(1); $0.raw(Self.envelopeBytes(first: value, last: value)) } == inRange)
        #expect(Self.decodes { $0.byte(0x20); $0.varint(1); $0.raw(Self.id.bytes); $0.varint(value); $0.varint(1); $0.byte(1) } == inRange)
    }

    /// Key epochs are 0 (1 where a record names one) to 2^32 − 1, in every message that carries
    /// one: welcome, envelopes in push and batch, devices, epochs get, epoch stored, rekeyed,
    /// and the epoch record itself.
    @Test(arguments: [
        (UInt64(0), true), (1, true), (EpochRecord.largestEpoch, true), (EpochRecord.largestEpoch + 1, false), (1 << 63, false), (.max, false),
    ])
    func keyEpochs(value: UInt64, inRange: Bool) {
        let positive = inRange && value >= 1
        #expect(Self.decodes { $0.byte(0x05); $0.raw(Self.id.bytes); $0.varint(0); $0.varint(0); $0.varint(value) } == inRange)
        #expect(Self.decodes { $0.byte(0x10); $0.varint(1); $0.raw(Self.envelopeBytes(first: 1, last: 1, epoch: value)) } == inRange)
        #expect(Self.decodes { writer in
            writer.byte(0x13); writer.varint(1); writer.varint(1); writer.raw(Self.envelopeBytes(first: 1, last: 1, epoch: value)); writer.byte(0)
        } == inRange)
        #expect(Self.decodes { writer in
            writer.byte(0x51); writer.varint(1); writer.raw([UInt8](repeating: 2, count: 32)); writer.byte(0); writer.varint(0); writer.varint(0)
            writer.varint(value); writer.byte(0)
        } == inRange)
        #expect(Self.decodes { $0.byte(0x56); $0.varint(value) } == inRange)
        #expect(Self.decodes { $0.byte(0x59); $0.varint(value) } == positive)
        #expect(Self.decodes { $0.byte(0x5a); $0.varint(value) } == positive)
        #expect(((try? EpochRecord.decode(Self.recordBytes(epoch: value))) != nil) == positive)
        #expect(Self.decodes { writer in
            let record = Self.recordBytes(epoch: value)
            writer.byte(0x58); writer.varint(record.count); writer.raw(record)
        } == positive)
    }

    /// A record's time is 0 to 2^63 − 1 seconds.
    @Test(arguments: [(UInt64(0), true), (Seq.maximum, true), (Seq.maximum + 1, false), (1 << 63, false), (.max, false)])
    func epochRecordTimes(value: UInt64, accepted: Bool) {
        #expect(((try? EpochRecord.decode(Self.recordBytes(epoch: 1, time: value))) != nil) == accepted)
    }

    /// An epoch record written by hand: one revoked key, one member (the revoker).
    static func recordBytes(epoch: UInt64, time: UInt64 = 0) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(id.bytes)
        writer.varint(epoch)
        writer.raw([UInt8](repeating: 1, count: 32))
        writer.raw([UInt8](repeating: 2, count: 32))
        writer.varint(time)
        writer.varint(1)
        writer.raw([UInt8](repeating: 3, count: 32))
        writer.varint(1)
        writer.raw([UInt8](repeating: 2, count: 32))
        writer.varint(1)
        writer.byte(9)
        writer.varint(1)
        writer.byte(9)
        writer.raw([UInt8](repeating: 4, count: 128))
        return writer.bytes
    }

    /// The idle time a relay announces is 0 to one day: a device converts it to a duration.
    @Test(arguments: [(0, true), (Message.maximumIdleSeconds, true), (Message.maximumIdleSeconds + 1, false), (1 << 63, false), (UInt64.max, false)])
    func idleSeconds(value: UInt64, accepted: Bool) {
        #expect(Self.decodes { writer in
            writer.byte(0x02); writer.varint(1); writer.raw([UInt8](repeating: 1, count: 32)); writer.raw(Self.id.bytes)
            writer.raw([0, 0x10, 0, 0]); writer.varint(value)
        } == accepted)
    }

    /// The frame limit a relay announces is 1 byte to the hard maximum.
    @Test(arguments: [(0, false), (1, true), (UInt32(Frame.maximumLength), true), (UInt32(Frame.maximumLength) + 1, false), (UInt32.max, false)])
    func frameLimits(value: UInt32, accepted: Bool) {
        #expect(Self.decodes { writer in
            writer.byte(0x02); writer.varint(1); writer.raw([UInt8](repeating: 1, count: 32)); writer.raw(Self.id.bytes)
            writer.raw([UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)])
            writer.varint(60)
        } == accepted)
    }

    /// A `batch` holding one envelope is at most `largestBatchPayload` bytes, whatever its
    /// server seq: what a relay checks at push time so that every envelope can be served.
    @Test func largestBatchPayloadBoundsTheBatch() throws {
        for size in [1, 127, 128, 16_383, 16_384, 1 << 20] {
            let envelope = try Envelope(replica: Self.id, firstSeq: Seq.maximum, lastSeq: Seq.maximum, sealed: [UInt8](repeating: 1, count: size))
            let batch = Message.batch([(serverSeq: Seq.maximum, envelope: envelope)], more: true).encoded()
            #expect(batch.count == envelope.largestBatchPayload)
            let small = Message.batch([(serverSeq: 1, envelope: try Envelope(replica: Self.id, firstSeq: 1, lastSeq: 1, sealed: envelope.sealed))], more: false)
            #expect(small.encoded().count <= envelope.largestBatchPayload)
        }
    }
}
