import FlareCRDT
import Foundation
import GRDB
import Testing

@testable import FlareStore

@Suite struct CompactionTests {
    /// 2,500 single-entry commits: checkpoints are written as the log grows, the rows they
    /// cover are joined, and a reopened vault starts from the checkpoint.
    @Test func checkpointsAndJoinedRows() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        for index in 0..<2500 { try Fixture.entry("e\(index)", pain: Int64(index % 11), in: vault) }
        let checkpoint = try #require(vault.head.checkpoint)
        #expect(checkpoint.generation == 2)
        #expect(vault.lastCompactionError == nil)
        let rows = try vault.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM change_run")! }
        // Covered rows are joined into runs of up to 4,096 changes; later ones stay single.
        #expect(rows == 1 + 2500 - 2000)
        let report = try vault.verifyIntegrity()
        #expect(report.changeCount == 2500)
        #expect(report.changeRowCount == rows)
        let state = vault.replica.snapshot.encoded()
        try vault.close()

        let reopened = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(reopened.replica.snapshot.encoded() == state)
        #expect(try reopened.changes().count == 2500)
        #expect(try reopened.changes().map(\.id.seq) == Array(1...2500))
        try reopened.compact()
        #expect(try reopened.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM change_run")! } == 1)
        #expect(try reopened.verifyIntegrity().changeCount == 2500)
        try reopened.close()
        let again = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(again.replica.snapshot.encoded() == state)
        try again.close()
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
