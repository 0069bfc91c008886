import FlareCRDT
import FlareCrypto
import Foundation
import GRDB

/// The vault row as read before unlocking: ids, the passphrase KDF's salt and parameters, and
/// the sealed keyring. Reading it also refuses files that are not vaults, or that a newer
/// Flare wrote, before anything is changed.
struct StoredKeyring {
    let vaultID: VaultID
    let replicaID: ReplicaID
    let salt: [UInt8]
    let parameters: PassphraseParameters
    let sealed: [UInt8]

    static func read(_ db: Database, path: String) throws -> StoredKeyring {
        let migrator = Schema.migrator
        if try migrator.hasBeenSuperseded(db) {
            let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
            throw StoreError.newerSchema(path: path, found: unknown)
        }
        guard try db.tableExists("vault"),
            let row = try Row.fetchOne(db, sql: "SELECT * FROM vault WHERE id = 1"),
            (row["format"] as String?) == Schema.format
        else { throw StoreError.notAVault(path: path) }
        func damaged(_ problem: String) -> StoreError {
            .corrupted([CorruptRow(table: "vault", key: "1", problem: problem)])
        }
        guard let vaultBytes = row["vault_id"] as Data?, let vaultID = VaultID(bytes: [UInt8](vaultBytes)) else {
            throw damaged("has no valid vault id")
        }
        guard let replicaBytes = row["replica_id"] as Data?, let replicaID = ReplicaID(bytes: replicaBytes) else {
            throw damaged("has no valid replica id")
        }
        guard let salt = row["kdf_salt"] as Data?, salt.count == PassphraseParameters.saltByteCount,
            let ops = row["kdf_ops"] as Int64?, let memory = row["kdf_mem"] as Int64?, ops > 0, memory > 0,
            let parameters = try? PassphraseParameters(opsLimit: UInt64(ops), memLimitBytes: UInt64(memory))
        else { throw damaged("has invalid passphrase parameters") }
        guard parameters.isWithinCeiling else {
            throw damaged("asks for \(parameters.opsLimit) passes over \(parameters.memLimitBytes) bytes to derive its key, beyond anything Flare writes")
        }
        guard let sealed = row["keyring"] as Data? else { throw damaged("has no keyring") }
        return StoredKeyring(vaultID: vaultID, replicaID: replicaID, salt: [UInt8](salt), parameters: parameters, sealed: [UInt8](sealed))
    }
}
