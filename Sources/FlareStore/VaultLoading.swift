import FlareCRDT
import FlareCrypto
import Foundation
import GRDB

extension Vault {
    /// How `load` rebuilds the replica.
    enum LoadPath {
        /// From the checkpoint, its documents decoded when first needed, and the rows after it.
        case checkpoint
        /// The same, decoding every checkpointed document once to check it.
        case checkedCheckpoint
        /// By replaying the whole log, ignoring the checkpoint.
        case wholeLog
    }

    /// Rebuilds the replica from the stored rows, checking each, and checks it against the
    /// head. Throws `StoreError.corrupted` naming every damaged row it read.
    static func load(
        _ database: DatabaseQueue, replicaID: ReplicaID, key: SealingKey, binding: RowBinding, path: LoadPath = .checkpoint
    ) throws -> (Replica, Head) {
        try storageErrors {
            try database.read { db in
                let head = try readHead(db, key: key, binding: binding)
                var problems: [CorruptRow] = []
                var replica = Replica(id: replicaID)
                var after: Int64 = 0
                if path != .wholeLog, let checkpoint = head.checkpoint {
                    do {
                        replica = try readCheckpoint(
                            db, checkpoint, replicaID: replicaID, key: key, binding: binding, validating: path == .checkedCheckpoint)
                        after = checkpoint.throughPosition
                    } catch let problem as CorruptRow {
                        throw StoreError.corrupted([problem])
                    }
                }
                replay(db, after: after, into: &replica, key: key, binding: binding, problems: &problems)
                if problems.isEmpty {
                    if replica.versionVector != head.logVector {
                        problems.append(CorruptRow(
                            table: "head", key: "1",
                            problem: "names changes through \(head.logVector) but the log holds \(replica.versionVector) (rows missing)"))
                    }
                    if replica.bufferedCount != head.pendingCount {
                        problems.append(CorruptRow(
                            table: "head", key: "1",
                            problem: "names \(head.pendingCount) buffered changes but \(replica.bufferedCount) are stored"))
                    }
                }
                guard problems.isEmpty else { throw StoreError.corrupted(problems) }
                replica.releaseLog()
                return (replica, head)
            }
        }
    }

    private static func readHead(_ db: Database, key: SealingKey, binding: RowBinding) throws -> Head {
        guard let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM head WHERE id = 1") else {
            throw StoreError.corrupted([CorruptRow(table: "head", key: "1", problem: "is missing")])
        }
        do {
            return try Head.open([UInt8](sealed), with: key, binding: binding)
        } catch {
            throw StoreError.corrupted([CorruptRow(table: "head", key: "1", problem: "does not authenticate or decode")])
        }
    }

    /// The checkpoint the head names: every chunk present, authentic and of its generation.
    private static func readCheckpoint(
        _ db: Database, _ checkpoint: Head.Checkpoint, replicaID: ReplicaID, key: SealingKey, binding: RowBinding, validating: Bool
    ) throws -> Replica {
        var bytes: [UInt8] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT chunk, sealed FROM checkpoint_chunk ORDER BY chunk")
        var expected = 0
        while let row = try rows.next() {
            let index: Int = row["chunk"]
            guard index == expected, index < checkpoint.chunkCount else {
                throw CorruptRow(table: "checkpoint_chunk", key: "\(index)", problem: "is not part of checkpoint \(checkpoint.generation)")
            }
            let associatedData = binding.checkpointChunk(generation: checkpoint.generation, index: index, count: checkpoint.chunkCount)
            guard let plaintext = try? key.open([UInt8](row["sealed"] as Data), associatedData: associatedData) else {
                throw CorruptRow(table: "checkpoint_chunk", key: "\(index)", problem: "does not authenticate (altered, moved or from another checkpoint)")
            }
            bytes.append(contentsOf: plaintext)
            expected += 1
        }
        guard expected == checkpoint.chunkCount else {
            throw CorruptRow(table: "checkpoint_chunk", key: "\(expected)", problem: "is missing (checkpoint \(checkpoint.generation) has \(checkpoint.chunkCount) chunks)")
        }
        let replica: Replica
        do {
            // The chunks authenticated, so only this device's own code can have written them.
            replica = validating ? try Replica(checkpoint: bytes) : try Replica(authenticatedCheckpoint: bytes)
        } catch {
            throw CorruptRow(table: "checkpoint_chunk", key: "all", problem: "authenticates but does not decode: \(error)")
        }
        guard replica.id == replicaID, replica.versionVector == checkpoint.covered else {
            throw CorruptRow(table: "checkpoint_chunk", key: "all", problem: "belongs to another replica or state than the head names")
        }
        return replica
    }

    /// Applies the change rows after `position`, in order, then the buffered changes.
    private static func replay(
        _ db: Database, after position: Int64, into replica: inout Replica, key: SealingKey, binding: RowBinding,
        problems: inout [CorruptRow]
    ) {
        do {
            let runs = try Row.fetchCursor(
                db, sql: "SELECT replica, first_seq, last_seq, sealed FROM change_run WHERE position > ? ORDER BY position",
                arguments: [position])
            while let row = try runs.next() {
                guard let first = row.storedSeq("first_seq"), let last = row.storedSeq("last_seq"), first <= last else {
                    problems.append(CorruptRow(table: "change_run", key: row.describing("first_seq"), problem: "has no valid seq range"))
                    continue
                }
                guard let owner = row.storedBytes("replica").flatMap({ ReplicaID(bytes: $0) }) else {
                    problems.append(CorruptRow(table: "change_run", key: "first_seq \(first)", problem: "has no valid replica id"))
                    continue
                }
                guard let sealed = row.storedBytes("sealed") else {
                    problems.append(CorruptRow(table: "change_run", key: RowKey.run(owner, first, last), problem: "has no sealed box"))
                    continue
                }
                let name = RowKey.run(owner, first, last)
                do {
                    let run = try ChangeRun.open(sealed, replica: owner, firstSeq: first, lastSeq: last, key: key, binding: binding)
                    for change in run.changes {
                        guard case .applied = try replica.receive(change) else {
                            throw RowProblem("does not follow the rows before it")
                        }
                    }
                } catch let problem as RowProblem {
                    problems.append(CorruptRow(table: "change_run", key: name, problem: problem.reason))
                } catch {
                    problems.append(CorruptRow(table: "change_run", key: name, problem: "holds a change that does not apply: \(error)"))
                }
            }
            let pending = try Row.fetchCursor(db, sql: "SELECT replica, seq, sealed FROM pending_change")
            while let row = try pending.next() {
                guard let seq = row.storedSeq("seq") else {
                    problems.append(CorruptRow(table: "pending_change", key: row.describing("seq"), problem: "has no valid seq"))
                    continue
                }
                guard let owner = row.storedBytes("replica").flatMap({ ReplicaID(bytes: $0) }) else {
                    problems.append(CorruptRow(table: "pending_change", key: "seq \(seq)", problem: "has no valid replica id"))
                    continue
                }
                let id = ChangeID(replica: owner, seq: seq)
                do {
                    guard let sealed = row.storedBytes("sealed") else { throw RowProblem("has no sealed box") }
                    let changes = try ChangeCodec.decode(try key.open(sealed, associatedData: binding.pendingChange(id)))
                    guard changes.count == 1, changes[0].id == id else { throw RowProblem("holds another change than its key names") }
                    guard try replica.receive(changes[0]) == .buffered else { throw RowProblem("is not waiting for anything") }
                } catch let problem as RowProblem {
                    problems.append(CorruptRow(table: "pending_change", key: id.description, problem: problem.reason))
                } catch {
                    problems.append(CorruptRow(table: "pending_change", key: id.description, problem: "does not authenticate or decode"))
                }
            }
        } catch {
            problems.append(CorruptRow(table: "sqlite", key: "read", problem: "\(error)"))
        }
    }
}
