import FlareCrypto
import FlareRelay
import FlareWire
import Foundation
import Testing
import TestSupport
import ToolSupport

/// A real `flare-relay` process against hostile clients over real connections (issue 11):
/// random and mutated frames after a valid handshake, huge declared lengths, and thousands of
/// half-open connections. The relay stays up, its memory stays bounded, and an honest device
/// of the same vault keeps syncing throughout. Replay a run with FLARE_HOSTILE_SEED.
@Suite(.serialized) struct HostileClientTests {
    static func residentKilobytes(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") ?? 0
    }

    /// The honest device: pushes one more envelope and pulls everything back, intact.
    struct Honest {
        let device: RelaySessionTests.Device
        let client: WireClient
        var replica: WireID { device.replica }
        var pushed: [Envelope] = []

        /// The next reply, past the `notify`s other devices' pushes cause.
        func reply() throws -> Message? {
            while true {
                let message = try client.receive()
                if case .notify? = message { continue }
                return message
            }
        }

        mutating func round() throws -> Bool {
            let seq = UInt64(pushed.count + 1)
            let envelope = try Envelope(replica: replica, firstSeq: seq, lastSeq: seq, sealed: [UInt8](repeating: UInt8(truncatingIfNeeded: seq), count: 200))
            client.send(.push([envelope]))
            guard case .ack(_, 1, _)? = try reply() else { return false }
            pushed.append(envelope)
            var got: [Envelope] = []
            var after: UInt64 = 0
            while true {
                client.send(.pull(afterServerSeq: after, maximumBytes: 1 << 20))
                guard case .batch(let items, let more)? = try reply() else { return false }
                got += items.map(\.envelope).filter { $0.replica == replica }
                after = items.last?.serverSeq ?? after
                if !more { break }
            }
            return got == pushed
        }
    }

    @Test func randomAndMutatedFramesHugeLengthsAndHalfOpenConnections() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: RelayProcess.binary.path), "build flare-relay first (Tools/test does)")
        let seed = ProcessInfo.processInfo.environment["FLARE_HOSTILE_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        print("HostileClientTests seed \(seed) (replay: FLARE_HOSTILE_SEED=\(seed))")
        var random = SplitMix64(state: seed)
        let folder = try TemporaryFolder()
        let relay = try RelayProcess(data: folder.path("relay"), arguments: ["--open", "--max-connections", "8000"])
        let pid = relay.process.processIdentifier
        let secret = VaultSecret.random()
        let honestDevice = RelaySessionTests.Device(secret)
        var honest = Honest(device: honestDevice, client: try RelayServerTests.connect(honestDevice, port: relay.port, join: true))
        #expect(try honest.round())
        let startKilobytes = Self.residentKilobytes(of: pid)

        // Half-open connections: connected, some with part of a frame header, then silent.
        var halfOpen: [WireClient] = []
        for index in 0..<3000 {
            let client = try WireClient(port: relay.port)
            if index % 3 == 1 { client.raw([0x00, 0x00]) }
            if index % 3 == 2 { client.raw([0x00, 0x00, 0x01, 0x00, 0x10, 0x01]) }
            halfOpen.append(client)
            if index % 500 == 499 { #expect(try honest.round(), "honest sync failed among half-open connections (seed \(seed))") }
        }
        let halfOpenKilobytes = Self.residentKilobytes(of: pid)
        halfOpen.removeAll()

        // Hostile frames after a valid handshake, from a device of the same vault.
        let valid: [Message] = [
            .push([try Envelope(replica: WireID([UInt8](repeating: 0x66, count: 16))!, firstSeq: 1, lastSeq: 1, sealed: [1, 2, 3])]),
            .pull(afterServerSeq: 0, maximumBytes: 1 << 20), .snapshotPut(covers: [], sealed: [9]), .snapshotGet, .ping(nonce: 1),
            .forget(signature: [UInt8](repeating: 0, count: 64)),
        ]
        var kinds: [String: Int] = [:]
        for round in 0..<600 {
            let hostile = try RelayServerTests.connect(RelaySessionTests.Device(secret), port: relay.port, join: true)
            let kind = Int(random.next() % 5)
            switch kind {
            case 0:  // random payload in a well-formed frame
                let payload = (0..<Int(1 + random.next() % 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                hostile.raw(Frame.encode(payload))
            case 1:  // a valid message with bytes flipped, cut or extended
                var payload = valid[Int(random.next() % UInt64(valid.count))].encoded()
                for _ in 0..<(1 + random.next() % 4) {
                    let at = Int(random.next() % UInt64(payload.count))
                    switch random.next() % 3 {
                    case 0: payload[at] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
                    case 1: payload = Array(payload.prefix(max(1, at)))
                    default: payload.append(UInt8(truncatingIfNeeded: random.next()))
                    }
                }
                hostile.raw(Frame.encode(payload))
            case 2:  // a huge declared length, and a few bytes of it
                let lengths: [UInt32] = [0xFFFF_FFFF, 0x7FFF_FFFF, UInt32(Frame.maximumLength) + 1, 0]
                let length = lengths[Int(random.next() % UInt64(lengths.count))]
                hostile.raw([UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), 0x12, 0x00])
            case 3:  // varints at the edges of every seq field
                let edges: [[UInt8]] = [
                    [0x12] + Array(repeating: 0xFF, count: 9) + [0x01, 0x00],
                    [0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00],
                    [0x10, 0x01] + [UInt8](repeating: 0x21, count: 16) + [0x01] + Array(repeating: 0xFF, count: 9) + [0x01, 0x01, 0x00],
                ]
                hostile.raw(Frame.encode(edges[Int(random.next() % UInt64(edges.count))]))
            default:  // a burst of pulls never read
                for _ in 0..<50 { hostile.trySend(.pull(afterServerSeq: 0, maximumBytes: .max)) }
            }
            kinds["\(kind)", default: 0] += 1
            if round % 50 == 49 { #expect(try honest.round(), "honest sync failed among hostile frames (seed \(seed))") }
        }
        #expect(try honest.round())
        let endKilobytes = Self.residentKilobytes(of: pid)
        print("HostileClientTests relay RSS: \(startKilobytes) kB at start, \(halfOpenKilobytes) kB with 3000 half-open connections, \(endKilobytes) kB after 600 hostile connections \(kinds.sorted { $0.key < $1.key })")
        #expect(relay.process.isRunning)
        #expect(endKilobytes < 512 * 1024, "relay RSS \(endKilobytes) kB")
        relay.stop()
    }
}
