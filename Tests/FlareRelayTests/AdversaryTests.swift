import FlareCrypto
import FlareRelay
import FlareWire
import Foundation
import NIOPosix
import Testing
import TestSupport

/// What peers can do to a relay over real connections: each gets its typed error or a
/// disconnect, the relay keeps serving others, and nothing stored changes.
@Suite struct AdversaryTests {
    struct Relay {
        let folder: TemporaryFolder
        let storage: SQLiteRelayStorage
        let server: RelayServer

        /// A relay on loopback. Its connections may idle for ten minutes unless a test says
        /// otherwise: on a loaded machine a test's own thread can be held up for a minute
        /// between two of its steps, and the relay must not close on it meanwhile.
        static func start(settings: RelaySession.Settings = .init(idleSeconds: 600), limits: RelayServer.Limits = .init()) async throws -> Relay {
            let folder = try TemporaryFolder()
            let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
            let server = try await RelayServer.start(
                host: "127.0.0.1", port: 0, storage: storage, settings: settings, limits: limits, group: MultiThreadedEventLoopGroup.singleton)
            return Relay(folder: folder, storage: storage, server: server)
        }

        /// What the relay stores, for "nothing changed" checks.
        func stored() throws -> String {
            try storage.vaults().map { "\($0.vault) \($0.envelopes) \($0.bytes)" }.joined(separator: ";")
        }
    }

    /// A connected, admitted device that has pushed one envelope: the "others" the relay must
    /// keep serving.
    static func bystander(_ relay: Relay, invite: Bool = false) throws -> (RelaySessionTests.Device, WireClient) {
        let device = RelaySessionTests.Device(VaultSecret.random())
        let client = try WireClient(port: relay.server.port)
        let nonce = Random.bytes(32)
        client.send(.hello(lowestVersion: 3, highestVersion: 3, vault: device.vault, deviceKey: device.deviceKey.publicKey, nonce: nonce, replica: device.replica))
        guard case .challenge(let version, let relayNonce, let session, _, _)? = try client.receive() else { throw WireError.malformed("no challenge") }
        let transcript = Transcript.auth(
            vault: device.vault, deviceKey: device.deviceKey.publicKey, replica: device.replica, deviceNonce: nonce, relayNonce: relayNonce, session: session, version: version)
        let admission = device.keys.authKey.signature(for: Transcript.admission(vault: device.vault, deviceKey: device.deviceKey.publicKey, replica: device.replica))
        client.send(.join(
            vaultAuthKey: device.keys.authKey.publicKey, admission: admission, invite: invite ? try relay.storage.createInvite() : "",
            signature: device.deviceKey.signature(for: transcript)))
        guard case .welcome? = try client.receive() else { throw WireError.malformed("no welcome") }
        client.send(.push([device.envelope(1, 1)]))
        guard case .ack? = try client.receive() else { throw WireError.malformed("no ack") }
        return (device, client)
    }

    static func stillServed(_ client: WireClient) throws -> Bool {
        client.send(.ping(nonce: 77))
        guard case .pong(77)? = try client.receive() else { return false }
        return true
    }

    @Test func strangersForgersAndReplayersAreRefused() async throws {
        let relay = try await Relay.start()
        let (device, bystander) = try Self.bystander(relay, invite: true)
        let before = try relay.stored()

        // An unregistered vault on an invite-only relay.
        let stranger = RelaySessionTests.Device(VaultSecret.random())
        let unknown = try WireClient(port: relay.server.port)
        let nonce = Random.bytes(32)
        unknown.send(.hello(lowestVersion: 3, highestVersion: 3, vault: stranger.vault, deviceKey: stranger.deviceKey.publicKey, nonce: nonce, replica: stranger.replica))
        guard case .challenge(let version, let relayNonce, let session, _, _)? = try unknown.receive() else { Issue.record("no challenge"); return }
        let transcript = Transcript.auth(
            vault: stranger.vault, deviceKey: stranger.deviceKey.publicKey, replica: stranger.replica, deviceNonce: nonce, relayNonce: relayNonce, session: session, version: version)
        let admission = stranger.keys.authKey.signature(for: Transcript.admission(vault: stranger.vault, deviceKey: stranger.deviceKey.publicKey, replica: stranger.replica))
        unknown.send(.join(vaultAuthKey: stranger.keys.authKey.publicKey, admission: admission, invite: "", signature: stranger.deviceKey.signature(for: transcript)))
        guard case .error(.unknownVault, _)? = try unknown.receive() else { Issue.record("an unknown vault was not refused"); return }
        #expect(try unknown.receive() == nil)

        // The wrong vault key: another vault's auth key claiming the bystander's vault.
        let forger = try WireClient(port: relay.server.port)
        let forgerNonce = Random.bytes(32)
        forger.send(.hello(lowestVersion: 3, highestVersion: 3, vault: device.vault, deviceKey: stranger.deviceKey.publicKey, nonce: forgerNonce, replica: stranger.replica))
        guard case .challenge(let v2, let n2, let s2, _, _)? = try forger.receive() else { Issue.record("no challenge"); return }
        let forgedTranscript = Transcript.auth(
            vault: device.vault, deviceKey: stranger.deviceKey.publicKey, replica: stranger.replica, deviceNonce: forgerNonce, relayNonce: n2, session: s2, version: v2)
        forger.send(.join(
            vaultAuthKey: stranger.keys.authKey.publicKey,
            admission: stranger.keys.authKey.signature(for: Transcript.admission(vault: device.vault, deviceKey: stranger.deviceKey.publicKey, replica: stranger.replica)),
            invite: "", signature: stranger.deviceKey.signature(for: forgedTranscript)))
        guard case .error(.authFailed, _)? = try forger.receive() else { Issue.record("a forged admission was not refused"); return }
        #expect(try forger.receive() == nil)

        // A recorded auth replayed in a new session.
        let recorder = try WireClient(port: relay.server.port)
        let recordedNonce = Random.bytes(32)
        recorder.send(.hello(lowestVersion: 3, highestVersion: 3, vault: device.vault, deviceKey: device.deviceKey.publicKey, nonce: recordedNonce, replica: device.replica))
        guard case .challenge(let v3, let n3, let s3, _, _)? = try recorder.receive() else { Issue.record("no challenge"); return }
        let recorded = device.deviceKey.signature(for: Transcript.auth(
            vault: device.vault, deviceKey: device.deviceKey.publicKey, replica: device.replica, deviceNonce: recordedNonce, relayNonce: n3, session: s3, version: v3))
        let replayer = try WireClient(port: relay.server.port)
        replayer.send(.hello(lowestVersion: 3, highestVersion: 3, vault: device.vault, deviceKey: device.deviceKey.publicKey, nonce: recordedNonce, replica: device.replica))
        guard case .challenge? = try replayer.receive() else { Issue.record("no challenge"); return }
        replayer.send(.auth(signature: recorded))
        guard case .error(.authFailed, _)? = try replayer.receive() else { Issue.record("a replayed auth was not refused"); return }
        #expect(try replayer.receive() == nil)

        #expect(try Self.stillServed(bystander))
        #expect(try relay.stored() == before)
        try await relay.server.stop()
    }

    @Test func oversizedGarbledAndTruncatedFramesCloseOnlyTheirConnection() async throws {
        let relay = try await Relay.start(settings: .init(maximumFrame: 4096, idleSeconds: 600, open: true))
        let (_, bystander) = try Self.bystander(relay)
        let before = try relay.stored()

        let greedy = try WireClient(port: relay.server.port)
        greedy.raw([0x00, 0x00, 0x10, 0x01])
        guard case .error(.frameTooLarge, _)? = try greedy.receive() else { Issue.record("no frameTooLarge"); return }
        #expect(try greedy.receive() == nil)

        let noisy = try WireClient(port: relay.server.port)
        noisy.raw(Random.bytes(64))
        let reply = try noisy.receive()
        if case .error(let code, _)? = reply { #expect(code == .frameTooLarge || code == .malformed) }
        #expect(try noisy.receive() == nil)

        let cut = try WireClient(port: relay.server.port)
        cut.raw(Array(Frame.encode(Message.ping(nonce: 1).encoded()).prefix(6)))
        cut.shutdownWriting()
        #expect(try cut.receive() == nil)

        #expect(try Self.stillServed(bystander))
        #expect(try relay.stored() == before)
        try await relay.server.stop()
    }

    @Test func aSlowLorisIsClosedWhileOthersAreServed() async throws {
        let relay = try await Relay.start(settings: .init(idleSeconds: 1, open: true))
        let loris = try WireClient(port: relay.server.port)
        // One byte of a frame every 200 ms: never silent, never a whole frame.
        let frame = Frame.encode(Message.ping(nonce: 5).encoded())
        var closed = false
        for byte in frame.dropLast() + Array(repeating: 0, count: 40) {
            loris.raw([byte])
            try await Task.sleep(for: .milliseconds(200))
            if loris.isClosedByPeer() {
                closed = true
                break
            }
            let (_, bystander) = try Self.bystander(relay)
            #expect(try Self.stillServed(bystander))
        }
        #expect(closed, "the relay kept a connection that sent no whole frame")
        #expect(relay.server.counters.current.connectionsOpen <= 1)
        try await relay.server.stop()
    }

    @Test func connectionsOverTheCapAreToldSoAndClosed() async throws {
        let relay = try await Relay.start(settings: .init(idleSeconds: 600, open: true), limits: .init(maximumConnections: 2))
        let first = try WireClient(port: relay.server.port)
        let second = try WireClient(port: relay.server.port)
        #expect(try Self.stillServed(first) && Self.stillServed(second))
        let third = try WireClient(port: relay.server.port)
        guard case .error(.rateLimited, let message)? = try third.receive() else { Issue.record("the third connection was not refused"); return }
        #expect(message.contains("limit of 2 connections"))
        #expect(try third.receive() == nil)
        #expect(relay.server.counters.current.connectionsRefused == 1)
        try await relay.server.stop()
    }

    @Test func aFloodIsThrottledNotDropped() async throws {
        let relay = try await Relay.start(settings: .init(idleSeconds: 600, open: true), limits: .init(framesPerSecond: 20))
        let flooder = try WireClient(port: relay.server.port)
        for nonce in 0..<60 { flooder.send(.ping(nonce: UInt32(nonce))) }
        var answered: [UInt32] = []
        while answered.count < 60, case .pong(let nonce)? = try flooder.receive() { answered.append(nonce) }
        #expect(answered == Array(0..<60))
        #expect(relay.server.counters.current.throttled > 0)
        try await relay.server.stop()
    }

    @Test func stoppingTellsConnectedDevicesAndKeepsWhatWasAcknowledged() async throws {
        let relay = try await Relay.start(settings: .init(idleSeconds: 600, open: true))
        let (device, client) = try Self.bystander(relay)
        try await relay.server.stop()
        guard case .error(.shuttingDown, _)? = try client.receive() else { Issue.record("no shuttingDown"); return }
        #expect(try client.receive() == nil)
        #expect(try relay.storage.position(of: device.vault).serverSeq == 1)
    }
}
