import FlareCRDT
import FlareCrypto
import FlareRelay
import FlareStore
import FlareWire
import Foundation
import NIOConcurrencyHelpers
import Testing
import TestSupport

@testable import FlareSync

/// Revoking a device and moving the vault to a new key epoch, through a real relay on loopback
/// (issue 14).
@Suite struct RevocationTests {
    /// Creates `names`, each logging a few entries, and syncs each once.
    static func synced(_ names: [String], devices: TestDevices, relay: TestRelay) async throws {
        for name in names {
            let vault = try devices.create(name)
            try vault.logEntries(name, count: 3)
            _ = try await SyncClient().sync(vault, relay: relay.address)
            try vault.close()
        }
    }

    static func key(_ name: String, _ devices: TestDevices) async throws -> [UInt8] {
        try await devices.with(name) { $0.deviceKey.publicKey }
    }

    @Test func aRevokedDeviceIsRefusedEverywhereAndReadsNothingWrittenAfter() async throws {
        let devices = try TestDevices()
        let relay = try await TestRelay.start(at: devices.folder.path("relay.sqlite"))
        try await Self.synced(["phone", "laptop", "tablet"], devices: devices, relay: relay)
        try await devices.with("phone") { _ = try await SyncClient().sync($0, relay: relay.address) }
        let phoneKey = try await Self.key("phone", devices)

        // The laptop revokes the phone while the tablet is offline.
        let revocation = try await devices.with("laptop") { laptop in
            let done = try await SyncClient().revoke([phoneKey], in: laptop)
            #expect(laptop.keyEpochs?.current == 1)
            try laptop.logEntries("after", count: 2)
            _ = try await SyncClient().sync(laptop)
            return done
        }
        #expect(revocation.epoch == 1 && revocation.revoked == [phoneKey] && revocation.kept.count == 2)
        #expect(try relay.storage.devices(of: WireID(devices.secret.keys().vaultID.bytes)!).first { $0.key == phoneKey }?.revokedIn == 1)

        // The tablet, offline meanwhile, learns the epoch at its next sync with no action.
        try await devices.with("tablet") { tablet in
            try tablet.logEntries("tablet-late", count: 2)
            let report = try await SyncClient().sync(tablet)
            #expect(report.newEpochs.map(\.epoch) == [1] && report.appliedChanges == 2 && report.sentChanges == 2)
            #expect(tablet.keyEpochs?.current == 1)
        }
        // Every envelope stored after the revocation is sealed under epoch 1, and does not open
        // under epoch 0's data key.
        let vault = WireID(devices.secret.keys().vaultID.bytes)!
        let stored = try relay.storage.envelopes(of: vault, after: 0, maximumBytes: 1 << 30).items.map(\.envelope)
        let late = stored.filter { $0.epoch == 1 }
        #expect(late.count == 2 && stored.filter { $0.epoch == 0 }.count == 3)
        let old = devices.secret.keys()
        for envelope in late {
            let data = EnvelopeSealing.associatedData(
                vault: old.vaultID, epoch: envelope.epoch, replica: envelope.replica, first: envelope.firstSeq, last: envelope.lastSeq)
            #expect(throws: CryptoError.self) { try old.dataKey.open(envelope.sealed, associatedData: data) }
            let v1 = EnvelopeSealing.associatedData(vault: old.vaultID, epoch: 0, replica: envelope.replica, first: envelope.firstSeq, last: envelope.lastSeq)
            #expect(throws: CryptoError.self) { try old.dataKey.open(envelope.sealed, associatedData: v1) }
            #expect(throws: SyncError.self) { try EnvelopeSealing.open(envelope, vault: old.vaultID, key: old.dataKey) }
        }

        // The phone, back online, is refused at auth: it cannot pull or push.
        try await devices.with("phone") { phone in
            try phone.logEntries("phone-late", count: 1)
            await #expect(throws: SyncError.refused(.revoked, RelayError.revoked(epoch: 1).description)) {
                try await SyncClient().sync(phone)
            }
            #expect(phone.keyEpochs?.current == 0 && phone.replica.document("after-0") == nil)
        }
        // Re-joining with the old vault secret (a new vault file, a new key) is refused too.
        let rejoin = try Vault.create(at: devices.path("phone-again"), passphrase: TestDevices.passphrase, joining: devices.secret, parameters: .minimumForTests)
        await #expect(throws: SyncError.refused(.authFailed, RelayError.staleAuthKey(epoch: 1).description)) {
            try await SyncClient().sync(rejoin, relay: relay.address)
        }
        try rejoin.close()
        #expect(try relay.storage.held(in: vault).count == 3)

        // Laptop and tablet converge; the phone's late entry never reached them.
        let laptop = try await devices.with("laptop") { laptop in
            _ = try await SyncClient().sync(laptop)
            return laptop.stateBytes
        }
        let tablet = try await devices.with("tablet") { $0.stateBytes }
        #expect(laptop == tablet)
        try await devices.with("tablet") { #expect($0.replica.document("phone-late-0") == nil && $0.replica.document("after-1") != nil) }
        try await relay.stop()
    }

    @Test func concurrentRevocationsFromTwoDevicesEndInOneEpoch() async throws {
        let devices = try TestDevices()
        let relay = try await TestRelay.start(at: devices.folder.path("relay.sqlite"))
        try await Self.synced(["a", "b", "c", "d"], devices: devices, relay: relay)
        let aKey = try await Self.key("a", devices)
        let dKey = try await Self.key("d", devices)
        // b revokes d while c revokes a: whichever the relay takes second is built again on
        // top of the first.
        async let byB = devices.with("b") { try await SyncClient().revoke([dKey], in: $0) }
        async let byC = devices.with("c") { try await SyncClient().revoke([aKey], in: $0) }
        let (first, second) = try await (byB, byC)
        #expect(Set([first.epoch, second.epoch]) == [1, 2])
        let b = try devices.open("b")
        let c = try devices.open("c")
        _ = try await SyncClient().sync(b)
        _ = try await SyncClient().sync(c)
        #expect(b.keyEpochs?.current == 2 && c.keyEpochs?.current == 2)
        #expect(b.keyEpochs?.currentSecret.secret == c.keyEpochs?.currentSecret.secret)
        #expect(b.stateBytes == c.stateBytes)
        try b.close()
        try c.close()
        for name in ["a", "d"] {
            _ = try await devices.with(name) { revoked in
                await #expect(throws: SyncError.self) { try await SyncClient().sync(revoked) }
            }
        }
        // The same device revoked from two devices at once is revoked once.
        let devices2 = try TestDevices()
        try await Self.synced(["x", "y", "z"], devices: devices2, relay: relay)
        let zKey = try await Self.key("z", devices2)
        async let byX = devices2.with("x") { try await SyncClient().revoke([zKey], in: $0) }
        async let byY = devices2.with("y") { try await SyncClient().revoke([zKey], in: $0) }
        let (one, other) = try await (byX, byY)
        let x = try devices2.open("x")
        let y = try devices2.open("y")
        #expect(one.epoch == 1 && other.epoch == 1 && (one.revoked.isEmpty != other.revoked.isEmpty))
        #expect(x.keyEpochs?.currentSecret.secret == y.keyEpochs?.currentSecret.secret)
        try x.close()
        try y.close()
        try await relay.stop()
    }

    @Test func aRevocationWhileAThirdDeviceIsMidSyncEndsInOneEpoch() async throws {
        let devices = try TestDevices()
        // Small frames: c's changes take many pushes.
        let relay = try await TestRelay.start(
            at: devices.folder.path("relay.sqlite"), settings: .init(maximumFrame: 16_384, idleSeconds: 600, open: true))
        try await Self.synced(["a", "b", "c"], devices: devices, relay: relay)
        let aKey = try await Self.key("a", devices)
        let c = try devices.open("c")
        try c.logEntries("bulk", count: 1500)
        // c pushes its changes in several envelopes; after the first is acknowledged, b revokes a.
        let revoked = NIOLockedValueBox(false)
        var client = SyncClient()
        client.pushWindow = 1
        client.progress = { progress in
            guard progress.phase == .sending, progress.envelopesDone > 0, !revoked.withLockedValue({ $0 }) else { return }
            revoked.withLockedValue { $0 = true }
            do {
                _ = try await devices.with("b") { try await SyncClient().revoke([aKey], in: $0) }
            } catch {
                Issue.record("the revocation failed: \(error)")
            }
        }
        let report = try await client.sync(c)
        let b = try devices.open("b")
        #expect(revoked.withLockedValue { $0 } && b.keyEpochs?.current == 1)
        #expect(report.newEpochs.map(\.epoch) == [1] && c.keyEpochs?.current == 1)
        _ = try await SyncClient().sync(b)
        _ = try await SyncClient().sync(c)
        #expect(b.stateBytes == c.stateBytes && c.replica.document("bulk-1499") != nil && b.replica.document("bulk-1499") != nil)
        let vault = WireID(devices.secret.keys().vaultID.bytes)!
        let stored = try relay.storage.envelopes(of: vault, after: 0, maximumBytes: 1 << 30).items.map(\.envelope)
        #expect(stored.contains { $0.epoch == 1 } && stored.allSatisfy { $0.epoch <= 1 })
        try b.close()
        try c.close()
        try await relay.stop()
    }

    @Test func aNewDeviceJoinsAfterARevocationByInviteOrRecoveryCodeAndReadsEveryEpoch() async throws {
        let devices = try TestDevices()
        let relay = try await TestRelay.start(at: devices.folder.path("relay.sqlite"))
        try await Self.synced(["phone", "laptop"], devices: devices, relay: relay)
        let phoneKey = try await Self.key("phone", devices)
        let expires = UInt64(Date().timeIntervalSince1970) + 600
        let (oldInvite, revocation, freshInvite) = try await devices.with("laptop") { laptop in
            let before = try await SyncClient().invite(laptop, expires: expires).code
            let revocation = try await SyncClient().revoke([phoneKey], in: laptop)
            try laptop.logEntries("after", count: 2)
            _ = try await SyncClient().sync(laptop)
            let after = try await SyncClient().invite(laptop, expires: expires).code
            return (before, revocation, after)
        }
        let vault = devices.secret.keys().vaultID
        // An invitation left before the revocation holds the old secret: it is gone.
        guard case .invite(_, let oldToken) = try PairingCodeContent(code: oldInvite) else { Issue.record("not an invite"); return }
        await #expect(throws: SyncError.inviteSpent) { try await SyncClient().redeem(vault: vault, token: oldToken, at: relay.address) }

        guard case .invite(_, let token) = try PairingCodeContent(code: freshInvite),
            case .recovery(let recoveredVault, let recoverySecret) = try PairingCodeContent(code: revocation.recoveryCode)
        else { Issue.record("codes of the wrong kind"); return }
        #expect(recoveredVault == vault)
        let secret = try await SyncClient().redeem(vault: vault, token: token, at: relay.address)
        for (name, given) in [("tablet", secret), ("restored", recoverySecret)] {
            let joined = try Vault.create(at: devices.path(name), passphrase: TestDevices.passphrase, joining: given, of: vault, parameters: .minimumForTests)
            #expect(joined.keyEpochs == nil)
            let report = try await SyncClient().sync(joined, relay: relay.address)
            #expect(report.joined && report.newEpochs.map(\.epoch) == [1] && joined.keyEpochs?.current == 1)
            // Epoch 0's entries and epoch 1's both open here.
            #expect(joined.replica.document("phone-0") != nil && joined.replica.document("after-1") != nil)
            try joined.close()
            // Reopened, the epochs are read back from the file.
            try await devices.with(name) { #expect($0.keyEpochs?.current == 1 && $0.pairingCode == revocation.recoveryCode) }
        }
        try await relay.stop()
    }

    /// The chain's checks, without a relay: a member opens the next epoch; a record that skips
    /// an epoch, is signed by the wrong key, or leaves the device out is refused; the newest
    /// secret alone walks back to the vault secret.
    @Test func epochRecordsAreCheckedByEveryDevice() throws {
        let secret = VaultSecret.random()
        let vault = secret.keys().vaultID
        let epoch0 = try KeyEpochs(vault: vault, secrets: [secret])
        let revoker = SigningKey.random()
        let kept = SigningKey.random()
        let lost = SigningKey.random()
        let next = VaultSecret.random()
        let record = try EpochChain.record(
            after: epoch0, secret: next, revoker: revoker, revoking: [lost.publicKey], keeping: [revoker.publicKey, kept.publicKey], time: 1_796_000_000)
        let advanced = try EpochChain.advance(epoch0, by: record, as: kept)
        #expect(advanced.current == 1 && advanced.currentSecret.secret == next.secret)
        #expect(throws: SyncError.revokedHere(epoch: 1)) { try EpochChain.advance(epoch0, by: record, as: lost) }
        #expect(throws: SyncError.self) { try EpochChain.advance(advanced, by: record, as: kept) }
        // Signed by another vault's auth key.
        let stranger = try KeyEpochs(vault: vault, secrets: [secret]).appending(.random())
        let forged = try EpochChain.record(after: stranger, revoker: revoker, revoking: [lost.publicKey], keeping: [revoker.publicKey, kept.publicKey], time: 0)
        #expect(throws: SyncError.self) { try EpochChain.advance(advanced, by: forged, as: kept) }
        let recovered = try EpochChain.recover(vault: vault, secret: next, records: [record])
        #expect(recovered.current == 1 && recovered.keys(of: 0)?.vaultID == vault)
        #expect(throws: SyncError.self) { try EpochChain.recover(vault: vault, secret: .random(), records: [record]) }
        #expect(throws: SyncError.self) { try EpochChain.recover(vault: VaultSecret.random().keys().vaultID, secret: next, records: [record]) }
    }
}
