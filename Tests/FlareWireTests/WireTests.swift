import FlareWire
import Foundation
import PropertyBased
import Testing
import TestSupport
import ToolSupport

@Suite struct WireTests {
    static let vault = WireID([UInt8](repeating: 0x11, count: 16))!
    static let replica = WireID([UInt8](repeating: 0x22, count: 16))!
    static let session = WireID([UInt8](repeating: 0x33, count: 16))!
    static let key = [UInt8](0..<32)
    static let nonce = [UInt8](32..<64)
    static let signature = [UInt8](64..<128)

    static func mark(_ seq: UInt64) -> (replica: WireID, seq: UInt64) { (replica, seq) }

    static func envelope(_ first: UInt64, _ last: UInt64, epoch: UInt64 = 0) -> Envelope {
        try! Envelope(replica: replica, firstSeq: first, lastSeq: last, epoch: epoch, sealed: [0xAB, 0xCD, 0xEF])
    }

    /// An epoch record of fixed bytes (its signatures and boxes are not real: the wire
    /// vectors fix the layout; Protocol/vectors/crypto.json has a real one).
    static let record = try! EpochRecord(
        vault: vault, epoch: 2, authKey: [UInt8](repeating: 0xa2, count: 32), revoker: key, time: 1_796_000_000,
        revoked: [[UInt8](repeating: 0x6b, count: 32)],
        members: [
            .init(deviceKey: key, sealedSecret: [UInt8](repeating: 0x5a, count: 4)),
            .init(deviceKey: [UInt8](repeating: 0x6c, count: 32), sealedSecret: [UInt8](repeating: 0x5b, count: 4)),
        ],
        sealedPrevious: [UInt8](repeating: 0x9e, count: 4), parentSignature: [UInt8](repeating: 0x51, count: 64),
        revokerSignature: [UInt8](repeating: 0x52, count: 64))

    /// One of every message, named as in Protocol/vectors/wire.json.
    static let samples: [(name: String, message: Message)] = [
        ("hello", .hello(lowestVersion: 3, highestVersion: 3, vault: vault, deviceKey: key, nonce: nonce, replica: replica)),
        ("challenge", .challenge(version: 3, nonce: nonce, session: session, maximumFrame: 1 << 20, idleSeconds: 60)),
        ("auth", .auth(signature: signature)),
        ("join", .join(vaultAuthKey: key, admission: signature, invite: "k3y-7", signature: signature)),
        ("welcome", .welcome(store: WireID([UInt8](repeating: 0x5e, count: 16))!, serverSeq: 300, held: [Self.mark(42)], epoch: 2)),
        ("push", .push([envelope(43, 45, epoch: 2), envelope(46, 46, epoch: 2)])),
        ("ack", .ack(held: [Self.mark(46)], stored: 2, serverSeq: 302)),
        ("pull", .pull(afterServerSeq: 290, maximumBytes: 65_536)),
        ("batch", .batch([(serverSeq: UInt64(301), envelope: envelope(43, 45)), (serverSeq: UInt64(302), envelope: envelope(46, 46))], more: false)),
        ("notify", .notify(latestServerSeq: 302)),
        ("snapshot-put", .snapshotPut(covers: [Self.mark(46)], sealed: [1, 2, 3, 4])),
        ("snapshot-get", .snapshotGet),
        ("snapshot", .snapshot(covers: [Self.mark(46)], sealed: [1, 2, 3, 4])),
        ("forget", .forget(signature: signature)),
        ("forgotten", .forgotten),
        ("devices-get", .devicesGet(start: 16)),
        ("devices", .devices([
            AdmittedDevice(key: key, replica: replica, joined: 1_796_000_000, lastSeen: 1_796_086_400),
            AdmittedDevice(key: [UInt8](repeating: 0x6b, count: 32), replica: nil, joined: 0, lastSeen: 0, revokedIn: 2),
        ], more: false)),
        ("invite-put", .invitePut(lookup: WireID([UInt8](repeating: 0x1c, count: 16))!, expires: 1_796_000_600, sealed: [UInt8](repeating: 0xc5, count: 72))),
        ("invite-stored", .inviteStored),
        ("invite-take", .inviteTake(lookup: WireID([UInt8](repeating: 0x1c, count: 16))!)),
        ("invitation", .invitation(sealed: [UInt8](repeating: 0xc5, count: 72), expires: 1_796_000_600)),
        ("epochs-get", .epochsGet(after: 1)),
        ("epochs", .epochs([record], more: false)),
        ("epoch-put", .epochPut(record)),
        ("epoch-stored", .epochStored(epoch: 2)),
        ("rekeyed", .rekeyed(epoch: 2)),
        ("ping", .ping(nonce: 0xDEAD_BEEF)),
        ("pong", .pong(nonce: 0xDEAD_BEEF)),
        ("error", .error(.seqGap, message: "envelope 48-49 of 2222… does not follow 46")),
    ]

    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol/vectors/wire.json")

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Protocol/vectors/wire.json holds every sample as a framed hex string; the test checks the
    /// file both ways. `FLARE_WRITE_VECTORS=1 swift test --filter WireTests` rewrites it.
    @Test func messagesMatchTheVectorsBothWays() throws {
        let computed = Self.samples.map { ["name": $0.name, "frame_hex": Self.hex(Frame.encode($0.message.encoded()))] }
        if ProcessInfo.processInfo.environment["FLARE_WRITE_VECTORS"] == "1" {
            let data = try JSONSerialization.data(withJSONObject: ["messages": computed], options: [.prettyPrinted, .sortedKeys])
            try data.write(to: Self.vectors)
        }
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.vectors)) as? [String: Any])
        let entries = try #require(stored["messages"] as? [[String: String]])
        #expect(entries == computed)
        for (entry, sample) in zip(entries, Self.samples) {
            var decoder = Frame.Decoder()
            decoder.feed(try #require(Self.bytes(fromHex: entry["frame_hex"]!)))
            let payload = try #require(try decoder.next())
            let decoded = try Message.decode(payload)
            #expect(decoded.type == sample.message.type)
            #expect(decoded.encoded() == payload, "\(entry["name"]!)")
        }
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    @Test func everyTruncationAndTrailingByteIsRefused() throws {
        for sample in Self.samples {
            let payload = sample.message.encoded()
            for length in 0..<payload.count {
                #expect(throws: WireError.self, "\(sample.name) cut to \(length)") { try Message.decode(Array(payload.prefix(length))) }
            }
            #expect(throws: WireError.malformed("1 bytes after the message")) { try Message.decode(payload + [0]) }
        }
        #expect(throws: WireError.unknownMessage(0x5b)) { try Message.decode([0x5b]) }
        #expect(throws: WireError.self) { try Message.decode([0x55, 0x00, 0x01]) }  // an empty sealed invitation
        #expect(throws: WireError.self) { try Message.decode([0x7f, 0x00, 0x63, 0x00]) }  // error code 99
        #expect(throws: WireError.self) { try Message.decode([0x13, 0x00, 0x02]) }  // more flag 2
        #expect(throws: WireError.self) { try Envelope(replica: Self.replica, firstSeq: 5, lastSeq: 4, sealed: [1]) }
        #expect(throws: WireError.self) { try Envelope(replica: Self.replica, firstSeq: 0, lastSeq: 0, sealed: [1]) }
    }

    /// However a stream of frames is cut into reads, the same payloads come out.
    @Test func framesSurviveAnyChunking() async {
        let stream = Self.samples.flatMap { Frame.encode($0.message.encoded()) }
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var random = SplitMix64(state: seed)
                var decoder = Frame.Decoder()
                var payloads: [[UInt8]] = []
                var position = 0
                while position < stream.count {
                    let size = 1 + Int(random.next() % 40)
                    decoder.feed(stream[position..<min(stream.count, position + size)])
                    position += size
                    while let payload = try decoder.next() { payloads.append(payload) }
                }
                #expect(payloads == Self.samples.map { $0.message.encoded() })
                #expect(decoder.pendingCount == 0)
            }
        }
    }

    @Test func oversizedAndEmptyFramesAreRefusedFromTheirLength() {
        var decoder = Frame.Decoder(limit: 1000)
        decoder.feed([0x00, 0x00, 0x03, 0xE9])  // 1001, with no payload sent yet
        #expect(throws: WireError.frameLength(1001, limit: 1000)) { try decoder.next() }
        var empty = Frame.Decoder()
        empty.feed([0, 0, 0, 0])
        #expect(throws: WireError.frameLength(0, limit: Frame.maximumLength)) { try empty.next() }
        var huge = Frame.Decoder(limit: 1 << 30)
        #expect(huge.limit == Frame.maximumLength)
        huge.feed([0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: WireError.self) { try huge.next() }
    }

    @Test func randomBytesNeverCrash() async {
        let payloads = Self.samples.map { $0.message.encoded() }
        await propertyCheck(count: 3000, input: Gen.int(in: 0..<payloads.count), Gen.uint64()) { which, seed in
            var random = SplitMix64(state: seed)
            var payload = payloads[which]
            payload[Int(random.next() % UInt64(payload.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            if let message = try? Message.decode(payload) { _ = message.encoded() }
        }
    }
}
