/// The kind of CRDT a field is, fixed by the first op that writes it.
public enum FieldKind: UInt8, Hashable, Sendable, CustomStringConvertible, CaseIterable {
    case register = 0
    case set = 1
    case counter = 2
    case text = 3

    public var description: String {
        switch self {
        case .register: return "register"
        case .set: return "set"
        case .counter: return "counter"
        case .text: return "text"
        }
    }
}

/// One field's state.
public enum Field: Sendable {
    case register(Register)
    case set(AddWinsSet)
    case counter(Int64)
    case text(TextSequence)

    public var kind: FieldKind {
        switch self {
        case .register: return .register
        case .set: return .set
        case .counter: return .counter
        case .text: return .text
        }
    }
}

/// A field's name together with its kind. Two replicas that concurrently use one name as two
/// kinds get two fields, so merging stays deterministic; reads show the one of lowest kind.
struct FieldKey: Hashable, Sendable, Comparable {
    let name: String
    let kind: FieldKind

    /// Name by UTF-8 bytes, then kind: the canonical order.
    static func < (lhs: FieldKey, rhs: FieldKey) -> Bool {
        lhs.name == rhs.name ? lhs.kind.rawValue < rhs.kind.rawValue : bytewiseLess(lhs.name, rhs.name)
    }
}

/// A document: a type and named fields, plus what observed-remove deletion needs.
public struct Document: Sendable {
    /// The document's type, a register so that even concurrent creates merge deterministically.
    public internal(set) var typeRegister: Register
    var fields: FieldTable
    /// For each replica, the highest seq of its changes that touched this document.
    var touchedBy: VersionVector
    /// The union of the causal pasts of every delete of this document.
    var deletedThrough: VersionVector

    init(type: RegisterWrite) {
        typeRegister = Register(type)
        fields = FieldTable()
        touchedBy = VersionVector()
        deletedThrough = VersionVector()
    }

    /// The new document a `create` op (the op at `index` in `change`) makes where there was
    /// none; nil for any other op.
    init?(createdBy operation: Operation, index: UInt32, of change: Change) {
        guard case .create(_, let type) = operation else { return nil }
        self.init(type: RegisterWrite(id: WriteID(change: change.id, operation: index), clock: change.clock, value: .string(type)))
    }

    init(typeRegister: Register, fields: FieldTable, touchedBy: VersionVector, deletedThrough: VersionVector) {
        self.typeRegister = typeRegister
        self.fields = fields
        self.touchedBy = touchedBy
        self.deletedThrough = deletedThrough
    }

    /// The document's type.
    public var type: String {
        if case .string(let value) = typeRegister.winner.value { return value }
        return typeRegister.winner.value.description
    }

    /// Whether the document is live: no delete has seen every change that touched it.
    public var isLive: Bool {
        deletedThrough.isEmpty || touchedBy.contains { deletedThrough[$0.replica] < $0.seq }
    }

    /// The replicas whose edits keep the document live though a delete of it was made: they
    /// touched it in changes no delete had seen. Empty when it was never deleted, or is
    /// deleted.
    public var keptAliveBy: [ReplicaID] {
        guard !deletedThrough.isEmpty else { return [] }
        return touchedBy.filter { deletedThrough[$0.replica] < $0.seq }.map(\.replica)
    }

    /// The visible fields by name. Where one name holds several kinds, the lowest kind shows.
    public var visibleFields: [(name: String, field: Field)] {
        var result: [(name: String, field: Field)] = []
        for (key, field) in fields.entries where result.last?.name != key.name {
            result.append((key.name, field))
        }
        return result
    }

    /// The field called `name`, as reads see it.
    public func field(_ name: String) -> Field? {
        for kind in FieldKind.allCases {
            if let field = fields[FieldKey(name: name, kind: kind)] { return field }
        }
        return nil
    }

    /// The visible text of the text field `name`; nil when there is no such text field.
    public func text(_ name: String) -> String? {
        guard case .text(let sequence)? = fields[FieldKey(name: name, kind: .text)] else { return nil }
        return sequence.string
    }

    /// The kind already used for `name`, if any.
    func kind(of name: String) -> FieldKind? { field(name)?.kind }

    /// Applies one op of a change whose causal past is `past`. Returns a reason on failure,
    /// having changed nothing: a change of one op is applied to the replica's document in
    /// place, with no copy to fall back on.
    mutating func apply(_ operation: Operation, index: UInt32, change: Change, past: VersionVector, textOffset: UInt32) -> String? {
        if let failure = applyToFields(operation, index: index, change: change, past: past, textOffset: textOffset) { return failure }
        touchedBy.raise(change.id.replica, to: change.id.seq)
        return nil
    }

    /// Types `scalars` into the text `field` right after the character `id`, one character
    /// per change from the change after `id`'s through `last` (see `TextSequence.type`).
    /// Returns false, changing nothing, where that is not one extension of a run.
    mutating func type(_ scalars: [Unicode.Scalar], into field: String, after id: ElementID, through last: ChangeID) -> Bool {
        let key = FieldKey(name: field, kind: .text)
        guard case .text(var sequence)? = fields.removeValue(forKey: key) else { return false }
        let typed = sequence.type(scalars, after: id)
        fields[key] = .text(sequence)
        if typed { touchedBy.raise(last.replica, to: last.seq) }
        return typed
    }

    private mutating func applyToFields(_ operation: Operation, index: UInt32, change: Change, past: VersionVector, textOffset: UInt32) -> String? {
        let write = WriteID(change: change.id, operation: index)
        switch operation {
        case .create(_, let type):
            typeRegister.apply(RegisterWrite(id: write, clock: change.clock, value: .string(type)), past: past)
        case .delete:
            deletedThrough.formUnion(past)
        case .set(_, let name, let value):
            let key = FieldKey(name: name, kind: .register)
            let newWrite = RegisterWrite(id: write, clock: change.clock, value: value)
            if case .register(var register)? = fields[key] {
                fields[key] = nil
                register.apply(newWrite, past: past)
                fields[key] = .register(register)
            } else {
                fields[key] = .register(Register(newWrite))
            }
        case .add(_, let name, let element):
            let key = FieldKey(name: name, kind: .set)
            var set: AddWinsSet
            if case .set(let existing)? = fields.removeValue(forKey: key) { set = existing } else { set = AddWinsSet() }
            set.add(element, by: change.id)
            fields[key] = .set(set)
        case .remove(_, let name, let element):
            let key = FieldKey(name: name, kind: .set)
            guard case .set(var set)? = fields.removeValue(forKey: key) else { break }
            set.remove(element, past: past)
            fields[key] = .set(set)
        case .increment(_, let name, let amount):
            let key = FieldKey(name: name, kind: .counter)
            var total: Int64 = 0
            if case .counter(let existing)? = fields[key] { total = existing }
            fields[key] = .counter(total &+ amount)
        case .insertText(_, let name, let anchor, let text):
            let key = FieldKey(name: name, kind: .text)
            var sequence: TextSequence
            let existed: Bool
            if case .text(let existing)? = fields.removeValue(forKey: key) {
                sequence = existing
                existed = true
            } else {
                sequence = TextSequence()
                existed = false
            }
            let first = ElementID(change: change.id, offset: textOffset)
            let failure = sequence.insert(Array(text.unicodeScalars), first: first, at: anchor)
            if failure == nil || existed { fields[key] = .text(sequence) }
            if let failure { return failure }
        case .deleteText(_, let name, let ranges):
            let key = FieldKey(name: name, kind: .text)
            guard case .text(var sequence)? = fields.removeValue(forKey: key) else {
                return "field \(name) holds no text"
            }
            let failure = sequence.delete(ranges)
            fields[key] = .text(sequence)
            if let failure { return failure }
        }
        return nil
    }
}
