import FlareCRDT
import FlareCrypto
import FlareStore
import FlareWire
import Testing
import TestSupport

@testable import FlareSync

/// The pieces of the client session on their own: envelopes, the outbox, the stored state,
/// relay addresses.
@Suite struct PartsTests {
    static func changes(_ count: Int, noteSize: Int = 40) throws -> [Change] {
        var replica = Replica(id: ReplicaID(high: 7, low: 7))
        return try (0..<count).map { index in
            try replica.makeChange(wallMilliseconds: UInt64(index + 1) * 1000) { change in
                try change.create("e\(index)", type: "symptom")
                try change.insertText("e\(index)", "note", at: 0, String(repeating: "a", count: noteSize))
            }
        }
    }

    @Test func envelopesOpenOnlyUnderTheirVaultKeyAndLabel() throws {
        let keys = VaultSecret.random().keys()
        let changes = try Self.changes(3)
        let envelope = EnvelopeSealing.seal(changes, vault: keys.vaultID, key: keys.dataKey)
        #expect(envelope.firstSeq == 1 && envelope.lastSeq == 3)
        #expect(try EnvelopeSealing.open(envelope, vault: keys.vaultID, key: keys.dataKey) == changes)

        let other = VaultSecret.random().keys()
        #expect(throws: SyncError.self) { try EnvelopeSealing.open(envelope, vault: other.vaultID, key: keys.dataKey) }
        #expect(throws: SyncError.self) { try EnvelopeSealing.open(envelope, vault: keys.vaultID, key: other.dataKey) }
        let relabelled = try Envelope(replica: envelope.replica, firstSeq: 2, lastSeq: 4, sealed: envelope.sealed)
        #expect(throws: SyncError.self) { try EnvelopeSealing.open(relabelled, vault: keys.vaultID, key: keys.dataKey) }
        // A box sealed with a label that does not match its changes is refused after opening.
        let lying = try Envelope(
            replica: envelope.replica, firstSeq: 1, lastSeq: 2,
            sealed: keys.dataKey.seal(
                ChangeCodec.encode(changes),
                associatedData: EnvelopeSealing.associatedData(vault: keys.vaultID, epoch: 0, replica: envelope.replica, first: 1, last: 2)))
        #expect(throws: SyncError.badEnvelope(lying.label, "it holds other changes than its label names")) {
            try EnvelopeSealing.open(lying, vault: keys.vaultID, key: keys.dataKey)
        }
    }

    @Test func theOutboxFitsTheRelaysFramesAndKeepsOrder() throws {
        let keys = VaultSecret.random().keys()
        let changes = try Self.changes(500, noteSize: 200)
        let limit = 8 * 1024
        let outbox = try Outbox(changes: changes, vault: keys.vaultID, key: keys.dataKey, frameLimit: limit)
        #expect(outbox.changeCount == 500)
        #expect(outbox.pushes.count > 1)
        for push in outbox.pushes { #expect(Message.push(push).encoded().count <= limit) }
        let opened = try outbox.pushes.flatMap { $0 }.flatMap { try EnvelopeSealing.open($0, vault: keys.vaultID, key: keys.dataKey) }
        #expect(opened == changes)

        let huge = try Self.changes(1, noteSize: 20_000)
        #expect(throws: SyncError.self) { try Outbox(changes: huge, vault: keys.vaultID, key: keys.dataKey, frameLimit: limit) }
    }

    @Test func syncStateRoundTripsAndIsPerRelay() throws {
        var state = SyncState(relay: RelayAddress(host: "relay.example.org", port: 7400))
        state.admitted = true
        state.store = WireID([UInt8](repeating: 9, count: 16))
        state.pulledServerSeq = 1234
        state.relayHolds = VersionVector([(ReplicaID(high: 1, low: 2), UInt64(40)), (ReplicaID(high: 3, low: 4), UInt64(7))])
        state.lastSyncMilliseconds = 1_790_000_000_000
        #expect(try SyncState(decoding: state.encoded()) == state)
        #expect(throws: (any Error).self) { try SyncState(decoding: state.encoded() + [0]) }
        #expect(throws: (any Error).self) { try SyncState(decoding: Array(state.encoded().dropLast())) }

        let folder = try TemporaryFolder()
        let vault = try Vault.create(at: folder.path("v.flare"), passphrase: "a passphrase", parameters: .minimumForTests)
        #expect(try SyncState.load(from: vault) == nil)
        try vault.setLocalState(SyncState.name, to: state.encoded())
        #expect(try SyncState.load(from: vault) == state)
        #expect(try SyncState.load(from: vault, relay: state.relay) == state)
        // Another relay starts afresh.
        let other = RelayAddress(host: "127.0.0.1", port: 7400)
        #expect(try SyncState.load(from: vault, relay: other) == SyncState(relay: other))
        try vault.close()
    }

    @Test func relayAddressesAreReadOrRefused() throws {
        #expect(RelayAddress(parsing: "127.0.0.1:7400") == RelayAddress(host: "127.0.0.1", port: 7400))
        #expect(RelayAddress(parsing: " relay.example.org:443 ") == RelayAddress(host: "relay.example.org", port: 443))
        #expect(RelayAddress(parsing: "[::1]:7400") == RelayAddress(host: "::1", port: 7400))
        #expect(RelayAddress(parsing: "127.0.0.1:0", allowingAnyPort: true)?.port == 0)
        #expect(RelayAddress(host: "::1", port: 7400).description == "[::1]:7400")
        for bad in ["", "7400", "host", "host:", ":7400", "host:0", "host:70000", "host:port", "a b:1"] {
            #expect(RelayAddress(parsing: bad) == nil)
        }
    }
}
