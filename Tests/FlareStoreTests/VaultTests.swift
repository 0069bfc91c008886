import FlareBytes
import FlareCRDT
import FlareCrypto
import Foundation
import GRDB
import Testing
import TestSupport

@testable import FlareStore

enum Fixture {
    static let passphrase = "correct horse battery staple"
    static let parameters = PassphraseParameters.minimumForTests

    static func vault(at path: String, joining secret: VaultSecret? = nil) throws -> Vault {
        try Vault.create(at: path, passphrase: passphrase, joining: secret, parameters: parameters)
    }

    /// Logs a symptom entry with a note.
    @discardableResult
    static func entry(_ id: String, pain: Int64, note: String = "woke stiff", in vault: Vault) throws -> Change {
        try vault.makeChange { change in
            try change.create(id, type: "symptom")
            try change.set(id, "pain", to: .int(pain))
            try change.add(id, "regions", "neck")
            try change.insertText(id, "note", at: 0, note)
        }
    }

    /// Every byte of the vault's files (main, WAL, shared memory), for "nothing changed" checks.
    static func contents(of path: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { files[suffix] = data }
        }
        return files
    }

    /// Runs raw SQL on a closed vault file, as someone with the disk (not the passphrase) could.
    static func tamper(_ path: String, _ body: (Database) throws -> Void) throws {
        let database = try DatabaseQueue(path: path)
        try database.write(body)
        try database.close()
    }
}

@Suite struct VaultTests {
    @Test func createWriteCloseAndOpen() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("phone.flare")
        let vault = try Fixture.vault(at: path)
        try Fixture.entry("e1", pain: 6, in: vault)
        let batch = try vault.write { batch in
            try batch.makeChange { try $0.set("e1", "pain", to: .int(7)) }
            try batch.makeChange { change in
                try change.create("e2", type: "symptom")
                try change.set("e2", "pain", to: .int(3))
            }
        }
        #expect(batch.map(\.id.seq) == [2, 3])
        let snapshot = vault.replica.snapshot.encoded()
        let vaultID = vault.vaultID
        let replicaID = vault.replicaID
        try vault.close()

        let reopened = try Vault.open(at: path, passphrase: Fixture.passphrase)
        // Durable on return: WAL, and every commit synced (FULL = 2).
        #expect(try reopened.database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try reopened.database.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        #expect(reopened.vaultID == vaultID)
        #expect(reopened.replicaID == replicaID)
        #expect(reopened.replica.snapshot.encoded() == snapshot)
        #expect(try reopened.changes().map(\.id.seq) == [1, 2, 3])
        #expect(try reopened.changes(notIn: VersionVector([(replicaID, UInt64(2))])).map(\.id.seq) == [3])
        #expect(try reopened.history(of: "e1", field: "pain").map(\.operation) == [
            .set(document: "e1", field: "pain", value: .int(6)), .set(document: "e1", field: "pain", value: .int(7)),
        ])
        // The clock continues after the stored changes.
        let next = try Fixture.entry("e3", pain: 1, in: reopened)
        #expect(next.id.seq == 4)
        try reopened.close()
    }

    @Test func wrongPassphraseIsRefusedAndTouchesNothing() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("phone.flare")
        let vault = try Fixture.vault(at: path)
        try Fixture.entry("e1", pain: 6, in: vault)
        try vault.close()
        let before = Fixture.contents(of: path)
        #expect(throws: StoreError.wrongPassphrase) { try Vault.open(at: path, passphrase: "correct horse battery stapler") }
        #expect(throws: StoreError.wrongPassphrase) { try Vault.open(at: path, passphrase: "") }
        #expect(Fixture.contents(of: path) == before)
        #expect(StoreError.wrongPassphrase.description.contains("passphrase"))
    }

    /// "é" typed as one code point or as "e" and a combining accent is the same passphrase.
    @Test func aDerivedUnlockReopensUntilThePassphraseChanges() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        try Fixture.entry("e1", pain: 3, in: vault)
        let unlock = try VaultUnlock.derive(forVaultAt: path, passphrase: Fixture.passphrase)
        #expect(throws: StoreError.locked(path: path)) { try Vault.open(at: path, unlock: unlock) }
        try vault.close()
        #expect(throws: StoreError.wrongPassphrase) { try VaultUnlock.derive(forVaultAt: path, passphrase: "not it").open(path) }
        let reopened = try Vault.open(at: path, unlock: unlock)
        #expect(reopened.replica.document("e1") != nil)
        try reopened.changePassphrase(to: "a new passphrase", parameters: Fixture.parameters)
        try reopened.close()
        #expect(throws: StoreError.wrongPassphrase) { try Vault.open(at: path, unlock: unlock) }
        #expect(throws: StoreError.noVault(path: folder.path("none"))) { try VaultUnlock.derive(forVaultAt: folder.path("none"), passphrase: "x") }
    }

    @Test func passphrasesAreNormalised() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        try Vault.create(at: path, passphrase: "caf\u{E9} au lait", parameters: Fixture.parameters).close()
        try Vault.open(at: path, passphrase: "cafe\u{301} au lait").close()
    }

    @Test func passphraseChangeRewrapsWithoutReencrypting() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("phone.flare")
        let vault = try Fixture.vault(at: path)
        try Fixture.entry("e1", pain: 6, in: vault)
        let rowsBefore = try vault.database.read { db in try Data.fetchAll(db, sql: "SELECT sealed FROM change_run") }
        try vault.changePassphrase(to: "a new and longer passphrase", parameters: Fixture.parameters)
        let rowsAfter = try vault.database.read { db in try Data.fetchAll(db, sql: "SELECT sealed FROM change_run") }
        #expect(rowsBefore == rowsAfter)
        try vault.close()
        #expect(throws: StoreError.wrongPassphrase) { try Vault.open(at: path, passphrase: Fixture.passphrase) }
        let reopened = try Vault.open(at: path, passphrase: "a new and longer passphrase")
        #expect(reopened.replica.document("e1") != nil)
        try reopened.close()
    }

    /// Nothing a person wrote appears anywhere in the vault's files: not while it is open (WAL
    /// included), not after it is closed.
    @Test func noPlaintextOnDisk() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("phone.flare")
        let vault = try Fixture.vault(at: path)
        let secrets = ["marmalade-zebra-7731", "entry-quokka-42", "symptom-kind-ocelot", "field-narwhal", "region-axolotl"]
        try vault.makeChange { change in
            try change.create("entry-quokka-42", type: "symptom-kind-ocelot")
            try change.set("entry-quokka-42", "field-narwhal", to: .string("marmalade-zebra-7731"))
            try change.add("entry-quokka-42", "regions", "region-axolotl")
            try change.insertText("entry-quokka-42", "note", at: 0, "marmalade-zebra-7731 all day")
        }
        // A received change waits in the buffer: its row must be sealed too.
        var other = Replica(id: ReplicaID.random())
        _ = try other.makeChange(wallMilliseconds: 1) { try $0.create("x", type: "t") }
        let waiting = try other.makeChange(wallMilliseconds: 2) { try $0.set("x", "field-narwhal", to: .string("marmalade-zebra-7731")) }
        #expect(try vault.receive([waiting]).buffered == [waiting.id])
        let clock = vault.replica.clock.milliseconds

        func assertClean() {
            for (suffix, data) in Fixture.contents(of: path) {
                for secret in secrets {
                    #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(path)\(suffix)")
                }
                // The clock as it would be stored in the clear by a careless encoder.
                var writer = ByteWriter()
                writer.varint(clock)
                #expect(data.range(of: Data(writer.bytes)) == nil, "a plaintext timestamp found in \(suffix)")
            }
        }
        assertClean()
        try vault.close()
        assertClean()
    }

    @Test func receivedChangesApplyOnceInAnyOrderAndTheBufferSurvivesReopening() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("laptop.flare")
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        var changes: [Change] = []
        for index in 1...5 {
            changes.append(try phone.makeChange(wallMilliseconds: UInt64(index) * 1000) { change in
                if index == 1 { try change.create("e1", type: "symptom") }
                try change.set("e1", "pain", to: .int(Int64(index)))
            })
        }
        let vault = try Fixture.vault(at: path)
        let late = try vault.receive(Array(changes[2...].reversed()))
        #expect(late.buffered.count == 3 && late.applied.isEmpty)
        try vault.close()

        let reopened = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(reopened.replica.bufferedCount == 3)
        let rest = try reopened.receive([changes[1], changes[0], changes[0]])
        #expect(rest.applied.count == 5)
        #expect(rest.duplicates == [changes[0].id])
        #expect(try reopened.receive(changes).duplicates.count == 5)
        #expect(reopened.replica.snapshot.encoded() == phone.snapshot.encoded())
        let pendingRows = try reopened.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_change") }
        #expect(pendingRows == 0)
        try reopened.close()

        let again = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(again.replica.bufferedCount == 0)
        #expect(try again.receive(changes).duplicates.count == 5)
        #expect(again.replica.snapshot.encoded() == phone.snapshot.encoded())
        #expect(try again.changes() == phone.changes())
        try again.close()
    }

    @Test func localStateIsSealedStoredWithReceivedChangesAndChecked() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("laptop.flare")
        var phone = Replica(id: ReplicaID(high: 1, low: 1))
        let change = try phone.makeChange(wallMilliseconds: 1000) { try $0.create("e1", type: "symptom") }
        let vault = try Fixture.vault(at: path)
        #expect(try vault.localState("sync") == nil)
        try vault.setLocalState("sync", to: Array("relay one, pulled to 7".utf8))
        // Stored in the receive's transaction, even when nothing new arrives.
        _ = try vault.receive([change], settingLocalState: LocalState(name: "sync", bytes: Array("pulled to 8".utf8)))
        _ = try vault.receive([change], settingLocalState: LocalState(name: "sync", bytes: Array("pulled to 9".utf8)))
        try vault.close()
        #expect(!Fixture.contents(of: path).values.contains { $0.range(of: Data("pulled to".utf8)) != nil })

        let reopened = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(try reopened.localState("sync") == Array("pulled to 9".utf8))
        #expect(try reopened.verifyIntegrity().changeCount == 1)
        // A row moved under another name does not open, and the check names it.
        try reopened.database.write { db in try db.execute(sql: "UPDATE local_state SET name = 'other'") }
        #expect(throws: StoreError.corrupted([CorruptRow(table: "local_state", key: "other", problem: "it does not open under this vault's key")])) {
            try reopened.verifyIntegrity()
        }
        try reopened.close()
    }

    @Test func malformedReceivedChangesAreReportedAndNotStored() throws {
        let folder = try TemporaryFolder()
        let vault = try Fixture.vault(at: folder.path("v.flare"))
        let stranger = ReplicaID(high: 9, low: 9)
        let editsMissingDocument = Change(
            id: ChangeID(replica: stranger, seq: 1), clock: HLC(milliseconds: 5),
            dependencies: VersionVector(), operations: [.set(document: "nope", field: "pain", value: .int(3))])
        let waitsForIt = Change(
            id: ChangeID(replica: stranger, seq: 2), clock: HLC(milliseconds: 6),
            dependencies: VersionVector(), operations: [.set(document: "nope", field: "pain", value: .int(4))])
        let report = try vault.receive([waitsForIt, editsMissingDocument])
        #expect(report.applied.isEmpty)
        #expect(report.rejected.map(\.change) == [editsMissingDocument.id])
        #expect(report.buffered.isEmpty == false || vault.replica.bufferedCount == 1)
        #expect(try vault.changes().isEmpty)
        try vault.close()
    }

    @Test func aFailedBatchStoresNothing() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        try Fixture.entry("e1", pain: 2, in: vault)
        let before = vault.replica.snapshot.encoded()
        #expect(throws: EditError.self) {
            try vault.write { batch in
                try batch.makeChange { try $0.set("e1", "pain", to: .int(9)) }
                try batch.makeChange { try $0.set("missing", "pain", to: .int(9)) }
            }
        }
        #expect(vault.replica.snapshot.encoded() == before)
        #expect(try vault.changes().count == 1)
        #expect(throws: EditError.self) { try vault.makeChange { try $0.create("e1", type: "symptom") } }
        #expect(vault.replica.versionVector[vault.replicaID] == 1)
        try vault.close()
        let reopened = try Vault.open(at: path, passphrase: Fixture.passphrase)
        #expect(reopened.replica.snapshot.encoded() == before)
        try reopened.close()
    }

    @Test func aSecondDeviceJoinsWithThePairingCode() throws {
        let folder = try TemporaryFolder()
        let phone = try Fixture.vault(at: folder.path("phone.flare"))
        let secret = try VaultSecret(pairingCode: phone.pairingCode)
        let laptop = try Fixture.vault(at: folder.path("laptop.flare"), joining: secret)
        #expect(laptop.vaultID == phone.vaultID)
        #expect(laptop.replicaID != phone.replicaID)
        #expect(laptop.deviceKey.publicKey != phone.deviceKey.publicKey)
        try Fixture.entry("e1", pain: 4, in: phone)
        #expect(try laptop.receive(try phone.changes()).applied.count == 1)
        #expect(laptop.replica.snapshot.encoded() == phone.replica.snapshot.encoded())
        try phone.close()
        try laptop.close()
    }

    @Test func oneProcessAtATime() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        let vault = try Fixture.vault(at: path)
        #expect(throws: StoreError.locked(path: path)) { try Vault.open(at: path, passphrase: Fixture.passphrase) }
        try vault.close()
    }

    @Test func filesThatAreNotVaults() throws {
        let folder = try TemporaryFolder()
        let missing = folder.path("missing.flare")
        #expect(throws: StoreError.noVault(path: missing)) { try Vault.open(at: missing, passphrase: "x") }
        #expect(!FileManager.default.fileExists(atPath: missing))

        let text = folder.path("notes.txt")
        #expect(FileManager.default.createFile(atPath: text, contents: Data(String(repeating: "not a database\n", count: 100).utf8)))
        #expect(throws: StoreError.notAVault(path: text)) { try Vault.open(at: text, passphrase: "x") }

        let other = folder.path("other.sqlite")
        try Fixture.tamper(other) { db in try db.execute(sql: "CREATE TABLE t (x)") }
        let before = Fixture.contents(of: other)
        #expect(throws: StoreError.notAVault(path: other)) { try Vault.open(at: other, passphrase: "x") }
        #expect(Fixture.contents(of: other) == before)

        #expect(throws: StoreError.notAVault(path: folder.url.path)) { try Vault.open(at: folder.url.path, passphrase: "x") }

        let existing = folder.path("v.flare")
        try Fixture.vault(at: existing).close()
        #expect(throws: StoreError.alreadyExists(path: existing)) { try Fixture.vault(at: existing) }
        #expect(throws: StoreError.alreadyExists(path: text)) { try Fixture.vault(at: text) }
        #expect(throws: StoreError.cannotCreate(path: folder.url.path, reason: "it is a folder")) { try Fixture.vault(at: folder.url.path) }
        let nowhere = folder.path("missing/v.flare")
        #expect(throws: StoreError.cannotCreate(path: nowhere, reason: "the folder \(folder.path("missing")) does not exist")) {
            try Fixture.vault(at: nowhere)
        }
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["notes.txt", "other.sqlite", "v.flare", "v.flare.lock"])
    }

    @Test func aNewerSchemaIsRefusedUntouched() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v.flare")
        try Fixture.vault(at: path).close()
        try Fixture.tamper(path) { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        let before = Fixture.contents(of: path)
        #expect(throws: StoreError.newerSchema(path: path, found: ["v99-future"])) {
            try Vault.open(at: path, passphrase: Fixture.passphrase)
        }
        #expect(Fixture.contents(of: path) == before)
    }
}

extension VaultUnlock {
    /// Opens the vault at `path` with this unlock.
    func open(_ path: String) throws -> Vault { try Vault.open(at: path, unlock: self) }
}
