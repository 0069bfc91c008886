import FlareCRDT
import FlareCrypto
import Foundation
import GRDB
import Testing
import TestSupport

@testable import FlareStore

/// Someone with the disk but not the passphrase alters, swaps, copies or deletes rows: opening
/// names every damaged row instead of crashing or quietly dropping it.
@Suite struct TamperTests {
    /// A closed vault holding three separate change rows and one buffered change.
    static func vault(in folder: TemporaryFolder) throws -> (path: String, replica: ReplicaID) {
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        for index in 1...3 { try Fixture.entry("e\(index)", pain: Int64(index), in: vault) }
        var other = Replica(id: ReplicaID(high: 5, low: 5))
        _ = try other.makeChange(wallMilliseconds: 1) { try $0.create("x", type: "t") }
        let waiting = try other.makeChange(wallMilliseconds: 2) { try $0.set("x", "y", to: .int(1)) }
        _ = try vault.receive([waiting])
        let replica = vault.replicaID
        try vault.close()
        return (path, replica)
    }

    func openingFails(_ path: String) -> [CorruptRow] {
        do {
            let vault = try Vault.open(at: path, passphrase: Fixture.passphrase)
            try? vault.close()
            Issue.record("a damaged vault opened")
            return []
        } catch StoreError.corrupted(let rows) {
            return rows
        } catch {
            Issue.record("expected StoreError.corrupted, got \(error)")
            return []
        }
    }

    /// The plain columns beside each sealed box (seqs, replica ids) and the KDF parameters are
    /// read before anything is authenticated: out-of-range values there are named as damage,
    /// never trapped on, and parameters that would run the KDF for hours are refused.
    @Test(arguments: [
        "UPDATE change_run SET first_seq = -1 WHERE first_seq = 2",
        "UPDATE change_run SET last_seq = 'many' WHERE first_seq = 2",
        "UPDATE change_run SET replica = 7 WHERE first_seq = 2",
        "UPDATE pending_change SET seq = -5",
        "UPDATE pending_change SET sealed = 1.5",
        "UPDATE vault SET kdf_ops = 1000000000",
        "UPDATE vault SET kdf_mem = 4398046511104",
    ])
    func implausibleColumnsAreNamedNotTrappedOn(statement: String) async throws {
        let folder = try TemporaryFolder()
        let (path, _) = try Self.vault(in: folder)
        try Fixture.tamper(path) { db in try db.execute(sql: statement) }
        #expect(openingFails(path).count >= 1)
    }

    @Test func aFlippedByteNamesItsRow() throws {
        let folder = try TemporaryFolder()
        let (path, replica) = try Self.vault(in: folder)
        try Fixture.tamper(path) { db in
            var sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM change_run WHERE first_seq = 2")!
            sealed[sealed.count / 2] ^= 0x01
            try db.execute(sql: "UPDATE change_run SET sealed = ? WHERE first_seq = 2", arguments: [sealed])
        }
        let rows = openingFails(path)
        #expect(rows.contains(CorruptRow(table: "change_run", key: "\(replica)@2", problem: "does not authenticate (altered, moved or from another vault)")))
        #expect(StoreError.corrupted(rows).description.contains("change_run row \(replica)@2"))
    }

    @Test func swappedRowsAreBothNamed() throws {
        let folder = try TemporaryFolder()
        let (path, replica) = try Self.vault(in: folder)
        try Fixture.tamper(path) { db in
            let one = try Data.fetchOne(db, sql: "SELECT sealed FROM change_run WHERE first_seq = 1")!
            let two = try Data.fetchOne(db, sql: "SELECT sealed FROM change_run WHERE first_seq = 2")!
            try db.execute(sql: "UPDATE change_run SET sealed = ? WHERE first_seq = 1", arguments: [two])
            try db.execute(sql: "UPDATE change_run SET sealed = ? WHERE first_seq = 2", arguments: [one])
        }
        let names = Set(openingFails(path).map(\.key))
        #expect(names.isSuperset(of: ["\(replica)@1", "\(replica)@2"]))
    }

    @Test func relabelledRowsAreCaught() throws {
        let folder = try TemporaryFolder()
        let (path, replica) = try Self.vault(in: folder)
        // Row 3's key renamed to claim it holds seq 4: the ciphertext is bound to seq 3.
        try Fixture.tamper(path) { db in
            try db.execute(sql: "UPDATE change_run SET first_seq = 4, last_seq = 4 WHERE first_seq = 3")
        }
        #expect(openingFails(path).map(\.key).contains("\(replica)@4"))
    }

    @Test func deletedRowsAreCaught() throws {
        let folder = try TemporaryFolder()
        let (last, _) = try Self.vault(in: folder)
        try Fixture.tamper(last) { db in try db.execute(sql: "DELETE FROM change_run WHERE first_seq = 3") }
        #expect(openingFails(last).map(\.table) == ["head"])

        let other = try TemporaryFolder()
        let (middle, replica) = try Self.vault(in: other)
        try Fixture.tamper(middle) { db in try db.execute(sql: "DELETE FROM change_run WHERE first_seq = 2") }
        #expect(openingFails(middle).contains { $0.key == "\(replica)@3" && $0.problem == "does not follow the rows before it" })

        let third = try TemporaryFolder()
        let (pending, _) = try Self.vault(in: third)
        try Fixture.tamper(pending) { db in try db.execute(sql: "DELETE FROM pending_change") }
        #expect(openingFails(pending).map(\.table) == ["head"])
    }

    @Test func aRowCopiedFromAnotherVaultIsCaught() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try Self.vault(in: folder)
        let otherFolder = try TemporaryFolder()
        let (otherPath, _) = try Self.vault(in: otherFolder)
        let foreign = try DatabaseQueue(path: otherPath).read { db in try Row.fetchOne(db, sql: "SELECT * FROM change_run WHERE first_seq = 1")! }
        try Fixture.tamper(path) { db in
            try db.execute(sql: "DELETE FROM change_run")
            try db.execute(
                sql: "INSERT INTO change_run (replica, first_seq, last_seq, sealed) VALUES (?, ?, ?, ?)",
                arguments: [foreign["replica"] as Data, foreign["first_seq"] as Int64, foreign["last_seq"] as Int64, foreign["sealed"] as Data])
        }
        #expect(openingFails(path).contains { $0.table == "change_run" && $0.problem.contains("does not authenticate") })
    }

    @Test func damagedHeadPendingAndVaultRowsAreNamed() throws {
        let folder = try TemporaryFolder()
        let (head, _) = try Self.vault(in: folder)
        try Fixture.tamper(head) { db in try db.execute(sql: "UPDATE head SET sealed = zeroblob(60)") }
        #expect(openingFails(head).map(\.table) == ["head"])

        let other = try TemporaryFolder()
        let (pending, _) = try Self.vault(in: other)
        try Fixture.tamper(pending) { db in try db.execute(sql: "UPDATE pending_change SET seq = 3") }
        #expect(openingFails(pending).contains { $0.table == "pending_change" })

        // The device id in the clear no longer matches what the keyring is bound to: it reads
        // as a wrong passphrase (the two cannot be told apart), and nothing is changed.
        let third = try TemporaryFolder()
        let (vaultRow, _) = try Self.vault(in: third)
        try Fixture.tamper(vaultRow) { db in try db.execute(sql: "UPDATE vault SET replica_id = zeroblob(16)") }
        #expect(throws: StoreError.wrongPassphrase) { try Vault.open(at: vaultRow, passphrase: Fixture.passphrase) }
    }
}
