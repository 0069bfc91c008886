import FlareCRDT
import FlareCrypto
import Foundation
import GRDB

extension Vault {
    /// The most changes one coalesced log row holds.
    static let changesPerCoalescedRow = 4096

    /// Rows holding fewer changes than this are joined by compaction; bigger ones are left
    /// alone (joining them would cost a decode and re-seal for a few bytes saved).
    static let smallRowChanges = 64

    /// Whether a write should start a compaction: when the changes since the last checkpoint
    /// are a quarter of the log (and at least 10,000), so opening never replays much more than
    /// that, and since each checkpoint follows a quarter's growth, its cost per change stays a
    /// small constant even during a bulk import. It runs on another thread (`CompactionJob`)
    /// and is stored by a later write, by `compact()` or by `close()`.
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
    /// transaction (after storing a compaction already under way).
    public func compact() throws {
        try finishCompaction()
        try store(startCompaction())
    }

    /// Starts encoding a checkpoint of the replica as it is now, on another thread.
    func startCompaction() throws -> CompactionJob {
        let through = try Self.storageErrors {
            try database.read { db in try Int64.fetchOne(db, sql: "SELECT max(position) FROM change_run") ?? 0 }
        }
        let job = CompactionJob(
            replica: replica, generation: (head.checkpoint?.generation ?? 0) + 1, throughPosition: through,
            key: keyring.storageKey, binding: binding)
        compactionJob = job
        changedSinceCompaction = []
        return job
    }

    /// Stores the compaction under way, if any, waiting for it if need be.
    func finishCompaction() throws {
        if let job = compactionJob { try store(job) }
    }

    /// Stores a finished compaction: its chunks, the joined rows it covers and the head, in one
    /// transaction; then the replica continues from the checkpoint, keeping the documents
    /// changed since the copy was taken.
    func store(_ job: CompactionJob) throws {
        let prepared = job.result()
        let changed = changedSinceCompaction
        compactionJob = nil
        changedSinceCompaction = []
        let key = keyring.storageKey
        let binding = binding
        let previousThrough = head.checkpoint?.throughPosition ?? 0
        var newHead = head
        newHead.checkpoint = Head.Checkpoint(
            generation: job.generation, chunkCount: prepared.chunks.count, throughPosition: job.throughPosition,
            covered: prepared.covered)
        try Self.storageErrors {
            try database.write { db in
                try Self.coalesceRows(db, after: previousThrough, through: job.throughPosition, key: key, binding: binding)
                try db.execute(sql: "DELETE FROM checkpoint_chunk")
                let insert = try db.cachedStatement(sql: "INSERT INTO checkpoint_chunk (chunk, sealed) VALUES (?, ?)")
                for (index, sealed) in prepared.chunks.enumerated() { try insert.execute(arguments: [index, Data(sealed)]) }
                try db.execute(
                    sql: "UPDATE head SET sealed = ? WHERE id = 1",
                    arguments: [Data(newHead.sealed(with: key, binding: binding))])
            }
        }
        head = newHead
        var replica = takeReplica()
        replica.rebase(on: prepared.checkpoint, keeping: changed)
        current = replica
    }

    /// Joins adjacent small rows, from the last one at or before `position` up to `through`,
    /// that continue one replica's run. A joined row takes the last joined row's position: row order stays
    /// the order changes were applied in, and the highest position stays taken, so SQLite
    /// never hands out a position at or below a checkpoint's `throughPosition` again.
    private static func coalesceRows(
        _ db: Database, after position: Int64, through: Int64, key: SealingKey, binding: RowBinding
    ) throws {
        struct StoredRun {
            let position: Int64
            let replica: ReplicaID
            let first: UInt64
            let last: UInt64
        }
        // The last row the previous checkpoint covered may continue into the new ones.
        let start = try Int64.fetchOne(db, sql: "SELECT max(position) FROM change_run WHERE position <= ?", arguments: [position]) ?? 0
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT position, replica, first_seq, last_seq FROM change_run WHERE position >= ? AND position <= ? ORDER BY position",
            arguments: [start, through]
        ).compactMap { row -> StoredRun? in
            guard let replica = row.storedBytes("replica").flatMap({ ReplicaID(bytes: $0) }), let first = row.storedSeq("first_seq"),
                let last = row.storedSeq("last_seq")
            else { return nil }
            return StoredRun(position: row["position"], replica: replica, first: first, last: last)
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
