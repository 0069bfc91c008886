@testable import FlareRelay
import FlareWire
import Foundation
import GRDB
import Testing
import TestSupport

@Suite struct RelayStorageTests {
    static let vault = WireID([UInt8](repeating: 0x11, count: 16))!
    static let phone = WireID([UInt8](repeating: 0x21, count: 16))!
    static let laptop = WireID([UInt8](repeating: 0x22, count: 16))!
    static let authKey = [UInt8](repeating: 0xA0, count: 32)

    static func envelope(_ replica: WireID, _ first: UInt64, _ last: UInt64, size: Int = 10) -> Envelope {
        try! Envelope(replica: replica, firstSeq: first, lastSeq: last, sealed: [UInt8](repeating: UInt8(truncatingIfNeeded: first), count: size))
    }

    static func storage(in folder: TemporaryFolder, quota: Quota = Quota()) throws -> SQLiteRelayStorage {
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"), quota: quota)
        try storage.admitVault(vault, authKey: authKey, invite: nil, open: true)
        return storage
    }

    /// Under sustained load no pusher commits for the others for ever: each writer keeps
    /// pushing until every writer has had ten pushes stored. A leader that kept committing
    /// rounds while others waited would never get back its own first push, and the writers
    /// would run into the safety cap instead.
    @Test func noPusherCommitsForOthersIndefinitely() throws {
        let folder = try TemporaryFolder()
        let storage = try Self.storage(in: folder)
        let writers = 6
        final class Tally: @unchecked Sendable {
            private let lock = NSLock()
            private var stored: [Int]
            init(_ count: Int) { stored = [Int](repeating: 0, count: count) }
            func add(_ index: Int) { lock.withLock { stored[index] += 1 } }
            var counts: [Int] { lock.withLock { stored } }
        }
        let tally = Tally(writers)
        let cap = Date().addingTimeInterval(60)
        // Threads of their own: a pool sized to the cores would run only some writers at once.
        let finished = DispatchGroup()
        for index in 0..<writers {
            finished.enter()
            Thread.detachNewThread {
                let replica = WireID([UInt8](repeating: UInt8(0x50 + index), count: 16))!
                var seq: UInt64 = 0
                while !tally.counts.allSatisfy({ $0 >= 10 }), Date() < cap {
                    seq += 1
                    _ = try? storage.append([Self.envelope(replica, seq, seq)], to: Self.vault)
                    tally.add(index)
                }
                finished.leave()
            }
        }
        finished.wait()
        let stored = tally.counts
        #expect(stored.allSatisfy { $0 >= 10 }, "pushes stored per writer: \(stored)")
    }

    @Test func pushesFromManyThreadsAreCommittedTogetherAndApart() async throws {
        let folder = try TemporaryFolder()
        let storage = try Self.storage(in: folder)
        let replicas = (0..<8).map { WireID([UInt8](repeating: UInt8(0x30 + $0), count: 16))! }
        // Eight writers at once, each its own replica; every tenth push of the last one leaves
        // a gap and must be refused alone.
        let refusals = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, replica) in replicas.enumerated() {
                group.addTask {
                    var refused = 0
                    var next: UInt64 = 1
                    for push in 0..<50 {
                        if index == 7, push % 10 == 9 {
                            do {
                                _ = try storage.append([Self.envelope(replica, next + 5, next + 5)], to: Self.vault)
                            } catch RelayError.seqGap {
                                refused += 1
                            }
                            continue
                        }
                        let appended = try storage.append([Self.envelope(replica, next, next + 1)], to: Self.vault)
                        #expect(appended.stored == 1)
                        next += 2
                    }
                    return refused
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(refusals == 5)
        let held = try storage.held(in: Self.vault)
        #expect(held.map(\.seq) == Array(repeating: 100, count: 7) + [90])
        // Every stored envelope has its own server seq, 1 to the latest, with no gap.
        var seqs: [UInt64] = []
        var after: UInt64 = 0
        while true {
            let page = try storage.envelopes(of: Self.vault, after: after, maximumBytes: 1 << 20)
            seqs += page.items.map(\.serverSeq)
            after = page.items.last?.serverSeq ?? after
            if !page.more { break }
        }
        #expect(seqs == Array(1...UInt64(7 * 50 + 45)))
        #expect(try storage.position(of: Self.vault).serverSeq == UInt64(seqs.count))
    }

    @Test func vaultsAreAdmittedByInviteOnlyOnce() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        #expect(throws: RelayError.unknownVault(Self.vault)) { try storage.admitVault(Self.vault, authKey: Self.authKey, invite: nil, open: false) }
        #expect(throws: RelayError.badInvite) { try storage.admitVault(Self.vault, authKey: Self.authKey, invite: "made-up", open: false) }
        let invite = try storage.createInvite()
        try storage.admitVault(Self.vault, authKey: Self.authKey, invite: invite, open: false)
        #expect(try storage.authKey(of: Self.vault) == Self.authKey)
        // Admitting again with the same key is harmless; the used invite is gone.
        try storage.admitVault(Self.vault, authKey: Self.authKey, invite: nil, open: false)
        let other = WireID([UInt8](repeating: 0x99, count: 16))!
        #expect(throws: RelayError.badInvite) { try storage.admitVault(other, authKey: Self.authKey, invite: invite, open: false) }
        // Another key for an admitted vault is refused.
        #expect(throws: RelayError.staleAuthKey(epoch: 0)) {
            try storage.admitVault(Self.vault, authKey: [UInt8](repeating: 1, count: 32), invite: nil, open: true)
        }
        let device = [UInt8](repeating: 0xD1, count: 32)
        #expect(try !storage.authenticate(device, replica: Self.phone, in: Self.vault))
        try storage.admitDevice(device, replica: Self.phone, to: Self.vault)
        #expect(try storage.authenticate(device, replica: Self.phone, in: Self.vault))
        // A key is bound to one replica, and a replica to one key.
        #expect(throws: RelayError.replicaTaken(replica: Self.laptop)) { try storage.authenticate(device, replica: Self.laptop, in: Self.vault) }
        let second = [UInt8](repeating: 0xD2, count: 32)
        #expect(throws: RelayError.replicaTaken(replica: Self.phone)) { try storage.admitDevice(second, replica: Self.phone, to: Self.vault) }
        #expect(throws: RelayError.replicaTaken(replica: Self.phone)) { try storage.authenticate(second, replica: Self.phone, in: Self.vault) }
        try storage.admitDevice(second, replica: Self.laptop, to: Self.vault)
        let listed = try storage.devices(of: Self.vault)
        #expect(listed.map(\.key) == [device, second] && listed.map(\.replica) == [Self.phone, Self.laptop])
        #expect(listed.allSatisfy { $0.joined > 1_700_000_000 && $0.lastSeen >= $0.joined })
    }

    /// A relay database from before protocol version 2 holds device keys without replicas:
    /// each is bound to the replica it names when it next authenticates.
    @Test func keysAdmittedBeforeReplicasWereBoundAreBoundOnTheirNextAuth() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("relay.sqlite")
        let old = try DatabaseQueue(path: path)
        try SQLiteRelayStorage.migrator.migrate(old, upTo: "relay-v2-store")
        let device = [UInt8](repeating: 0xD3, count: 32)
        try old.write { db in
            try db.execute(sql: "INSERT INTO vault (id, auth_key, store) VALUES (?, ?, randomblob(16))", arguments: [Data(Self.vault.bytes), Data(Self.authKey)])
            try db.execute(sql: "INSERT INTO device (vault, key) VALUES (?, ?)", arguments: [Data(Self.vault.bytes), Data(device)])
        }
        try old.close()
        let storage = try SQLiteRelayStorage(path: path)
        #expect(try storage.devices(of: Self.vault).map(\.replica) == [nil])
        #expect(try storage.authenticate(device, replica: Self.laptop, in: Self.vault))
        #expect(try storage.devices(of: Self.vault).map(\.replica) == [Self.laptop])
        #expect(throws: RelayError.replicaTaken(replica: Self.phone)) { try storage.authenticate(device, replica: Self.phone, in: Self.vault) }
    }

    @Test func envelopesContinueTheirRunsAllOrNothing() throws {
        let folder = try TemporaryFolder()
        let storage = try Self.storage(in: folder)
        let first = try storage.append([Self.envelope(Self.phone, 1, 3), Self.envelope(Self.laptop, 1, 1)], to: Self.vault)
        #expect(first.serverSeq == 2)
        #expect(first.held.map(\.seq) == [3, 1])
        // Duplicates are skipped; a gap refuses the whole push.
        #expect(throws: RelayError.seqGap(replica: Self.laptop, held: 1, first: 3)) {
            try storage.append([Self.envelope(Self.phone, 4, 4), Self.envelope(Self.laptop, 3, 3)], to: Self.vault)
        }
        #expect(try storage.held(in: Self.vault).map(\.seq) == [3, 1])
        #expect(throws: RelayError.seqGap(replica: Self.phone, held: 3, first: 2)) {
            try storage.append([Self.envelope(Self.phone, 2, 5)], to: Self.vault)
        }
        let again = try storage.append([Self.envelope(Self.phone, 1, 3), Self.envelope(Self.phone, 4, 5)], to: Self.vault)
        #expect(again.serverSeq == 3)
        #expect(try storage.position(of: Self.vault).serverSeq == 3)
        #expect(throws: RelayError.unknownVault(Self.laptop)) { try storage.append([], to: Self.laptop) }
    }

    @Test func pullsResumeByServerSeqInPages() throws {
        let folder = try TemporaryFolder()
        let storage = try Self.storage(in: folder)
        for seq in 1...10 { _ = try storage.append([Self.envelope(Self.phone, UInt64(seq), UInt64(seq), size: 100)], to: Self.vault) }
        var after: UInt64 = 0
        var pages: [[UInt64]] = []
        while true {
            let page = try storage.envelopes(of: Self.vault, after: after, maximumBytes: 3 * (100 + Envelope.headerAllowance))
            pages.append(page.items.map(\.serverSeq))
            after = page.items.last?.serverSeq ?? after
            if !page.more { break }
        }
        #expect(pages == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]])
        #expect(try storage.envelopes(of: Self.vault, after: 10, maximumBytes: 350).items.isEmpty)
        // A single envelope bigger than a page still comes, alone.
        #expect(try storage.envelopes(of: Self.vault, after: 0, maximumBytes: 10).items.count == 1)
    }

    @Test func quotasSnapshotsAndForgetting() throws {
        let folder = try TemporaryFolder()
        let storage = try Self.storage(in: folder, quota: Quota(maximumBytes: 250, maximumEnvelopes: 10))
        _ = try storage.append([Self.envelope(Self.phone, 1, 1, size: 200)], to: Self.vault)
        #expect(throws: RelayError.quotaExceeded("250 bytes")) {
            try storage.append([Self.envelope(Self.phone, 2, 2, size: 100)], to: Self.vault)
        }
        #expect(try storage.held(in: Self.vault).map(\.seq) == [1])
        #expect(try storage.vaults().map(\.bytes) == [200])

        #expect(try storage.snapshot(of: Self.vault) == nil)
        try storage.putSnapshot([9, 9, 9], covering: [(Self.phone, 1)], of: Self.vault)
        let snapshot = try #require(try storage.snapshot(of: Self.vault))
        #expect(snapshot.sealed == [9, 9, 9])
        #expect(snapshot.covers.map(\.replica) == [Self.phone] && snapshot.covers.map(\.seq) == [1])

        try storage.forget(Self.vault)
        #expect(try storage.vaults().isEmpty)
        #expect(try storage.authKey(of: Self.vault) == nil)
        #expect(try storage.snapshot(of: Self.vault) == nil)
        #expect(try storage.envelopes(of: Self.vault, after: 0, maximumBytes: 1000).items.isEmpty)
    }

    @Test func whatIsStoredSurvivesReopening() throws {
        let folder = try TemporaryFolder()
        do {
            let storage = try Self.storage(in: folder)
            _ = try storage.append([Self.envelope(Self.phone, 1, 2)], to: Self.vault)
        }
        let reopened = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        #expect(try reopened.held(in: Self.vault).map(\.seq) == [2])
        #expect(try reopened.envelopes(of: Self.vault, after: 0, maximumBytes: 100).items.first?.envelope == Self.envelope(Self.phone, 1, 2))
    }
}
