import FlareCRDT
import FlareCrypto

/// Consecutive changes of one replica, stored and sealed as one row: a batch of local edits,
/// or a stretch of received changes, costs one AEAD and one row, not one per change.
struct ChangeRun: Sendable {
    let changes: [Change]

    var replica: ReplicaID { changes[0].id.replica }
    var firstSeq: UInt64 { changes[0].id.seq }
    var lastSeq: UInt64 { changes[changes.count - 1].id.seq }

    /// Splits `changes`, in the order they were applied, into the fewest runs that keep that
    /// order (so replaying the runs in row order never needs the causal buffer).
    static func runs(of changes: [Change]) -> [ChangeRun] {
        changes.consecutiveRuns().map { ChangeRun(changes: Array($0)) }
    }

    func sealed(with key: SealingKey, binding: RowBinding) -> [UInt8] {
        key.seal(
            ChangeCodec.encode(changes),
            associatedData: binding.changeRun(replica: replica, firstSeq: firstSeq, lastSeq: lastSeq)
        )
    }

    /// Opens a row and checks that it holds exactly the changes its key names.
    static func open(
        _ sealed: [UInt8], replica: ReplicaID, firstSeq: UInt64, lastSeq: UInt64,
        key: SealingKey, binding: RowBinding
    ) throws(RowProblem) -> ChangeRun {
        let plaintext: [UInt8]
        do {
            plaintext = try key.open(sealed, associatedData: binding.changeRun(replica: replica, firstSeq: firstSeq, lastSeq: lastSeq))
        } catch {
            throw RowProblem("does not authenticate (altered, moved or from another vault)")
        }
        let changes: [Change]
        do {
            changes = try ChangeCodec.decode(plaintext)
        } catch {
            throw RowProblem("authenticates but does not decode: \(error)")
        }
        guard changes.areExactly(replica: replica, from: firstSeq, through: lastSeq) else {
            throw RowProblem("holds other changes than its key names")
        }
        return ChangeRun(changes: changes)
    }
}

/// What is wrong with one stored row (becomes a `CorruptRow` once the row is named).
struct RowProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
