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

    /// Whether enough changes arrived since the last checkpoint to write a new one. Opening
    /// then replays at most about an eighth of the log (or 1,000 changes), and since a
    /// checkpoint is written once per eighth of the log, its cost per change stays constant.
    var compactionIsDue: Bool {
        let total = head.logVector.reduce(0) { $0 + $1.seq }
        return head.changesSinceCheckpoint >= max(1000, total / 8)
    }

    /// Writes a checkpoint of the current state, so opening need not replay the log before it,
    /// and joins the log rows written since the last checkpoint into fewer, larger rows (one
    /// sealed run per stretch of one replica's consecutive changes). One transaction.
    public func compact() throws {
        let replica = replica
        let key = keyring.storageKey
        let binding = binding
        let bytes = replica.checkpoint()
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
        // Continue from the checkpoint just written: documents go back to their encoded form
        // (memory falls to the checkpoint's size) and the next checkpoint copies every body
        // no change touched since. The buffer is not in a checkpoint; its changes are kept.
        var restored = try Replica(authenticatedCheckpoint: bytes)
        for change in replica.bufferedChanges { _ = try restored.receive(change) }
        current = restored
    }

    /// Joins adjacent rows from the last one at or before `position` on that continue one
    /// replica's run. A joined row
    /// takes the last joined row's position: row order stays the order changes were applied
    /// in, and the highest position stays taken, so SQLite never hands out a position at or
    /// below a checkpoint's `throughPosition` again.
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
            if let last = groups.last?.last, last.replica == row.replica, last.last + 1 == row.first,
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
