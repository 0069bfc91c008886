import FlareCRDT
import Foundation
import GRDB

/// The outcome of a whole-vault check that found nothing wrong.
public struct IntegrityReport: Equatable, Sendable {
    /// Changes in the log.
    public let changeCount: Int
    /// Rows holding them.
    public let changeRowCount: Int
    /// Changes waiting in the buffer.
    public let bufferedCount: Int
    /// Size of the vault's files (database and write-ahead log).
    public let fileBytes: Int
}

extension Vault {
    /// Checks the whole vault: SQLite's own structure check, then every row is opened and
    /// decoded, the log is replayed from its first change, the checkpoint is read and the rows
    /// after it replayed, and both results must equal the state in use. Throws
    /// `StoreError.corrupted` naming every damaged row. Local state rows are opened too.
    public func verifyIntegrity() throws -> IntegrityReport {
        let (structure, rowCount) = try Self.storageErrors {
            try database.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"), try Int.fetchOne(db, sql: "SELECT count(*) FROM change_run") ?? 0)
            }
        }
        guard structure == ["ok"] else {
            throw StoreError.corrupted(structure.map { CorruptRow(table: "sqlite", key: "structure", problem: $0) })
        }
        let inUse = replica.snapshot.encoded()
        let (replayed, _) = try Self.load(database, replicaID: replicaID, key: keyring.storageKey, binding: binding, path: .wholeLog)
        guard replayed.snapshot.encoded() == inUse else {
            throw StoreError.corrupted([CorruptRow(table: "change_run", key: "all", problem: "replaying the log does not give the state in use")])
        }
        let (restored, _) = try Self.load(database, replicaID: replicaID, key: keyring.storageKey, binding: binding, path: .checkedCheckpoint)
        guard restored.snapshot.encoded() == inUse else {
            throw StoreError.corrupted([CorruptRow(table: "checkpoint_chunk", key: "all", problem: "the checkpoint and the rows after it do not give the state in use")])
        }
        let localStateNames = try Self.storageErrors {
            try database.read { db in try String.fetchAll(db, sql: "SELECT name FROM local_state ORDER BY name") }
        }
        for name in localStateNames { _ = try localState(name) }
        let fileBytes = ["", "-wal"].reduce(0) { total, suffix in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
        return IntegrityReport(
            changeCount: Int(replayed.versionVector.reduce(0) { $0 + $1.seq }),
            changeRowCount: rowCount,
            bufferedCount: replayed.bufferedCount,
            fileBytes: fileBytes)
    }
}
