import FlareCRDT
import FlareCrypto
import Foundation
import GRDB

extension Vault {
    /// Plaintext bytes per sealed checkpoint chunk: big enough that sealing runs at bulk speed,
    /// small enough that no single row is huge.
    static let checkpointChunkBytes = 1 << 20
    /// The most changes one coalesced log row holds.
    static let changesPerCoalescedRow = 4096

    /// Rows holding fewer changes than this are joined by compaction; bigger ones are left
    /// alone (joining them would cost a decode and re-seal for a few bytes saved).
    static let smallRowChanges = 64

    /// Whether a write should compact before returning: only when the changes since the last
    /// checkpoint are a quarter of the log (and at least 10,000), so opening never replays
    /// more than about that, and since each checkpoint follows a quarter's growth, its cost
    /// per change stays a small constant even during a bulk import.
    var compactionIsDue: Bool {
        let total = head.logVector.reduce(0) { $0 + $1.seq }
        return head.changesSinceCheckpoint >= max(10_000, total / 4)
    }

    /// Whether closing should compact: a thousand changes since the last checkpoint are worth
    /// folding in before the next open.
    var compactionIsWorthwhile: Bool { head.changesSinceCheckpoint >= 1_000 }

    /// Writes a checkpoint of the current state, so opening need not replay the log before it,
    /// and joins the small log rows written since the last checkpoint (single-entry commits)
    /// into larger ones, one sealed run per stretch of one replica's consecutive changes. One
    /// transaction.
    public func compact() throws {
        // Rebasing keeps the state as it is, so the replica is valid whether or not the
        // transaction below commits.
        var replica = takeReplica()
        let bytes = replica.rebaseOnCheckpoint()
        current = replica
        let key = keyring.storageKey
        let binding = binding
        let generation = (head.checkpoint?.generation ?? 0) + 1
        let chunkCount = max(1, (bytes.count + Self.checkpointChunkBytes - 1) / Self.checkpointChunkBytes)
        let chunks = (0..<chunkCount).map { index in
            key.seal(
                Array(bytes[(index * Self.checkpointChunkBytes)..<min(bytes.count, (index + 1) * Self.checkpointChunkBytes)]),
                associatedData: binding.checkpointChunk(generation: generation, index: index, count: chunkCount))
        }
        let previousThrough = head.checkpoint?.throughPosition ?? 0
        var newHead = head
        try Self.storageErrors {
            try database.write { db in
                let through = try Int64.fetchOne(db, sql: "SELECT max(position) FROM change_run") ?? 0
                try Self.coalesceRows(db, after: previousThrough, key: key, binding: binding)
                try db.execute(sql: "DELETE FROM checkpoint_chunk")
                let insert = try db.cachedStatement(sql: "INSERT INTO checkpoint_chunk (chunk, sealed) VALUES (?, ?)")
                for (index, sealed) in chunks.enumerated() { try insert.execute(arguments: [index, Data(sealed)]) }
                newHead.checkpoint = Head.Checkpoint(
                    generation: generation, chunkCount: chunkCount, throughPosition: through, covered: replica.versionVector)
                try db.execute(
                    sql: "UPDATE head SET sealed = ? WHERE id = 1",
                    arguments: [Data(key.seal(newHead.encoded(), associatedData: binding.head()))])
            }
        }
        head = newHead
    }

    /// Joins adjacent small rows, from the last one at or before `position` on, that continue
    /// one replica's run. A joined row takes the last joined row's position: row order stays
    /// the order changes were applied in, and the highest position stays taken, so SQLite
    /// never hands out a position at or below a checkpoint's `throughPosition` again.
    private static func coalesceRows(_ db: Database, after position: Int64, key: SealingKey, binding: RowBinding) throws {
        struct StoredRun {
            let position: Int64
            let replica: ReplicaID
            let first: UInt64
            let last: UInt64
        }
        // The last row the previous checkpoint covered may continue into the new ones.
        let start = try Int64.fetchOne(db, sql: "SELECT max(position) FROM change_run WHERE position <= ?", arguments: [position]) ?? 0
        let rows = try Row.fetchAll(
            db, sql: "SELECT position, replica, first_seq, last_seq FROM change_run WHERE position >= ? ORDER BY position",
            arguments: [start]
        ).compactMap { row -> StoredRun? in
            guard let replica = ReplicaID(bytes: row["replica"] as Data) else { return nil }
            return StoredRun(position: row["position"], replica: replica, first: UInt64(row["first_seq"] as Int64), last: UInt64(row["last_seq"] as Int64))
        }
        var groups: [[StoredRun]] = []
        for row in rows {
            let isSmall = row.last - row.first + 1 < UInt64(smallRowChanges)
            if isSmall, let last = groups.last?.last, last.last - last.first + 1 < UInt64(smallRowChanges),
                last.replica == row.replica, last.last + 1 == row.first,
                row.last - groups.last![0].first < UInt64(changesPerCoalescedRow)
            {
                groups[groups.count - 1].append(row)
            } else {
                groups.append([row])
            }
        }
        let select = try db.cachedStatement(sql: "SELECT sealed FROM change_run WHERE position = ?")
        let delete = try db.cachedStatement(sql: "DELETE FROM change_run WHERE position = ?")
        let insert = try db.cachedStatement(
            sql: "INSERT INTO change_run (position, replica, first_seq, last_seq, sealed) VALUES (?, ?, ?, ?, ?)")
        for group in groups where group.count > 1 {
            var changes: [Change] = []
            for row in group {
                let sealed = [UInt8](try Data.fetchOne(select, arguments: [row.position])!)
                let run: ChangeRun
                do throws(RowProblem) {
                    run = try ChangeRun.open(sealed, replica: row.replica, firstSeq: row.first, lastSeq: row.last, key: key, binding: binding)
                } catch {
                    throw StoreError.corrupted([CorruptRow(table: "change_run", key: RowKey.run(row.replica, row.first, row.last), problem: error.reason)])
                }
                changes += run.changes
                try delete.execute(arguments: [row.position])
            }
            let run = ChangeRun(changes: changes)
            try insert.execute(arguments: [
                group[group.count - 1].position, Data(run.replica.bytes), Int64(run.firstSeq), Int64(run.lastSeq), Data(run.sealed(with: key, binding: binding)),
            ])
        }
    }
}
