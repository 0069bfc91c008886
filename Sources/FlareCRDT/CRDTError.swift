/// Why a local edit was refused. A refused edit changes nothing.
public enum EditError: Error, Hashable, Sendable, CustomStringConvertible {
    case documentExists(String)
    case documentMissing(String)
    case fieldKindMismatch(document: String, field: String, existing: FieldKind, attempted: FieldKind)
    case textIndexOutOfRange(document: String, field: String, index: Int, length: Int)
    case emptyChange
    /// The replica's state contradicts itself (a restored state naming changes it does not
    /// hold), so the edit cannot be applied to it.
    case inconsistentState(String)
    /// This replica has used every sequence number (2^63 − 1): it can make no more changes.
    case sequenceExhausted
    /// A fork must be a new participant: its id has written no change the replica holds.
    case forkIDInUse(ReplicaID)

    public var description: String {
        switch self {
        case .documentExists(let id): return "document \(id) already exists"
        case .documentMissing(let id): return "document \(id) does not exist"
        case .fieldKindMismatch(let document, let field, let existing, let attempted):
            return "field \(field) of \(document) is a \(existing), not a \(attempted)"
        case .textIndexOutOfRange(let document, let field, let index, let length):
            return "index \(index) is outside field \(field) of \(document) (length \(length))"
        case .emptyChange: return "a change needs at least one operation"
        case .inconsistentState(let reason): return "the replica's state contradicts itself: \(reason)"
        case .sequenceExhausted: return "this replica has used every sequence number (2^63 - 1)"
        case .forkIDInUse(let id): return "replica \(id) has written changes already, so a fork cannot take its id"
        }
    }
}

/// Why a change received from elsewhere was refused. A refused change changes nothing.
public enum ChangeRejection: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidSequence(ChangeID)
    case clockNotAfterDependency(ChangeID, dependency: ChangeID)
    case conflictingDuplicate(ChangeID)
    case dependsOnItself(ChangeID)
    case invalidOperation(ChangeID, index: Int, reason: String)
    case emptyChange(ChangeID)
    /// Its seq or clock is outside the range changes may take, or its clock passes the horizon
    /// by more than its causal past forces (Protocol/ENCODING.md, "Clocks").
    case outOfRange(ChangeID, String)

    public var description: String {
        switch self {
        case .invalidSequence(let id): return "change \(id) has sequence number 0"
        case .clockNotAfterDependency(let id, let dependency):
            return "change \(id) has a clock not after that of its dependency \(dependency)"
        case .conflictingDuplicate(let id):
            return "change \(id) differs from the change already held under that id"
        case .dependsOnItself(let id): return "change \(id) lists its own replica at or after its own seq"
        case .invalidOperation(let id, let index, let reason):
            return "change \(id), operation \(index): \(reason)"
        case .emptyChange(let id): return "change \(id) has no operations"
        case .outOfRange(let id, let reason): return "change \(id): \(reason)"
        }
    }
}
