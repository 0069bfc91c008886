import FlareBytes
import FlareCRDT
import FlareCrypto
import Foundation
import GRDB

/// One device's encrypted replica of a vault, in one SQLite file.
///
/// Every write is one SQLite transaction in WAL mode with `synchronous = FULL`: when a write
/// method returns, its changes are on disk and survive a crash or a power cut; when it throws,
/// none of them are, and the in-memory state is as it was. Nothing the person wrote is stored
/// in the clear (Protocol/CRYPTO.md, "What the disk sees").
///
/// A `Vault` is used from one thread or task at a time. While it is open, its file is locked
/// against other processes.
public final class Vault {
    /// The file.
    public let path: String
    /// The vault this device belongs to.
    public let vaultID: VaultID
    /// This device's replica id.
    public let replicaID: ReplicaID

    let keyring: Keyring
    let binding: RowBinding
    let database: DatabaseQueue
    private let lock: VaultLock
    /// The replica as stored; `nil` only while a write holds it (so it is never copied).
    var current: Replica?
    var head: Head

    /// Whether a write starts a compaction on another thread when the log has grown by a
    /// quarter since the last checkpoint. Turn it off to keep all work on the calling thread
    /// (then call `compact()` when convenient, e.g. once after a bulk import).
    public var compactsAutomatically = true

    /// Why the last automatic compaction (after a write or at `close()`) failed, if it did.
    /// The write itself was stored; compaction is tried again later (or call `compact()`).
    public private(set) var lastCompactionError: Error?

    /// The compaction running on another thread, if any.
    var compactionJob: CompactionJob?
    /// The documents changes touched since `compactionJob` copied the replica.
    var changedSinceCompaction: Set<String> = []

    /// Reads the wall clock; replaceable so tests and fixtures control time.
    public var wallClock: @Sendable () -> UInt64 = Vault.systemMilliseconds

    /// Milliseconds since 1970 by the system clock.
    public static let systemMilliseconds: @Sendable () -> UInt64 = {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }

    /// The replica: the state of every document, this device's clock and version vector.
    /// Changes are kept on disk, not in it (see `changes(notIn:)`).
    public var replica: Replica { current! }

    /// The code that admits another device and recovers the vault: the pairing code of the
    /// vault secret while the vault has never revoked a device, afterwards the recovery code
    /// of the newest key epoch this device holds.
    public var pairingCode: String {
        guard let keyEpochs, keyEpochs.current > 0 else {
            return keyEpochs == nil ? PairingCodeContent.recovery(vault: vaultID, secret: keyring.vaultSecret).code : keyring.vaultSecret.pairingCode
        }
        return PairingCodeContent.recovery(vault: vaultID, secret: keyEpochs.currentSecret).code
    }

    /// The secret this device was made with: the vault secret, or (for a device that joined
    /// after a revocation) the key epoch secret it was given.
    package var givenSecret: VaultSecret { keyring.vaultSecret }

    /// The key epochs this device holds; nil for a device given a later epoch's secret that
    /// has not yet learnt from the relay which epoch it is (its first sync places it).
    public internal(set) var keyEpochs: KeyEpochs?

    /// The keys of the newest epoch this device holds (or of the secret it was given): new
    /// changes are sealed under its data key, and its auth key admits devices.
    public var currentKeys: VaultKeys { keyEpochs?.currentKeys ?? keyring.vaultSecret.keys() }

    /// This device's own signing key.
    public var deviceKey: SigningKey { keyring.deviceKey }

    /// The passphrase-derived key that opens this file's keyring as it is now stored, for
    /// reopening the vault later without the passphrase or the KDF (`flare unlock` hands it to
    /// the unlock agent). A passphrase change replaces it.
    public private(set) var unlock: VaultUnlock

    private init(
        path: String, database: DatabaseQueue, lock: VaultLock, keyring: Keyring, vaultID: VaultID, replicaID: ReplicaID, unlock: VaultUnlock
    ) throws {
        self.path = path
        self.database = database
        self.lock = lock
        self.keyring = keyring
        self.unlock = unlock
        self.vaultID = vaultID
        self.replicaID = replicaID
        binding = RowBinding(vault: vaultID, device: replicaID)
        (current, head) = try Self.load(database, replicaID: replicaID, key: keyring.storageKey, binding: binding)
        keyEpochs = try loadKeyEpochs()
    }

    // MARK: Creating and opening

    /// Creates a vault at `path` for a new device, sealed under `passphrase`: a new vault when
    /// `secret` is nil, or a new device of the vault whose secret is `secret` (from its
    /// pairing code). `vault` names the vault when `secret` is a later key epoch's (from an
    /// invite or recovery code): the device's first sync places it. The file appears complete
    /// or not at all.
    public static func create(
        at path: String,
        passphrase: String,
        joining secret: VaultSecret? = nil,
        of vault: VaultID? = nil,
        parameters: PassphraseParameters = .recommended
    ) throws -> Vault {
        try checkCreatable(path)
        let keyring = Keyring.random(vaultSecret: secret ?? .random())
        let vaultID = vault ?? keyring.vaultSecret.keys().vaultID
        let replicaID = ReplicaID.random()
        let binding = RowBinding(vault: vaultID, device: replicaID)
        let salt = PassphraseParameters.newSalt()
        let wrappingKey = try wrappingKey(passphrase: passphrase, salt: salt, parameters: parameters)

        // Built under a temporary name and linked into place, so a crash never leaves a
        // half-made vault at `path` and an existing file is never overwritten.
        let temporary = path + ".creating-" + Hex.encode(Random.bytes(6))
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try storageErrors {
            let database = try DatabaseQueue(path: temporary)
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try Schema.migrator.migrate(database)
            try database.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO vault (id, format, vault_id, replica_id, kdf_salt, kdf_ops, kdf_mem, keyring)
                        VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        Schema.format, Data(vaultID.bytes), Data(replicaID.bytes), Data(salt),
                        Int64(parameters.opsLimit), Int64(parameters.memLimitBytes),
                        Data(keyring.sealed(with: wrappingKey, associatedData: binding.keyring(salt: salt, parameters: parameters))),
                    ])
                let head = Head(logVector: VersionVector(), pendingCount: 0, checkpoint: nil)
                try db.execute(
                    sql: "INSERT INTO head (id, sealed) VALUES (1, ?)",
                    arguments: [Data(head.sealed(with: keyring.storageKey, binding: binding))])
            }
            try database.close()
        }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { throw StoreError.alreadyExists(path: path) }
            throw StoreError.storage("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        return try storageErrors {
            let lock = try VaultLock(path: path)
            return try Vault(
                path: path, database: try Self.connect(path), lock: lock, keyring: keyring, vaultID: vaultID, replicaID: replicaID,
                unlock: VaultUnlock(salt: salt, parameters: parameters, key: wrappingKey))
        }
    }

    /// Refuses, before any work, a path where a vault cannot be created, saying why.
    private static func checkCreatable(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { throw StoreError.cannotCreate(path: path, reason: "it is a folder") }
            throw StoreError.alreadyExists(path: path)
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw StoreError.cannotCreate(path: path, reason: "the folder \(folder) does not exist")
        }
        guard isFolder.boolValue else { throw StoreError.cannotCreate(path: path, reason: "\(folder) is a file, not a folder") }
        guard access(folder, W_OK) == 0 else {
            throw StoreError.cannotCreate(path: path, reason: "the folder \(folder) is not writable")
        }
    }

    /// Opens the vault at `path` with `passphrase`. Throws `wrongPassphrase` (having changed
    /// nothing) if it does not unlock the vault, `locked` if another process has it open, and
    /// `corrupted` naming every damaged row it had to read.
    public static func open(at path: String, passphrase: String) throws -> Vault {
        // The lock first: a vault open elsewhere is reported at once, before the KDF runs.
        let lock = try VaultLock(path: try checkedFile(path))
        return try open(at: path, lock: lock) { stored in try VaultUnlock(stored, passphrase: passphrase) }
    }

    /// Opens the vault at `path` with a key derived earlier (`VaultUnlock.derive`), without
    /// running the KDF. Throws `wrongPassphrase` if it does not unlock the vault (also when the
    /// passphrase was changed since), and otherwise as `open(at:passphrase:)`.
    public static func open(at path: String, unlock: VaultUnlock) throws -> Vault {
        try open(at: path, lock: VaultLock(path: try checkedFile(path))) { _ in unlock }
    }

    /// Opens with the unlock `unlocking` gives for the vault row as stored (read once). A file
    /// that is not a vault leaves no lock file beside it.
    private static func open(at path: String, lock: VaultLock, unlocking: (StoredKeyring) throws -> VaultUnlock) throws -> Vault {
        do {
            return try storageErrors(path: path) {
                let database = try connect(path)
                let stored = try database.read { db in try StoredKeyring.read(db, path: path) }
                let unlock = try unlocking(stored)
                guard stored.salt == unlock.salt, stored.parameters == unlock.parameters else { throw StoreError.wrongPassphrase }
                let binding = RowBinding(vault: stored.vaultID, device: stored.replicaID)
                let keyring: Keyring
                do {
                    keyring = try Keyring.open(stored.sealed, with: unlock.key, associatedData: binding.keyring(salt: stored.salt, parameters: stored.parameters))
                } catch {
                    throw StoreError.wrongPassphrase
                }
                // The keyring's box is bound to the stored vault id, so a keyring moved from
                // another vault does not open; its secret may be a later epoch's, whose auth
                // key does not hash to the vault id.
                try Schema.migrator.migrate(database)
                return try Vault(
                    path: path, database: database, lock: lock, keyring: keyring, vaultID: stored.vaultID, replicaID: stored.replicaID, unlock: unlock)
            }
        } catch StoreError.notAVault(let path) {
            lock.discard()
            throw StoreError.notAVault(path: path)
        }
    }

    /// `path`, if it names a file (not a folder).
    private static func checkedFile(_ path: String) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw StoreError.noVault(path: path) }
        guard !isFolder.boolValue else { throw StoreError.notAVault(path: path) }
        return path
    }

    /// The vault row, read without unlocking (and without taking the lock).
    static func readStoredKeyring(at path: String) throws -> StoredKeyring {
        try storageErrors(path: path) {
            let database = try connect(try checkedFile(path))
            defer { try? database.close() }
            return try database.read { db in try StoredKeyring.read(db, path: path) }
        }
    }

    /// Seals the keyring under a new passphrase (new salt, `parameters`). The data itself is
    /// not re-encrypted: it is sealed under the storage key inside the keyring.
    public func changePassphrase(to passphrase: String, parameters: PassphraseParameters = .recommended) throws {
        let salt = PassphraseParameters.newSalt()
        let wrappingKey = try Self.wrappingKey(passphrase: passphrase, salt: salt, parameters: parameters)
        let sealed = keyring.sealed(with: wrappingKey, associatedData: binding.keyring(salt: salt, parameters: parameters))
        try Self.storageErrors {
            try database.write { db in
                try db.execute(
                    sql: "UPDATE vault SET kdf_salt = ?, kdf_ops = ?, kdf_mem = ?, keyring = ? WHERE id = 1",
                    arguments: [Data(salt), Int64(parameters.opsLimit), Int64(parameters.memLimitBytes), Data(sealed)])
            }
        }
        unlock = VaultUnlock(salt: salt, parameters: parameters, key: wrappingKey)
    }

    /// Runs `body` with the vault, then closes it, also when `body` throws. A failure to close
    /// after `body` succeeded is thrown too (the writes are durable; the file may not be tidy).
    public func closing<Result>(after body: (Vault) throws -> Result) throws -> Result {
        let result: Result
        do {
            result = try body(self)
        } catch {
            try? close()
            throw error
        }
        try close()
        return result
    }

    /// `closing(after:)` for a body that waits, e.g. on the network.
    public func closing<Result>(after body: (Vault) async throws -> Result) async throws -> Result {
        let result: Result
        do {
            result = try await body(self)
        } catch {
            try? close()
            throw error
        }
        try close()
        return result
    }

    /// Stores a compaction under way, compacts if a thousand changes or more came since the
    /// last checkpoint (a failure is kept in `lastCompactionError`; nothing stored is at risk),
    /// then closes the file and releases the lock. The vault must not be used afterwards.
    public func close() throws {
        defer { lock.release() }
        recordingCompactionFailure(finishCompaction)
        if compactionIsWorthwhile { recordingCompactionFailure(compact) }
        try Self.storageErrors { try database.close() }
    }

    /// Runs a compaction step, keeping a failure in `lastCompactionError` instead of throwing
    /// it: the caller's write already succeeded.
    func recordingCompactionFailure(_ step: () throws -> Void) {
        do {
            try step()
            lastCompactionError = nil
        } catch {
            lastCompactionError = error
        }
    }

    /// The key sealing the keyring. The passphrase is NFC-normalised first, so the same
    /// passphrase typed on keyboards that compose accents differently unlocks the vault.
    static func wrappingKey(passphrase: String, salt: [UInt8], parameters: PassphraseParameters) throws -> SealingKey {
        try PassphraseKey.derive(passphrase: passphrase.precomposedStringWithCanonicalMapping, salt: salt, parameters: parameters)
    }

    static func connect(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // FULL: a commit that returned survives a power cut, not only a crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    // MARK: Writing

    /// Makes one local change and stores it durably (see `write(_:)`).
    @discardableResult
    public func makeChange(_ edit: (inout ChangeBuilder) throws -> Void) throws -> Change {
        try write { try $0.makeChange(edit) }[0]
    }

    /// Makes any number of local changes in `body` and stores them in one transaction: all
    /// of them are durable when this returns, none if it throws (including when `body` throws).
    /// Inside `body`, read the state through the batch (`VaultBatch.state`), not the vault.
    ///
    /// `localState`, if given, is stored in the same transaction (see `setLocalState`), so what
    /// this device notes about the changes (an undo, say) is durable exactly when they are.
    @discardableResult
    public func write(settingLocalState localState: LocalState? = nil, _ body: (inout VaultBatch) throws -> Void) throws -> [Change] {
        var batch = VaultBatch(replica: takeReplica(), wallClock: wallClock)
        do {
            try body(&batch)
        } catch {
            try restore(batch.replica, discarding: !batch.made.isEmpty)
            throw error
        }
        try persist(batch.replica, applied: batch.made, buffered: [], unbuffered: [], localState: localState)
        return batch.made
    }

    /// Receives changes from another device or an import: applies those whose dependencies
    /// are here, buffers (durably) those still waiting, skips those already held, and reports
    /// malformed ones without storing them. One transaction.
    ///
    /// `localState`, if given, is stored in the same transaction (see `setLocalState`), so a
    /// sync can record how far it has pulled exactly when what it pulled is durable.
    public func receive(_ changes: [Change], settingLocalState localState: LocalState? = nil) throws -> ReceiveReport {
        var replica = takeReplica()
        let pendingBefore = Set(replica.bufferedChangeIDs)
        var report = ReceiveReport()
        replica.receive(changes) { change, outcome in
            switch outcome {
            case .success(.applied(let ids)): report.applied.append(contentsOf: ids)
            case .success(.buffered): report.buffered.append(change.id)
            case .success(.duplicate): report.duplicates.append(change.id)
            case .failure(let error): report.rejected.append(ReceiveReport.Rejection(change: change.id, reason: "\(error)"))
            }
        }
        let appliedChanges = report.applied.map { replica.change($0)! }
        let appliedIDs = Set(report.applied)
        let pendingAfter = Set(replica.bufferedChangeIDs)
        // A buffered change that could not be applied once its dependencies came is dropped by
        // the replica; it is reported, and its row goes.
        for dropped in pendingBefore.union(report.buffered).subtracting(pendingAfter).subtracting(appliedIDs).sorted() {
            report.rejected.append(ReceiveReport.Rejection(change: dropped, reason: "it does not apply to the changes it depends on"))
        }
        report.buffered.removeAll { !pendingAfter.contains($0) }
        let buffered = changes.filter { pendingAfter.contains($0.id) && !pendingBefore.contains($0.id) }
        var seenBuffered = Set<ChangeID>()
        let newlyBuffered = buffered.filter { seenBuffered.insert($0.id).inserted }
        try persist(
            replica, applied: appliedChanges, buffered: newlyBuffered, unbuffered: pendingBefore.subtracting(pendingAfter), localState: localState)
        return report
    }

    /// Stores what one write did, in one transaction, then releases the log from memory. If
    /// storing fails, the replica is reloaded from disk and the error thrown.
    private func persist(
        _ replica: Replica, applied: [Change], buffered: [Change], unbuffered: Set<ChangeID>, localState: LocalState? = nil
    ) throws {
        guard !applied.isEmpty || !buffered.isEmpty || !unbuffered.isEmpty || localState != nil else {
            current = replica
            return
        }
        var newHead = head
        newHead.logVector = replica.versionVector
        newHead.pendingCount = replica.bufferedCount
        let key = keyring.storageKey
        let binding = binding
        let runs = ChangeRun.runs(of: applied).map { ($0, $0.sealed(with: key, binding: binding)) }
        let pending = buffered.map { ($0.id, key.seal(ChangeCodec.encode([$0]), associatedData: binding.pendingChange($0.id))) }
        let sealedHead = newHead.sealed(with: key, binding: binding)
        let sealedLocalState = localState.map { ($0.name, key.seal($0.bytes, associatedData: binding.localState($0.name))) }
        do {
            try database.write { db in
                if let (name, sealed) = sealedLocalState { try Self.writeLocalState(db, name: name, sealed: sealed) }
                let insertRun = try db.cachedStatement(
                    sql: "INSERT INTO change_run (replica, first_seq, last_seq, sealed) VALUES (?, ?, ?, ?)")
                for (run, sealed) in runs {
                    try insertRun.execute(arguments: [Data(run.replica.bytes), Int64(run.firstSeq), Int64(run.lastSeq), Data(sealed)])
                }
                let deletePending = try db.cachedStatement(sql: "DELETE FROM pending_change WHERE replica = ? AND seq = ?")
                for id in unbuffered {
                    try deletePending.execute(arguments: [Data(id.replica.bytes), Int64(id.seq)])
                }
                let insertPending = try db.cachedStatement(sql: "INSERT INTO pending_change (replica, seq, sealed) VALUES (?, ?, ?)")
                for (id, sealed) in pending {
                    try insertPending.execute(arguments: [Data(id.replica.bytes), Int64(id.seq), Data(sealed)])
                }
                try db.execute(sql: "UPDATE head SET sealed = ? WHERE id = 1", arguments: [Data(sealedHead)])
            }
        } catch {
            try restore(replica, discarding: true)
            throw Self.storeError(error)
        }
        var stored = replica
        stored.releaseLog()
        current = stored
        head = newHead
        if compactionJob != nil {
            changedSinceCompaction.formUnion(applied.lazy.flatMap(\.operations).map(\.document))
        }
        if let job = compactionJob, job.isFinished {
            recordingCompactionFailure { try store(job) }
        } else if compactsAutomatically, compactionJob == nil, compactionIsDue {
            recordingCompactionFailure { _ = try startCompaction() }
        }
    }

    // MARK: Local state

    /// Bytes this device keeps under `name` outside the vault's data, if any: they never sync
    /// and are not part of the replica. Sealed like every row, bound to their name.
    public func localState(_ name: String) throws -> [UInt8]? {
        let key = keyring.storageKey
        let associatedData = binding.localState(name)
        let sealed = try Self.storageErrors {
            try database.read { db in try Data.fetchOne(db, sql: "SELECT sealed FROM local_state WHERE name = ?", arguments: [name]) }
        }
        guard let sealed else { return nil }
        do {
            return try key.open([UInt8](sealed), associatedData: associatedData)
        } catch {
            throw StoreError.corrupted([CorruptRow(table: "local_state", key: name, problem: "it does not open under this vault's key")])
        }
    }

    /// Stores `bytes` under `name` (see `localState(_:)`), durably, in one transaction.
    public func setLocalState(_ name: String, to bytes: [UInt8]) throws {
        let sealed = keyring.storageKey.seal(bytes, associatedData: binding.localState(name))
        try Self.storageErrors {
            try database.write { db in try Self.writeLocalState(db, name: name, sealed: sealed) }
        }
    }

    static func writeLocalState(_ db: Database, name: String, sealed: [UInt8]) throws {
        try db.execute(
            sql: "INSERT INTO local_state (name, sealed) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed",
            arguments: [name, Data(sealed)])
    }

    /// Takes the replica out of `current`, so the caller mutates the only copy.
    func takeReplica() -> Replica {
        let replica = current!
        current = nil
        return replica
    }

    /// Puts a replica back after a failed write: as it is, or (when it holds changes that
    /// were not stored) reloaded from disk.
    private func restore(_ replica: Replica, discarding: Bool) throws {
        guard discarding else {
            current = replica
            return
        }
        (current, head) = try Self.load(database, replicaID: replicaID, key: keyring.storageKey, binding: binding)
    }

    // MARK: Reading

    /// Every stored change not included in `known` (of `replica` only, when given), in an
    /// order that respects causality (buffered changes are not included). Reads only the rows
    /// that hold such changes.
    public func changes(notIn known: VersionVector = VersionVector(), of replica: ReplicaID? = nil) throws -> [Change] {
        let key = keyring.storageKey
        let binding = binding
        let wanted = head.logVector.filter { known[$0.replica] < $0.seq && (replica == nil || $0.replica == replica) }
        let runs: [(position: Int64, run: ChangeRun)] = try Self.storageErrors {
            try database.read { db in
                var runs: [(Int64, ChangeRun)] = []
                for entry in wanted {
                    let rows = try Row.fetchCursor(
                        db,
                        sql: "SELECT position, first_seq, last_seq, sealed FROM change_run WHERE replica = ? AND last_seq > ?",
                        arguments: [Data(entry.replica.bytes), Int64(known[entry.replica])])
                    while let row = try rows.next() {
                        guard let first = row.storedSeq("first_seq"), let last = row.storedSeq("last_seq"), first <= last,
                            let sealed = row.storedBytes("sealed")
                        else {
                            throw StoreError.corrupted([CorruptRow(table: "change_run", key: row.describing("first_seq"), problem: "has no valid seq range")])
                        }
                        do {
                            let run = try ChangeRun.open(sealed, replica: entry.replica, firstSeq: first, lastSeq: last, key: key, binding: binding)
                            runs.append((row["position"], run))
                        } catch let problem as RowProblem {
                            throw StoreError.corrupted([CorruptRow(table: "change_run", key: RowKey.run(entry.replica, first, last), problem: problem.reason)])
                        }
                    }
                }
                return runs
            }
        }
        return runs.sorted { $0.position < $1.position }.flatMap { $0.run.changes.filter { $0.id.seq > known[$0.id.replica] } }
    }

    /// Every stored edit of `document` (only those of `field`, if given), in the order applied.
    public func history(of document: String, field: String? = nil) throws -> [HistoryEntry] {
        HistoryEntry.entries(of: document, field: field, in: try changes())
    }

    /// Runs `body`, turning SQLite and file errors into `StoreError`.
    static func storageErrors<T>(path: String? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw path.map { StoreError.notAVault(path: $0) } ?? StoreError.storage("\(error)")
        } catch let error as CryptoError {
            throw error
        } catch {
            throw storeError(error)
        }
    }

    /// `error` as the `StoreError` a person can act on: a full disk says so.
    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL { return .diskFull }
        return .storage("\(error)")
    }
}

/// Readable names of row keys, for error messages.
enum RowKey {
    static func run(_ replica: ReplicaID, _ first: UInt64, _ last: UInt64) -> String {
        first == last ? "\(replica)@\(first)" : "\(replica)@\(first)-\(last)"
    }
}
