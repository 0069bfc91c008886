import FlareCRDT
import Foundation
import Testing
import TestSupport

@testable import FlareStore

/// Files written by earlier schemas open with today's code, holding exactly what they held.
@Suite struct MigrationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test func aVaultFromTheFirstSchemaOpens() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("old.flare")
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("vault-schema-v1.flare").path, toPath: path)
        let expected = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("vault-schema-v1.snapshot")))

        #expect(throws: StoreError.wrongPassphrase) { try Vault.open(at: path, passphrase: "schema two fixture") }
        let vault = try Vault.open(at: path, passphrase: "schema one fixture")
        #expect(vault.vaultID.hex == "93d4ab345f77453e77b09ceb9aabd254")
        #expect(vault.replicaID.description == "43e6bb8cc34b3352fb1d1653aa179671")
        #expect(vault.replica.snapshot.encoded() == expected)
        #expect(vault.replica.bufferedCount == 1)
        guard case .register(let pain)? = vault.replica.document("e1")?.field("pain") else { Issue.record("e1 has no pain"); return }
        #expect(pain.winner.value == .int(5))
        #expect(try vault.changes().count == 6)

        // Migrated to the current schema: the checkpoint table exists and is used.
        let applied = try vault.database.read { db in try Schema.migrator.appliedMigrations(db) }
        #expect(applied == ["v1", "v2-checkpoints", "v3-local-state"])
        #expect(vault.head.checkpoint == nil)
        try Fixture.entry("e4", pain: 2, in: vault)
        try vault.compact()
        #expect(try vault.verifyIntegrity().changeCount == 7)
        let state = vault.replica.snapshot.encoded()
        try vault.close()
        let reopened = try Vault.open(at: path, passphrase: "schema one fixture")
        #expect(reopened.head.checkpoint?.generation == 1)
        #expect(reopened.replica.snapshot.encoded() == state)
        #expect(reopened.replica.bufferedCount == 1)
        #expect(try reopened.changes().count == 7)
        try reopened.close()
    }
}
