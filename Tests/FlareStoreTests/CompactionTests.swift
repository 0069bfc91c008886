@testable import FlareCRDT
import Foundation
import GRDB
import Testing
import TestSupport

@testable import FlareStore

@Suite struct CompactionTests {
    /// Single-entry commits leave one row each; closing writes a checkpoint and joins them, and
    /// a reopened vault starts from the checkpoint.
    @Test func closingCompactsAndJoinsSmallRows() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        for index in 0..<2500 { try Fixture.entry("e\(index)", pain: Int64(index % 11), in: vault) }
        #expect(vault.head.checkpoint == nil)
        #expect(try Self.rowCount(vault) == 2500)
        #expect(try vault.verifyIntegrity().changeCount == 2500)
        let state = vault.replica.snapshot.encoded()
        try vault.close()
        #expect(vault.lastCompactionError == nil)

        let reopened = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(reopened.head.checkpoint?.generation == 1)
        #expect(try Self.rowCount(reopened) == 1)
        #expect(reopened.replica.snapshot.encoded() == state)
        #expect(try reopened.changes().map(\.id.seq) == Array(1...2500))
        for index in 2500..<3700 { try Fixture.entry("e\(index)", pain: 1, in: reopened) }
        let grown = reopened.replica.snapshot.encoded()
        try reopened.close()

        // The big row stays as it is; the 1,200 new single rows become one.
        let again = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(again.head.checkpoint?.generation == 2)
        #expect(try Self.rowCount(again) == 2)
        #expect(again.replica.snapshot.encoded() == grown)
        let report = try again.verifyIntegrity()
        #expect(report.changeCount == 3700)
        #expect(report.changeRowCount == 2)
        try again.close()
    }

    /// A write starts a compaction on another thread once the changes since the last
    /// checkpoint reach a quarter of the log (and 10,000); a later write, `compact()` or
    /// `close()` stores it.
    @Test func bulkWritesCompactAsTheyGo() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        for batch in 0..<10 {
            #expect(vault.head.checkpoint == nil)
            try vault.write { writer in
                for index in 0..<1000 {
                    try writer.makeChange { change in
                        try change.create("e\(batch)-\(index)", type: "symptom")
                        try change.set("e\(batch)-\(index)", "pain", to: .int(Int64(index % 11)))
                    }
                }
            }
        }
        let job = try #require(vault.compactionJob)
        #expect(job.generation == 1)
        // Writes go on while it runs; the checkpoint covers the copy it was made from.
        let covered = vault.replica.versionVector
        try Fixture.entry("e-during", pain: 2, in: vault)
        try vault.finishCompaction()
        #expect(vault.compactionJob == nil)
        #expect(vault.head.checkpoint?.generation == 1)
        #expect(vault.head.checkpoint?.covered == covered)
        #expect(try Self.rowCount(vault) == 11)
        // The replica continues from the checkpoint: its documents are encoded again, but for
        // the one written while the checkpoint was made.
        #expect(Set(vault.replica.documents.decoded.keys) == ["e-during"])
        try Fixture.entry("e-last", pain: 3, in: vault)
        #expect(vault.replica.documents.decoded.count == 2)
        #expect(try vault.verifyIntegrity().changeCount == 10_002)
        let state = vault.replica.snapshot.encoded()
        try vault.close()
        let reopened = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(reopened.replica.snapshot.encoded() == state)
        try reopened.close()
    }

    static func rowCount(_ vault: Vault) throws -> Int {
        try vault.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM change_run")! }
    }

    /// A compacted vault with received and buffered changes between local ones.
    @Test func compactionKeepsReceivedAndBufferedChanges() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        var other = Replica(id: ReplicaID(high: 3, low: 3))
        var held: [Change] = []
        for index in 0..<30 {
            try Fixture.entry("mine\(index)", pain: 1, in: vault)
            held.append(try other.makeChange(wallMilliseconds: UInt64(index + 1)) { change in
                try change.create("theirs\(index)", type: "symptom")
            })
            if index % 3 == 0 { _ = try vault.receive([held.removeFirst()]) }
        }
        // The last one waits for the ones not yet sent.
        _ = try vault.receive([held.removeLast()])
        #expect(vault.replica.bufferedCount == 1)
        try vault.compact()
        let state = vault.replica.snapshot.encoded()
        #expect(try vault.verifyIntegrity().bufferedCount == 1)
        try vault.close()
        let reopened = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(reopened.replica.snapshot.encoded() == state)
        #expect(reopened.replica.bufferedCount == 1)
        #expect(try reopened.receive(held).applied.count == held.count + 1)
        #expect(reopened.replica.bufferedCount == 0)
        #expect(try reopened.verifyIntegrity().bufferedCount == 0)
        try reopened.close()
    }

    @Test func damagedOrStaleCheckpointsAreNamed() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        try Fixture.entry("e1", pain: 1, in: vault)
        try vault.compact()
        let stale = try vault.database.read { db in try Data.fetchOne(db, sql: "SELECT sealed FROM checkpoint_chunk")! }
        try Fixture.entry("e2", pain: 2, in: vault)
        try vault.compact()
        try vault.close()
        let pristine = Fixture.contents(of: path)[""]!

        func opening(fails expected: String) throws {
            do {
                try Vault.open(at: path, passphrase: Fixture.passphrase).close()
                Issue.record("a damaged checkpoint opened")
            } catch StoreError.corrupted(let rows) {
                #expect(rows.map(\.table) == ["checkpoint_chunk"])
                #expect(rows.first?.problem.contains(expected) == true, "\(rows)")
            }
            try pristine.write(to: URL(fileURLWithPath: path))
        }
        // The previous generation's chunk put back.
        try Fixture.tamper(path) { db in try db.execute(sql: "UPDATE checkpoint_chunk SET sealed = ?", arguments: [stale]) }
        try opening(fails: "does not authenticate")
        try Fixture.tamper(path) { db in try db.execute(sql: "DELETE FROM checkpoint_chunk") }
        try opening(fails: "is missing")
        try Fixture.tamper(path) { db in try db.execute(sql: "UPDATE checkpoint_chunk SET chunk = 1") }
        try opening(fails: "is not part of checkpoint")
        try Vault.open(at: path, passphrase: Fixture.passphrase).close()
    }

    @Test func theIntegrityCheckCatchesDamageWhileOpen() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        for index in 0..<5 { try Fixture.entry("e\(index)", pain: 1, in: vault) }
        #expect(try vault.verifyIntegrity().changeCount == 5)
        // The lock is advisory: another program can still write the file.
        let intruder = try DatabaseQueue(path: path)
        try intruder.write { db in
            var sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM change_run WHERE first_seq = 1")!
            sealed[30] ^= 0x80
            try db.execute(sql: "UPDATE change_run SET sealed = ? WHERE first_seq = 1", arguments: [sealed])
        }
        try intruder.close()
        #expect {
            try vault.verifyIntegrity()
        } throws: { error in
            guard case StoreError.corrupted(let rows) = error else { return false }
            return rows.contains { $0.table == "change_run" && $0.key.hasSuffix("@1") }
        }
        try vault.close()
    }
}
