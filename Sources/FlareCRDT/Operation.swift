/// The id of one character of a text field: the change that inserted it and the character's
/// position among all characters that change inserted (counting from 0).
public struct ElementID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let change: ChangeID
    public let offset: UInt32

    public init(change: ChangeID, offset: UInt32) {
        self.change = change
        self.offset = offset
    }

    public static func < (lhs: ElementID, rhs: ElementID) -> Bool {
        (lhs.change, lhs.offset) < (rhs.change, rhs.offset)
    }

    public var description: String { "\(change).\(offset)" }
}

/// Where inserted text hangs in a text field's Fugue tree: to the left or right of a character,
/// or to the right of the field's start.
public enum TextAnchor: Hashable, Sendable {
    /// Right child of the field's virtual start.
    case start
    /// Left child of the character: the run goes immediately before it.
    case before(ElementID)
    /// Right child of the character: the run goes immediately after it.
    case after(ElementID)
}

/// A run of consecutive character ids `first`, `first+1`, … `first+count-1`.
public struct ElementRange: Hashable, Sendable {
    public let first: ElementID
    public let count: UInt32

    public init(first: ElementID, count: UInt32) {
        self.first = first
        self.count = count
    }
}

/// One edit inside a change. Ops name documents and fields by string; text ops name characters
/// by id, so applying an op never depends on what else a replica has seen.
public enum Operation: Hashable, Sendable {
    /// Creates the document with its type.
    case create(document: String, type: String)
    /// Writes a scalar to a last-writer-wins register.
    case set(document: String, field: String, value: Scalar)
    /// Adds a string to an add-wins set.
    case add(document: String, field: String, element: String)
    /// Removes a string from an add-wins set: only the adds this change has seen.
    case remove(document: String, field: String, element: String)
    /// Adds `amount` (possibly negative) to a counter.
    case increment(document: String, field: String, amount: Int64)
    /// Inserts `text` into a text field at `anchor`; its characters get consecutive ids.
    case insertText(document: String, field: String, anchor: TextAnchor, text: String)
    /// Deletes the characters in `ranges` from a text field.
    case deleteText(document: String, field: String, ranges: [ElementRange])
    /// Deletes the document: observed-remove, so edits this change has not seen keep it alive.
    case delete(document: String)

    /// The document the op applies to.
    public var document: String {
        switch self {
        case .create(let document, _), .delete(let document),
             .set(let document, _, _), .add(let document, _, _), .remove(let document, _, _),
             .increment(let document, _, _), .insertText(let document, _, _, _),
             .deleteText(let document, _, _):
            return document
        }
    }

    /// The field the op writes, nil for document-level ops.
    public var field: String? {
        switch self {
        case .create, .delete: return nil
        case .set(_, let field, _), .add(_, let field, _), .remove(_, let field, _),
             .increment(_, let field, _), .insertText(_, let field, _, _),
             .deleteText(_, let field, _):
            return field
        }
    }

    /// How many character ids the op consumes.
    var insertedCount: UInt32 {
        // Clamped: a text past 2^32 - 1 characters then fails the offset check, not the process.
        if case .insertText(_, _, _, let text) = self { return UInt32(clamping: text.unicodeScalars.count) }
        return 0
    }
}
