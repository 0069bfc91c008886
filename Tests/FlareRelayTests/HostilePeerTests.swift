import FlareBytes
import FlareCrypto
import FlareRelay
import FlareWire
import Foundation
import NIOPosix
import Testing
import TestSupport

/// What one admitted device could do to stop or swamp a relay for every vault (issue 11):
/// each is answered with a clear error or served within bounds, and the relay keeps serving.
@Suite struct HostilePeerTests {
    static func admitted() throws -> (TemporaryFolder, SQLiteRelayStorage, RelaySessionTests.Device, RelaySession) {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let device = RelaySessionTests.Device(VaultSecret.random())
        var session = RelaySession(storage: storage, settings: .init(open: true))
        guard case .welcome? = device.join(&session, invite: "").replies.first else { throw WireError.malformed("no welcome") }
        return (folder, storage, device, session)
    }

    /// Case 1: a pull after the largest server seq, and envelopes labelled up to the largest
    /// seq, are served or stored; the decoder refuses anything past them before the relay
    /// sees it, so nothing reaches storage that does not fit its integers.
    @Test func pullsAndPushesAtTheLargestSeqs() async throws {
        await #expect(processExitsWith: .success) {
            let (_, _, device, session) = try! HostilePeerTests.admitted()
            var working = session
            let pulled = working.handle(.pull(afterServerSeq: Seq.maximum, maximumBytes: .max))
            guard case .batch(let items, false)? = pulled.replies.first, items.isEmpty else { fatalError("\(pulled.replies)") }
            let last = try! Envelope(replica: device.replica, firstSeq: 1, lastSeq: Seq.maximum, sealed: [1])
            guard case .ack(let held, 1, 1)? = working.handle(.push([last])).replies.first, held.first?.seq == Seq.maximum else {
                fatalError("not stored")
            }
        }
        // On the wire: 2^63 and 2^64 - 1 never become messages.
        for seq in [UInt64(1) << 63, .max] {
            var pull = ByteWriter()
            pull.byte(0x12)
            pull.varint(seq)
            pull.varint(1024)
            #expect(throws: WireError.self) { try Message.decode(pull.bytes) }
        }
    }

    /// Case 6: an envelope that fits a push frame but whose batch would not fit a frame is
    /// refused at push time, so no pull of the vault can ever fail on it.
    @Test func anEnvelopeThatCouldNotBeServedBackIsRefused() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let device = RelaySessionTests.Device(VaultSecret.random())
        let limit = 4096
        var session = RelaySession(storage: storage, settings: .init(maximumFrame: UInt32(limit), open: true))
        guard case .welcome? = device.join(&session, invite: "").replies.first else { Issue.record("no welcome"); return }
        let replica = device.replica
        // The largest sealed box whose push frame fits the limit.
        var size = limit
        while Message.push([try Envelope(replica: replica, firstSeq: 1, lastSeq: 1, sealed: [UInt8](repeating: 9, count: size))]).encoded().count > limit {
            size -= 1
        }
        let tooBig = try Envelope(replica: replica, firstSeq: 1, lastSeq: 1, sealed: [UInt8](repeating: 9, count: size))
        #expect(tooBig.largestBatchPayload > limit)
        let refused = session.handle(.push([tooBig]))
        #expect(RelaySessionTests.errorCode(refused) == .frameTooLarge)
        #expect(try storage.vaults().first?.envelopes == 0)

        // The largest that can be served back is stored, and served back within the frame.
        var fitting = size
        while try Envelope(replica: replica, firstSeq: 1, lastSeq: 1, sealed: [UInt8](repeating: 9, count: fitting)).largestBatchPayload > limit {
            fitting -= 1
        }
        var again = RelaySession(storage: storage, settings: .init(maximumFrame: UInt32(limit), open: true))
        guard case .welcome? = device.auth(&again).replies.first else { Issue.record("no welcome"); return }
        let served = try Envelope(replica: replica, firstSeq: 1, lastSeq: 1, sealed: [UInt8](repeating: 9, count: fitting))
        guard case .ack(_, 1, _)? = again.handle(.push([served])).replies.first else { Issue.record("not stored"); return }
        let pulled = again.handle(.pull(afterServerSeq: 0, maximumBytes: .max))
        guard let batch = pulled.replies.first, case .batch(let items, false) = batch else { Issue.record("no batch"); return }
        #expect(items.count == 1)
        #expect(batch.encoded().count <= limit)
    }

    /// Case 10: a device that sends pull after pull and never reads cannot grow the relay's
    /// queued output past its bound; an honest device is served meanwhile.
    @Test func aDeviceThatNeverReadsCannotSwampTheRelay() async throws {
        let perConnection = 256 * 1024
        let relay = try await AdversaryTests.Relay.start(
            settings: .init(idleSeconds: 600, open: true), limits: .init(queuedBytesPerConnection: perConnection, queuedBytes: 4 << 20))
        let (device, honest) = try AdversaryTests.bystander(relay)
        // Fill the vault with enough to make each batch large.
        let replica = device.replica
        for seq in UInt64(1)...64 {
            honest.send(.push([try Envelope(replica: replica, firstSeq: seq, lastSeq: seq, sealed: [UInt8](repeating: 1, count: 60_000))]))
            guard case .ack? = try honest.receive() else { Issue.record("no ack"); return }
        }
        // The hostile one: same vault, asks for everything again and again, reads nothing.
        let hostile = try WireClient(port: relay.server.port)
        let nonce = Random.bytes(32)
        hostile.send(.hello(lowestVersion: 3, highestVersion: 3, vault: device.vault, deviceKey: device.deviceKey.publicKey, nonce: nonce, replica: device.replica))
        guard case .challenge(let version, let relayNonce, let session, _, _)? = try hostile.receive() else { Issue.record("no challenge"); return }
        hostile.send(.auth(signature: device.deviceKey.signature(for: Transcript.auth(
            vault: device.vault, deviceKey: device.deviceKey.publicKey, replica: device.replica, deviceNonce: nonce, relayNonce: relayNonce, session: session, version: version))))
        guard case .welcome? = try hostile.receive() else { Issue.record("no welcome"); return }
        var largest = 0
        for _ in 0..<400 {
            hostile.trySend(.pull(afterServerSeq: 0, maximumBytes: .max))
            largest = max(largest, relay.server.counters.current.bytesQueued)
        }
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(50))
            largest = max(largest, relay.server.counters.current.bytesQueued)
        }
        // Bounded by the per-connection mark plus the frame being written, not by 400 batches.
        #expect(largest <= perConnection + 2 * Frame.maximumLength, "queued \(largest) bytes")
        #expect(try AdversaryTests.stillServed(honest))
        honest.send(.pull(afterServerSeq: 0, maximumBytes: 1 << 20))
        guard case .batch(let items, _)? = try honest.receive() else { Issue.record("the honest device was not served"); return }
        #expect(!items.isEmpty)
        try await relay.server.stop()
    }
}
