import FlareCRDT
import FlareCrypto
import FlareRelay
import FlareStore
import FlareWire
import Foundation
import NIOConcurrencyHelpers
import GRDB
import Testing
import TestSupport

@testable import FlareSync

/// Devices syncing through a real relay on loopback (in this process).
@Suite struct SyncTests {
    @Test func threeDevicesConvergeThroughOfflineEditsPartialSyncsAndConcurrentEdits() async throws {
        let devices = try TestDevices()
        let relay = try await TestRelay.start(at: devices.folder.path("relay.sqlite"))
        for name in ["phone", "laptop", "tablet"] {
            let vault = try devices.create(name)
            try vault.logEntries(name, count: 20)
            try vault.close()
        }
        let client = SyncClient()
        // The phone logs an entry everyone will edit, and only the laptop hears of it first.
        let first = try await devices.with("phone") { phone in
            _ = try phone.makeChange { change in
                try change.create("shared", type: "symptom")
                try change.set("shared", "pain", to: .int(6))
            }
            return try await client.sync(phone, relay: relay.address)
        }
        #expect(first.joined && first.sentChanges == 21 && first.appliedChanges == 0)
        let laptopFirst = try await devices.with("laptop") { try await client.sync($0, relay: relay.address) }
        #expect(laptopFirst.appliedChanges == 21 && laptopFirst.sentChanges == 20)

        // Concurrent edits of the shared entry on phone and laptop; the tablet is still offline.
        try await devices.with("phone") { phone in
            _ = try phone.makeChange { try $0.set("shared", "pain", to: .int(7)) }
        }
        try await devices.with("laptop") { laptop in
            _ = try laptop.makeChange { change in
                try change.set("shared", "pain", to: .int(5))
                try change.add("shared", "regions", "neck")
            }
        }
        // Syncs in a different order each round; the relay remembered from the first sync.
        for name in ["tablet", "laptop", "phone", "tablet", "laptop"] {
            _ = try await devices.with(name) { vault in
                try await client.sync(vault, relay: name == "tablet" ? relay.address : nil)
            }
        }
        let states = try await ["phone", "laptop", "tablet"].asyncMap { name in try await devices.with(name) { $0.stateBytes } }
        let converged = states[0] == states[1] && states[1] == states[2]
        #expect(converged)
        try await devices.with("tablet") { tablet in
            #expect(tablet.replica.liveDocumentIDs.count == 61)
            guard case .register(let pain)? = tablet.replica.document("shared")?.field("pain") else {
                Issue.record("no pain on the shared entry")
                return
            }
            #expect(Set([pain.winner.value] + pain.conflicts.map(\.value)) == [.int(5), .int(7)])
            // Nothing missing on either side: the next sync sends and applies nothing.
            let idle = try await client.sync(tablet)
            #expect(idle.sentChanges == 0 && idle.appliedChanges == 0 && idle.receivedEnvelopes == 0)
        }
        try await relay.stop()
    }

    @Test func aCutPullResumesWithoutLossOrDoubleApplication() async throws {
        let devices = try TestDevices()
        // Small frames, so a pull takes many batches.
        var relay = try await TestRelay.start(at: devices.folder.path("relay.sqlite"), settings: .init(maximumFrame: 16 * 1024, idleSeconds: 600, open: true))
        let phone = try devices.create("phone")
        try phone.logEntries("p", count: 2000)
        _ = try await SyncClient().sync(phone, relay: relay.address)
        try phone.close()

        let laptop = try devices.create("laptop")
        await #expect(throws: SyncError.self) { try await SyncClient.cutting(relay, during: .receiving).sync(laptop, relay: relay.address) }
        let partial = laptop.replica.versionVector[phone.replicaID]
        #expect(partial > 0 && partial < 2000)
        #expect(try laptop.verifyIntegrity().changeCount == Int(partial))

        relay = try await relay.restarted()
        let resumed = try await SyncClient().sync(laptop)
        #expect(resumed.appliedChanges == 2000 - Int(partial))
        #expect(laptop.replica.versionVector[phone.replicaID] == 2000)
        try laptop.close()
        try await relay.stop()
    }

    @Test func aCutPushResendsOnlyWhatTheRelayLacks() async throws {
        let devices = try TestDevices()
        var relay = try await TestRelay.start(at: devices.folder.path("relay.sqlite"), settings: .init(maximumFrame: 16 * 1024, idleSeconds: 600, open: true))
        let phone = try devices.create("phone")
        try phone.logEntries("p", count: 2000)
        var cutting = SyncClient.cutting(relay, during: .sending)
        cutting.pushWindow = 1
        await #expect(throws: SyncError.self) { try await cutting.sync(phone, relay: relay.address) }
        let held = try relay.storage.held(in: WireID(phone.vaultID.bytes)!).first?.seq ?? 0
        #expect(held > 0 && held < 2000)

        relay = try await relay.restarted()
        let resumed = try await SyncClient().sync(phone)
        #expect(resumed.sentChanges == 2000 - Int(held))
        try phone.close()
        let laptop = try devices.create("laptop")
        let received = try await SyncClient().sync(laptop, relay: relay.address)
        #expect(received.appliedChanges == 2000)
        try laptop.close()
        try await relay.stop()
    }

    @Test func aWipedRelayIsRefilledByTheDevices() async throws {
        let devices = try TestDevices()
        let path = devices.folder.path("relay.sqlite")
        var relay = try await TestRelay.start(at: path)
        for name in ["phone", "laptop"] {
            let vault = try devices.create(name)
            try vault.logEntries(name, count: 50)
            _ = try await SyncClient().sync(vault, relay: relay.address)
            try vault.close()
        }
        _ = try await devices.with("phone") { try await SyncClient().sync($0) }
        try await relay.stop()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }

        relay = try await relay.restarted()
        let refill = try await devices.with("phone") { phone in
            _ = try phone.makeChange { try $0.set("phone-0", "pain", to: .int(9)) }
            return try await SyncClient().sync(phone)
        }
        // Each device sends only its own changes (a relay takes no others from it): the phone
        // its 51, the laptop its 50, of which the phone had pulled all before.
        #expect(refill.relayWasReset && refill.joined && refill.sentChanges == 51)
        let laptop = try await devices.with("laptop") { try await SyncClient().sync($0) }
        #expect(laptop.relayWasReset && laptop.appliedChanges == 1 && laptop.sentChanges == 50)
        let states = try await ["phone", "laptop"].asyncMap { name in try await devices.with(name) { $0.stateBytes } }
        let converged = states[0] == states[1]
        #expect(converged)
        try await relay.stop()
    }

    @Test func anInviteOnlyRelayThatLostTheVaultAsksForAnInvite() async throws {
        let devices = try TestDevices()
        let path = devices.folder.path("relay.sqlite")
        var relay = try await TestRelay.start(at: path, settings: .init(idleSeconds: 600, open: false))
        let phone = try devices.create("phone")
        await #expect(throws: SyncError.refused(.unknownVault, "vault \(WireID(phone.vaultID.bytes)!) is not admitted on this relay")) {
            try await SyncClient().sync(phone, relay: relay.address)
        }
        let invite = try relay.storage.createInvite()
        _ = try await SyncClient(invite: invite).sync(phone, relay: relay.address)
        // The invite is used up: another vault cannot join with it.
        let stranger = try TestDevices().create("stranger")
        await #expect(throws: SyncError.refused(.badInvite, "the invite token is unknown or already used")) {
            try await SyncClient(invite: invite).sync(stranger, relay: relay.address)
        }
        try stranger.close()
        _ = try await SyncClient().sync(phone)

        try await relay.stop()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        relay = try await relay.restarted()
        do {
            _ = try await SyncClient().sync(phone)
            Issue.record("a relay that lost the vault accepted it without an invite")
        } catch let error as SyncError {
            #expect(error.description.contains("Ask its owner for an invite"))
        }
        let again = try await SyncClient(invite: try relay.storage.createInvite()).sync(phone)
        #expect(again.relayWasReset && again.joined)
        try phone.close()
        try await relay.stop()
    }

    @Test func aTamperedEnvelopeIsSkippedAndNamedAndTheRestApplies() async throws {
        let devices = try TestDevices()
        let path = devices.folder.path("relay.sqlite")
        let relay = try await TestRelay.start(at: path)
        let phone = try devices.create("phone")
        try phone.logEntries("a", count: 3)
        _ = try await SyncClient().sync(phone, relay: relay.address)
        let tablet = try devices.create("tablet")
        try tablet.logEntries("t", count: 2)
        _ = try await SyncClient().sync(tablet, relay: relay.address)
        // Someone with the relay's disk flips a bit of the phone's envelope.
        func flipABit() async throws {
            let database = try DatabaseQueue(path: path)
            try await database.write { db in
                var sealed = try [UInt8](Data.fetchOne(db, sql: "SELECT sealed FROM envelope WHERE server_seq = 1")!)
                sealed[40] ^= 0x01
                try db.execute(sql: "UPDATE envelope SET sealed = ? WHERE server_seq = 1", arguments: [Data(sealed)])
            }
            try database.close()
        }
        try await flipABit()

        let laptop = try devices.create("laptop")
        let report = try await SyncClient().sync(laptop, relay: relay.address)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.contains("does not authenticate") == true)
        #expect(report.appliedChanges == 2)
        #expect(laptop.replica.versionVector[tablet.replicaID] == 2 && laptop.replica.versionVector[phone.replicaID] == 0)
        // The envelope is remembered as stuck, and the position stays before it.
        let stuck = try #require(try SyncState.load(from: laptop)).stuck
        #expect(stuck.map(\.serverSeq) == [1])
        #expect(stuck.first?.replica == phone.replicaID)
        #expect(try SyncState.load(from: laptop)?.pulledServerSeq == 0)

        // The phone writes more: those wait behind the stuck envelope, and each sync tries it again.
        try phone.logEntries("b", count: 1)
        _ = try await SyncClient().sync(phone, relay: relay.address)
        let again = try await SyncClient().sync(laptop, relay: relay.address)
        #expect(again.problems.count == 1)
        #expect(laptop.replica.versionVector[phone.replicaID] == 0)
        #expect(laptop.replica.bufferedCount == 1)

        // Repaired on the relay (here: the bit flipped back), the next sync delivers it and
        // everything that waited for it, and nothing is stuck any more.
        try await flipABit()
        let repaired = try await SyncClient().sync(laptop, relay: relay.address)
        #expect(repaired.problems.isEmpty, "\(repaired)")
        #expect(laptop.replica.versionVector[phone.replicaID] == 4)
        #expect(laptop.replica.bufferedCount == 0)
        #expect(try SyncState.load(from: laptop)?.stuck == [])
        for vault in [phone, tablet, laptop] { try vault.close() }
        try await relay.stop()
    }

    @Test func devicesSyncingAtOnceConverge() async throws {
        let devices = try TestDevices()
        let relay = try await TestRelay.start(at: devices.folder.path("relay.sqlite"))
        let names = ["phone", "laptop", "tablet"]
        for name in names {
            let vault = try devices.create(name)
            try vault.logEntries(name, count: 300)
            try vault.close()
        }
        let address = relay.address
        try await withThrowingTaskGroup(of: Void.self) { group in
            for name in names {
                group.addTask {
                    for round in 0..<3 {
                        try await devices.with(name) { vault in
                            try vault.logEntries("\(name)-round\(round)", count: 20)
                            _ = try await SyncClient().sync(vault, relay: address)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        for name in names + names { _ = try await devices.with(name) { try await SyncClient().sync($0) } }
        let states = try await names.asyncMap { name in try await devices.with(name) { $0.stateBytes } }
        let converged = states[0] == states[1] && states[1] == states[2]
        #expect(converged)
        try await devices.with("phone") { #expect($0.replica.liveDocumentIDs.count == 3 * 360) }
        try await relay.stop()
    }

    @Test func forgetDeletesTheVaultAtTheRelay() async throws {
        let devices = try TestDevices()
        let relay = try await TestRelay.start(at: devices.folder.path("relay.sqlite"))
        let phone = try devices.create("phone")
        try phone.logEntries("p", count: 5)
        _ = try await SyncClient().sync(phone, relay: relay.address)
        #expect(try relay.storage.vaults().first?.envelopes == 1)
        let forgotten = try await SyncClient().forget(phone)
        #expect(forgotten == relay.address)
        #expect(try relay.storage.vaults().isEmpty)
        let state = try SyncState.load(from: phone)
        #expect(state?.relay == relay.address && state?.admitted == false && state?.store == nil && state?.pulledServerSeq == 0)
        // Syncing again uploads everything again.
        let again = try await SyncClient().sync(phone)
        #expect(again.joined && again.sentChanges == 5)
        try phone.close()
        try await relay.stop()
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// `SyncClient.watch`: a device that stays connected.
@Suite struct WatchTests {
    /// Collects what a watch reports.
    final class Events: Sendable {
        let list = NIOLockedValueBox<[SyncClient.WatchEvent]>([])
        var syncs: Int { list.withLockedValue { $0.filter { if case .synced = $0 { true } else { false } }.count } }
        var disconnections: Int { list.withLockedValue { $0.count { if case .disconnected = $0 { true } else { false } } } }
    }

    /// Waits until `condition` holds, or a minute passed (generous: the suite's process tests
    /// can keep this one waiting for its turn on a 2-core machine).
    static func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<600 {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Device `name`'s replica seq for `replica`, read when the watch lets go of the vault.
    static func seq(of replica: ReplicaID, in name: String, _ devices: TestDevices, _ unlock: VaultUnlock) -> UInt64? {
        guard let vault = try? Vault.open(at: devices.path(name), unlock: unlock) else { return nil }
        defer { try? vault.close() }
        return vault.replica.versionVector[replica]
    }

    @Test func aWatchingDeviceHearsOthersSendsItsOwnAndReconnects() async throws {
        let devices = try TestDevices()
        let path = devices.folder.path("relay.sqlite")
        var relay = try await TestRelay.start(at: path)
        let phone = try devices.create("phone")
        let phoneID = phone.replicaID
        try phone.close()
        let laptop = try devices.create("laptop")
        let laptopID = laptop.replicaID
        _ = try await SyncClient().sync(laptop, relay: relay.address)
        try laptop.close()

        let unlock = try VaultUnlock.derive(forVaultAt: devices.path("phone"), passphrase: TestDevices.passphrase)
        let events = Events()
        let address = relay.address
        let watching = Task {
            try await SyncClient().watch(vaultAt: devices.path("phone"), unlock: unlock, relay: address, tick: .milliseconds(100)) { event in
                events.list.withLockedValue { $0.append(event) }
            }
        }
        #expect(try await Self.eventually { events.syncs >= 1 })

        // The laptop pushes; the watching phone is notified and pulls.
        try await devices.with("laptop") { laptop in
            try laptop.logEntries("l", count: 3)
            _ = try await SyncClient().sync(laptop)
        }
        #expect(try await Self.eventually { Self.seq(of: laptopID, in: "phone", devices, unlock) == 3 })

        // Another process writes to the phone's vault; the watch notices and pushes it.
        try await Self.eventually {
            guard let vault = try? Vault.open(at: devices.path("phone"), unlock: unlock) else { return false }
            try vault.logEntries("p", count: 2)
            try vault.close()
            return true
        }.expectTrue()
        #expect(try await Self.eventually { try relay.storage.held(in: WireID(phone.vaultID.bytes)!).contains { $0.replica.bytes == phoneID.bytes && $0.seq == 2 } })

        // The relay goes away and comes back while another command has the phone's vault
        // open; the watch waits for the vault and reconnects by itself.
        var holder: Vault?
        try await Self.eventually {
            holder = try? Vault.open(at: devices.path("phone"), unlock: unlock)
            return holder != nil
        }.expectTrue()
        try await relay.stop()
        #expect(try await Self.eventually { events.disconnections >= 1 })
        relay = try await relay.restarted()
        try await devices.with("laptop") { laptop in
            try laptop.logEntries("again", count: 1)
            _ = try await SyncClient().sync(laptop)
        }
        // Long enough for the watch's next attempt to find the vault in use.
        try await Task.sleep(for: .seconds(3))
        try holder?.close()
        #expect(try await Self.eventually { Self.seq(of: laptopID, in: "phone", devices, unlock) == 4 })
        watching.cancel()
        _ = await watching.result
        try await relay.stop()
    }
}

extension Bool {
    func expectTrue(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self, sourceLocation: sourceLocation)
    }
}
