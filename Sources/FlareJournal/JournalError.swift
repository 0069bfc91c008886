/// Why a journal record was refused or could not be read. Each reads as one plain sentence
/// saying what to change; a refused record writes nothing.
public enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A number outside its allowed range, e.g. pain 11.
    case outOfRange(field: String, value: String, range: String)
    /// A word or name that cannot be used (empty, too long, control characters).
    case invalidTerm(field: String, value: String, reason: String)
    /// A value of the wrong kind for its field.
    case invalidValue(field: String, value: String, expected: String)
    /// A region word Flare does not know, with the known word nearest to it, if one is near.
    case unknownRegion(String, suggestion: String?)
    /// A field that must be given is missing.
    case missing(field: String)
    /// A stored record whose field does not hold what its type needs (written by a newer or
    /// faulty device); the record is shown without it.
    case unreadable(record: String, field: String, found: String)
    /// No record with that id.
    case unknownRecord(String)
    /// A record of another type than the one asked for.
    case wrongType(record: String, expected: String, found: String)
    /// This device has made no change that can be undone.
    case nothingToUndo
    /// Nothing undone to redo: no undo yet, or an edit since.
    case nothingToRedo

    public var description: String {
        switch self {
        case .outOfRange(let field, let value, let range):
            return "\(field) must be \(range); \(value) is outside that."
        case .invalidTerm(let field, let value, let reason):
            return "\(field) \"\(value)\" cannot be used: \(reason)."
        case .invalidValue(let field, let value, let expected):
            return "\(field) must be \(expected); \"\(value)\" is not."
        case .unknownRegion(let word, let suggestion):
            let hint = suggestion.map { "did you mean \"\($0)\"?" } ?? "`flare log --help` lists the regions."
            return "Unknown region \"\(word)\"; \(hint) Use --new-region \"\(word)\" to log it as a new region."
        case .missing(let field):
            return "\(field) is required."
        case .unreadable(let record, let field, let found):
            return "\(record) has an unreadable \(field) (\(found)); it is shown without it."
        case .unknownRecord(let id):
            return "No record with id \(id); `flare list` shows the ids."
        case .wrongType(let record, let expected, let found):
            return "\(record) is a \(found), not a \(expected)."
        case .nothingToUndo:
            return "Nothing to undo: this device has made no change to the journal that is not undone already."
        case .nothingToRedo:
            return "Nothing to redo: nothing was undone since the last edit on this device."
        }
    }
}
