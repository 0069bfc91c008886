import FlareBytes
import FlareCrypto
import FlareWire
import Foundation
import GRDB
import NIOConcurrencyHelpers

/// Relay storage in one SQLite file (WAL, `synchronous = FULL`: an envelope is acknowledged
/// only once it is durable). A pool of connections: pulls read while pushes are written.
public final class SQLiteRelayStorage: RelayStorage {
    let database: DatabasePool
    public let quota: Quota
    private let appends = NIOLockedValueBox(AppendQueue())

    public init(path: String, quota: Quota = Quota()) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        database = try DatabasePool(path: path, configuration: configuration)
        self.quota = quota
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("relay-v1") { db in
            try db.execute(sql: """
                CREATE TABLE invite (token TEXT PRIMARY KEY);
                CREATE TABLE vault (
                    id BLOB PRIMARY KEY,
                    auth_key BLOB NOT NULL,
                    envelopes INTEGER NOT NULL DEFAULT 0,
                    bytes INTEGER NOT NULL DEFAULT 0,
                    server_seq INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE device (vault BLOB NOT NULL, key BLOB NOT NULL, PRIMARY KEY (vault, key)) WITHOUT ROWID;
                CREATE TABLE held (vault BLOB NOT NULL, replica BLOB NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (vault, replica)) WITHOUT ROWID;
                CREATE TABLE envelope (
                    vault BLOB NOT NULL,
                    server_seq INTEGER NOT NULL,
                    replica BLOB NOT NULL,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    sealed BLOB NOT NULL,
                    PRIMARY KEY (vault, server_seq)
                ) WITHOUT ROWID;
                CREATE TABLE snapshot (vault BLOB PRIMARY KEY, covers BLOB NOT NULL, sealed BLOB NOT NULL);
                """)
        }
        migrator.registerMigration("relay-v2-store") { db in
            // A random id per vault's store, sent in `welcome`: a device that sees it change
            // knows the relay lost or forgot what it had, and pulls and pushes from the start.
            try db.execute(sql: """
                ALTER TABLE vault ADD COLUMN store BLOB;
                UPDATE vault SET store = randomblob(16);
                """)
        }
        migrator.registerMigration("relay-v3-device-replica") { db in
            // Protocol version 2 binds each device key to its replica, and lists devices with
            // when they joined and last authenticated (seconds since 1970; 0 = not known).
            try db.execute(sql: """
                ALTER TABLE device ADD COLUMN replica BLOB;
                ALTER TABLE device ADD COLUMN joined INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE device ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE device ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
                CREATE UNIQUE INDEX device_replica ON device (vault, replica) WHERE replica IS NOT NULL;
                """)
        }
        migrator.registerMigration("relay-v4-invitation") { db in
            // One-time invitations devices leave for a new device (sealed; the relay cannot open them).
            try db.execute(sql: """
                CREATE TABLE invitation (
                    vault BLOB NOT NULL,
                    lookup BLOB NOT NULL,
                    expires INTEGER NOT NULL,
                    sealed BLOB NOT NULL,
                    PRIMARY KEY (vault, lookup)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("relay-v5-epochs") { db in
            // Protocol version 3: key epochs. A vault's current epoch (its auth key is that
            // epoch's), the records that moved it there, the epoch that revoked a device key,
            // and the epoch each envelope was sealed under.
            try db.execute(sql: """
                ALTER TABLE vault ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE device ADD COLUMN revoked INTEGER;
                ALTER TABLE envelope ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE epoch (vault BLOB NOT NULL, epoch INTEGER NOT NULL, record BLOB NOT NULL, PRIMARY KEY (vault, epoch)) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    /// Seconds since 1970, as SQLite reads the clock.
    private static let now = "CAST(strftime('%s', 'now') AS INTEGER)"

    public func createInvite() throws -> String {
        let token = Hex.encode(Random.bytes(12))
        try write { db in try db.execute(sql: "INSERT INTO invite (token) VALUES (?)", arguments: [token]) }
        return token
    }

    public func authKey(of vault: WireID) throws -> [UInt8]? {
        try database.read { db in try Data.fetchOne(db, sql: "SELECT auth_key FROM vault WHERE id = ?", arguments: [Data(vault.bytes)]) }
            .map { [UInt8]($0) }
    }

    public func admitVault(_ vault: WireID, authKey: [UInt8], invite: String?, open: Bool) throws {
        try write { db in
            if let existing = try Row.fetchOne(db, sql: "SELECT auth_key, epoch FROM vault WHERE id = ?", arguments: [Data(vault.bytes)]) {
                guard try existing.bytes("auth_key") == authKey else { throw RelayError.staleAuthKey(epoch: try existing.seq("epoch", minimum: 0)) }
                return
            }
            if !open {
                guard let invite else { throw RelayError.unknownVault(vault) }
                try db.execute(sql: "DELETE FROM invite WHERE token = ?", arguments: [invite])
                guard db.changesCount == 1 else { throw RelayError.badInvite }
            }
            try db.execute(
                sql: "INSERT INTO vault (id, auth_key, store) VALUES (?, ?, ?)", arguments: [Data(vault.bytes), Data(authKey), Data(Random.bytes(16))])
        }
    }

    public func admitDevice(_ key: [UInt8], replica: WireID, to vault: WireID) throws {
        try write { db in
            if try Self.bind(key, replica: replica, in: vault, db) { return }
            try db.execute(
                sql: """
                    INSERT INTO device (vault, key, replica, joined, last_seen, position)
                    VALUES (?, ?, ?, \(Self.now), \(Self.now), (SELECT COALESCE(MAX(position), 0) + 1 FROM device WHERE vault = ?))
                    """,
                arguments: [Data(vault.bytes), Data(key), Data(replica.bytes), Data(vault.bytes)])
        }
    }

    public func authenticate(_ key: [UInt8], replica: WireID, in vault: WireID) throws -> Bool {
        // Most connections are by a bound key seen lately: a read, so a storm of reconnects
        // costs no write transaction (and no sync to disk) each.
        let known = try database.read { db in
            try Row.fetchOne(db, sql: "SELECT replica, revoked, last_seen >= \(Self.now) - ? AS recent FROM device WHERE vault = ? AND key = ?",
                arguments: [Self.lastSeenResolution, Data(vault.bytes), Data(key)])
        }
        if let known, known["revoked"] as DatabaseValue != .null { throw RelayError.revoked(epoch: try known.seq("revoked")) }
        if let known, known["replica"] as DatabaseValue != .null, known["recent"] as Bool? == true {
            guard try known.wireID("replica") == replica else { throw RelayError.replicaTaken(replica: replica) }
            return true
        }
        return try write { db in try Self.bind(key, replica: replica, in: vault, db) }
    }

    /// How stale a device's "last seen" may get before an auth rewrites it, in seconds.
    static let lastSeenResolution = 60

    /// Throws `revoked` for a key the vault revoked.
    private static func refuseRevoked(_ key: [UInt8], in vault: WireID, _ db: Database) throws {
        if let epoch = try Int64.fetchOne(db, sql: "SELECT revoked FROM device WHERE vault = ? AND key = ?", arguments: [Data(vault.bytes), Data(key)]) {
            throw RelayError.revoked(epoch: UInt64(clamping: epoch))
        }
    }

    /// For an admitted key: checks (or makes) its binding to `replica`, records it as seen now
    /// and returns true. False for a key not admitted; throws `revoked` for a revoked one.
    private static func bind(_ key: [UInt8], replica: WireID, in vault: WireID, _ db: Database) throws -> Bool {
        try refuseRevoked(key, in: vault, db)
        let row = try Row.fetchOne(db, sql: "SELECT replica FROM device WHERE vault = ? AND key = ?", arguments: [Data(vault.bytes), Data(key)])
        if let row, row["replica"] as DatabaseValue != .null {
            guard try row.wireID("replica") == replica else { throw RelayError.replicaTaken(replica: replica) }
        } else if try Bool.fetchOne(db, sql: "SELECT 1 FROM device WHERE vault = ? AND replica = ?", arguments: [Data(vault.bytes), Data(replica.bytes)]) ?? false {
            // A new key, or one admitted before replicas were bound, naming another key's replica.
            throw RelayError.replicaTaken(replica: replica)
        }
        guard row != nil else { return false }
        try db.execute(
            sql: "UPDATE device SET replica = ?, last_seen = \(Self.now) WHERE vault = ? AND key = ?",
            arguments: [Data(replica.bytes), Data(vault.bytes), Data(key)])
        return true
    }

    public func devices(of vault: WireID, from start: Int, limit: Int) throws -> (devices: [AdmittedDevice], more: Bool) {
        try database.read { db in
            // One row past the page says whether more follow.
            let rows = try Row.fetchAll(
                db, sql: "SELECT key, replica, joined, last_seen, revoked FROM device WHERE vault = ? ORDER BY position, key LIMIT ? OFFSET ?",
                arguments: [Data(vault.bytes), Int64(clamping: min(limit, Int(Int64.max) - 1)) + 1, Int64(clamping: start)])
            let devices = try rows.prefix(limit).map { row in
                let key = try row.bytes("key")
                guard key.count == 32 else { throw RelayError.damagedStorage("a device key of \(key.count) bytes") }
                let replica = row["replica"] as DatabaseValue == .null ? nil : try row.wireID("replica")
                return AdmittedDevice(
                    key: key, replica: replica, joined: try row.seq("joined", minimum: 0), lastSeen: try row.seq("last_seen", minimum: 0),
                    revokedIn: row["revoked"] as DatabaseValue == .null ? nil : try row.seq("revoked"))
            }
            return (devices, rows.count > limit)
        }
    }

    public func held(in vault: WireID) throws -> HighWaterMarks {
        try database.read { db in try Self.held(db, vault) }
    }

    private static func held(_ db: Database, _ vault: WireID) throws -> HighWaterMarks {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT replica, seq FROM held WHERE vault = ? ORDER BY replica"), arguments: [Data(vault.bytes)])
            .map { (replica: try $0.wireID("replica"), seq: try $0.seq("seq")) }
    }

    /// Stores the pushes waiting at the moment together: one transaction and one sync to disk
    /// for all of them (group commit), each push inside its own savepoint so a refused one
    /// stores nothing and leaves the others alone. The first caller to find no commit under way
    /// commits one round for everyone waiting, then hands the next round to the first caller
    /// still waiting, so under sustained load no caller commits for others indefinitely.
    public func append(_ envelopes: [Envelope], to vault: WireID) throws -> Appended {
        let request = PendingAppend(envelopes: envelopes, vault: vault)
        var leads = appends.withLockedValue { queue in
            queue.waiting.append(request)
            if queue.committing { return false }
            queue.committing = true
            return true
        }
        while true {
            if leads {
                let batch = appends.withLockedValue { queue in
                    let batch = queue.waiting
                    queue.waiting = []
                    return batch
                }
                commit(batch)
                appends.withLockedValue { queue in
                    if let next = queue.waiting.first {
                        next.done.signal()  // without a result: it leads the next round
                    } else {
                        queue.committing = false
                    }
                }
            }
            request.done.wait()
            if let result = request.result { return try Self.mappingFull { try result.get() } }
            leads = true
        }
    }

    /// A write transaction, "disk full" mapped as `mappingFull` does.
    private func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try Self.mappingFull { try database.write(updates) }
    }

    /// Runs `body`, turning SQLite's "disk full" into `RelayError.storageFull` so the device
    /// hears what happened (and the log says it) instead of a bare internal failure.
    static func mappingFull<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw RelayError.storageFull(cause: "\(error)")
        }
    }

    private func commit(_ batch: [PendingAppend]) {
        var results: [Result<Appended, any Error>] = []
        do {
            try write { db in
                results = []
                for request in batch {
                    do {
                        var appended: Appended?
                        try db.inSavepoint {
                            appended = try Self.append(request.envelopes, to: request.vault, quota: quota, in: db)
                            return .commit
                        }
                        results.append(.success(appended!))
                    } catch {
                        results.append(.failure(error))
                    }
                }
            }
        } catch {
            // Nothing of the batch is durable.
            results = batch.map { _ in .failure(error) }
        }
        for (request, result) in zip(batch, results) {
            request.result = result
            request.done.signal()
        }
    }

    private static func append(_ envelopes: [Envelope], to vault: WireID, quota: Quota, in db: Database) throws -> Appended {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT envelopes, bytes, server_seq, epoch FROM vault WHERE id = ?"), arguments: [Data(vault.bytes)])
        else { throw RelayError.unknownVault(vault) }
        // Checked in the transaction that stores them, so a revocation committed a moment
        // before cannot let envelopes under the old epoch's key in.
        let epoch = try row.seq("epoch", minimum: 0)
        if let stale = envelopes.first(where: { $0.epoch != epoch }) { throw RelayError.staleEpoch(vault: epoch, envelope: stale.epoch) }
        var count = Int(try row.seq("envelopes", minimum: 0))
        var bytes = Int(try row.seq("bytes", minimum: 0))
        let startSeq = try row.seq("server_seq", minimum: 0)
        var serverSeq = startSeq
        var held = Dictionary(uniqueKeysWithValues: try Self.held(db, vault).map { ($0.replica, $0.seq) })
        let insertEnvelope = try db.cachedStatement(
            sql: "INSERT INTO envelope (vault, server_seq, replica, first_seq, last_seq, epoch, sealed) VALUES (?, ?, ?, ?, ?, ?, ?)")
        let raiseHeld = try db.cachedStatement(
            sql: "INSERT INTO held (vault, replica, seq) VALUES (?, ?, ?) ON CONFLICT (vault, replica) DO UPDATE SET seq = excluded.seq")
        for envelope in envelopes {
            let have = held[envelope.replica] ?? 0
            if envelope.lastSeq <= have { continue }
            guard envelope.firstSeq == have + 1 else {
                throw RelayError.seqGap(replica: envelope.replica, held: have, first: envelope.firstSeq)
            }
            count += 1
            bytes += envelope.sealed.count
            guard serverSeq < Seq.maximum else { throw RelayError.quotaExceeded("2^63 - 1 server seqs") }
            guard count <= quota.maximumEnvelopes else { throw RelayError.quotaExceeded("\(quota.maximumEnvelopes) envelopes") }
            guard bytes <= quota.maximumBytes else { throw RelayError.quotaExceeded("\(quota.maximumBytes) bytes") }
            serverSeq += 1
            try insertEnvelope.execute(arguments: [
                Data(vault.bytes), Int64(serverSeq), Data(envelope.replica.bytes), Int64(envelope.firstSeq), Int64(envelope.lastSeq),
                Int64(envelope.epoch), Data(envelope.sealed),
            ])
            held[envelope.replica] = envelope.lastSeq
            try raiseHeld.execute(arguments: [Data(vault.bytes), Data(envelope.replica.bytes), Int64(envelope.lastSeq)])
        }
        try db.cachedStatement(sql: "UPDATE vault SET envelopes = ?, bytes = ?, server_seq = ? WHERE id = ?")
            .execute(arguments: [count, bytes, Int64(serverSeq), Data(vault.bytes)])
        return Appended(
            held: held.map { (replica: $0.key, seq: $0.value) }.sorted { $0.replica.bytes.lexicographicallyPrecedes($1.replica.bytes) },
            stored: serverSeq - startSeq, serverSeq: serverSeq)
    }

    public func envelopes(of vault: WireID, after serverSeq: UInt64, maximumBytes: Int) throws -> (items: [(serverSeq: UInt64, envelope: Envelope)], more: Bool) {
        try database.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT server_seq, replica, first_seq, last_seq, epoch, sealed FROM envelope WHERE vault = ? AND server_seq > ? ORDER BY server_seq",
                // A position past the largest seq is after everything (nothing is stored there).
                arguments: [Data(vault.bytes), Int64(clamping: serverSeq)])
            var items: [(serverSeq: UInt64, envelope: Envelope)] = []
            var bytes = 0
            while let row = try rows.next() {
                let sealed = try row.bytes("sealed")
                let size = sealed.count + Envelope.headerAllowance
                if !items.isEmpty, bytes + size > maximumBytes { return (items, true) }
                let envelope: Envelope
                do {
                    envelope = try Envelope(
                        replica: try row.wireID("replica"), firstSeq: try row.seq("first_seq"), lastSeq: try row.seq("last_seq"),
                        epoch: try row.seq("epoch", minimum: 0), sealed: sealed)
                } catch let error as WireError {
                    throw RelayError.damagedStorage("\(error)")
                }
                items.append((try row.seq("server_seq"), envelope))
                bytes += size
            }
            return (items, false)
        }
    }

    public func position(of vault: WireID) throws -> StorePosition {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT store, server_seq, epoch FROM vault WHERE id = ?", arguments: [Data(vault.bytes)]) else {
                throw RelayError.unknownVault(vault)
            }
            return StorePosition(
                store: try row.wireID("store"), serverSeq: try row.seq("server_seq", minimum: 0), epoch: try row.seq("epoch", minimum: 0))
        }
    }

    public func putSnapshot(_ sealed: [UInt8], covering: HighWaterMarks, of vault: WireID) throws {
        var covers: [UInt8] = []
        for mark in covering {
            covers += mark.replica.bytes
            covers += (0..<8).map { UInt8(truncatingIfNeeded: mark.seq >> (8 * UInt64(7 - $0))) }
        }
        try write { db in
            try db.execute(
                sql: "INSERT INTO snapshot (vault, covers, sealed) VALUES (?, ?, ?) ON CONFLICT (vault) DO UPDATE SET covers = excluded.covers, sealed = excluded.sealed",
                arguments: [Data(vault.bytes), Data(covers), Data(sealed)])
        }
    }

    public func snapshot(of vault: WireID) throws -> (covers: HighWaterMarks, sealed: [UInt8])? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT covers, sealed FROM snapshot WHERE vault = ?", arguments: [Data(vault.bytes)]) else {
                return nil
            }
            let covers = try row.bytes("covers")
            guard covers.count % 24 == 0 else { throw RelayError.damagedStorage("a snapshot's vector of \(covers.count) bytes") }
            let marks: HighWaterMarks = try stride(from: 0, to: covers.count, by: 24).map { start in
                let seq = covers[(start + 16)..<(start + 24)].reduce(0) { $0 << 8 | UInt64($1) }
                guard (1...Seq.maximum).contains(seq) else { throw RelayError.damagedStorage("a snapshot's seq of \(seq)") }
                return (replica: WireID(Array(covers[start..<(start + 16)]))!, seq: seq)
            }
            return (marks, try row.bytes("sealed"))
        }
    }

    public func putInvitation(_ sealed: [UInt8], lookup: WireID, expires: UInt64, in vault: WireID) throws {
        try write { db in
            let now = UInt64(clamping: try Int64.fetchOne(db, sql: "SELECT \(Self.now)") ?? 0)
            guard expires > now else { throw RelayError.badInvitation("it has expired already") }
            guard expires <= now + Invitation.longestLifetime else {
                throw RelayError.badInvitation("it would last longer than \(Invitation.longestLifetime / 86_400) days")
            }
            try db.execute(sql: "DELETE FROM invitation WHERE vault = ? AND expires <= ?", arguments: [Data(vault.bytes), Int64(now)])
            let live = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM invitation WHERE vault = ?", arguments: [Data(vault.bytes)]) ?? 0
            guard live < Invitation.mostPerVault else {
                throw RelayError.badInvitation("the vault has \(Invitation.mostPerVault) open invitations already")
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO invitation (vault, lookup, expires, sealed) VALUES (?, ?, ?, ?)",
                arguments: [Data(vault.bytes), Data(lookup.bytes), Int64(expires), Data(sealed)])
            guard db.changesCount == 1 else { throw RelayError.badInvitation("its lookup id is in use") }
        }
    }

    public func takeInvitation(_ lookup: WireID, in vault: WireID) throws -> (sealed: [UInt8], expires: UInt64) {
        try write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT expires, sealed, expires > \(Self.now) AS live FROM invitation WHERE vault = ? AND lookup = ?",
                arguments: [Data(vault.bytes), Data(lookup.bytes)])
            else { throw RelayError.badInvite }
            try db.execute(sql: "DELETE FROM invitation WHERE vault = ? AND lookup = ?", arguments: [Data(vault.bytes), Data(lookup.bytes)])
            guard row["live"] as Bool? == true else { throw RelayError.badInvite }
            return (try row.bytes("sealed"), try row.seq("expires"))
        }
    }

    public func forget(_ vault: WireID) throws {
        try write { db in
            for table in ["envelope", "held", "device", "snapshot", "invitation", "epoch"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE vault = ?", arguments: [Data(vault.bytes)])
            }
            try db.execute(sql: "DELETE FROM vault WHERE id = ?", arguments: [Data(vault.bytes)])
        }
    }

    public func advanceEpoch(_ record: EpochRecord, parentKey: [UInt8], in vault: WireID) throws {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT epoch, auth_key FROM vault WHERE id = ?", arguments: [Data(vault.bytes)]) else {
                throw RelayError.unknownVault(vault)
            }
            let current = try row.seq("epoch", minimum: 0)
            guard record.epoch == current + 1, try row.bytes("auth_key") == parentKey else {
                throw RelayError.epochConflict("the vault is at key epoch \(current), so the next record is epoch \(current + 1), not \(record.epoch)")
            }
            let admitted = Set(try Data.fetchAll(db, sql: "SELECT key FROM device WHERE vault = ? AND revoked IS NULL", arguments: [Data(vault.bytes)])
                .map { [UInt8]($0) })
            let revoked = Set(record.revoked)
            guard revoked.isSubset(of: admitted) else {
                throw RelayError.epochConflict("the record revokes a device key this vault does not admit")
            }
            guard Set(record.members.map(\.deviceKey)) == admitted.subtracting(revoked) else {
                throw RelayError.epochConflict("the record does not keep exactly the vault's other admitted devices (one joined or was revoked meanwhile)")
            }
            for key in record.revoked {
                try db.execute(
                    sql: "UPDATE device SET revoked = ? WHERE vault = ? AND key = ?", arguments: [Int64(record.epoch), Data(vault.bytes), Data(key)])
            }
            try db.execute(
                sql: "UPDATE vault SET epoch = ?, auth_key = ? WHERE id = ?", arguments: [Int64(record.epoch), Data(record.authKey), Data(vault.bytes)])
            try db.execute(
                sql: "INSERT INTO epoch (vault, epoch, record) VALUES (?, ?, ?)", arguments: [Data(vault.bytes), Int64(record.epoch), Data(record.encoded())])
            // An invitation holds the old epoch's secret: it must not admit anyone now.
            try db.execute(sql: "DELETE FROM invitation WHERE vault = ?", arguments: [Data(vault.bytes)])
        }
    }

    public func epochRecords(of vault: WireID, after epoch: UInt64, maximumBytes: Int) throws -> (records: [EpochRecord], more: Bool) {
        try database.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT epoch, record FROM epoch WHERE vault = ? AND epoch > ? ORDER BY epoch",
                arguments: [Data(vault.bytes), Int64(clamping: epoch)])
            var records: [EpochRecord] = []
            var bytes = 0
            while let row = try rows.next() {
                let encoded = try row.bytes("record")
                if !records.isEmpty, bytes + encoded.count + 8 > maximumBytes { return (records, true) }
                do {
                    let record = try EpochRecord.decode(encoded)
                    guard record.epoch == (try row.seq("epoch")), record.vault == vault else { throw RelayError.damagedStorage("an epoch record out of place") }
                    records.append(record)
                } catch let error as WireError {
                    throw RelayError.damagedStorage("\(error)")
                }
                bytes += encoded.count + 8
            }
            return (records, false)
        }
    }

    public func vaults() throws -> [(vault: WireID, envelopes: Int, bytes: Int)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, envelopes, bytes FROM vault ORDER BY id").map {
                (try $0.wireID("id"), Int(try $0.seq("envelopes", minimum: 0)), Int(try $0.seq("bytes", minimum: 0)))
            }
        }
    }
}

/// Pushes waiting to be stored, and whether a caller is committing for them.
struct AppendQueue {
    var waiting: [PendingAppend] = []
    var committing = false
}

/// One push waiting for the group commit; its result is set before `done` is signalled.
final class PendingAppend: @unchecked Sendable {
    let envelopes: [Envelope]
    let vault: WireID
    /// Written by the committing thread before `done.signal()`, read by the waiting one after
    /// `done.wait()`: the semaphore orders the two. Still nil after a signal: the waiting
    /// caller leads the next commit round.
    var result: Result<Appended, any Error>?
    let done = DispatchSemaphore(value: 0)

    init(envelopes: [Envelope], vault: WireID) {
        self.envelopes = envelopes
        self.vault = vault
    }
}

/// Values read back from the relay's own database, checked as they are read: a damaged file
/// is refused with `RelayError.damagedStorage`, never trusted or trapped on.
extension Row {
    /// A seq (or count) column: an integer from `minimum` to 2^63 − 1.
    func seq(_ column: String, minimum: Int64 = 1) throws -> UInt64 {
        guard let value = Int64.fromDatabaseValue(self[column] as DatabaseValue), value >= minimum else {
            throw RelayError.damagedStorage("\(column) holds \(self[column] as DatabaseValue)")
        }
        return UInt64(value)
    }

    func bytes(_ column: String) throws -> [UInt8] {
        guard let data = Data.fromDatabaseValue(self[column] as DatabaseValue) else {
            throw RelayError.damagedStorage("\(column) holds no bytes")
        }
        return [UInt8](data)
    }

    func wireID(_ column: String) throws -> WireID {
        guard let id = WireID(try bytes(column)) else { throw RelayError.damagedStorage("\(column) is not a 16-byte id") }
        return id
    }
}
