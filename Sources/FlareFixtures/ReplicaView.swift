import FlareCRDT

/// A replica's live documents and register conflicts as plain JSON, the form fixtures use:
/// register → value, set → sorted array, counter → integer, text → string.
public struct ReplicaView: Equatable, Sendable {
    /// `{doc: {"type": T, "fields": {...}}}` for every live document.
    public let state: JSONValue
    /// `{doc: {field: [losing values]}}` for every register with conflicts.
    public let conflicts: JSONValue

    init(state: JSONValue, conflicts: JSONValue) {
        self.state = state
        self.conflicts = conflicts
    }

    /// The view in an engine's `dump` answer, checked to be in the fixture form (no `one_of`);
    /// nil, with the problems reported, if it is not.
    static func read(state: JSONNode?, conflicts: JSONNode?, _ path: JSONPath, _ checker: inout JSONChecker) -> ReplicaView? {
        guard let state, let conflicts else { return nil }
        let stateValid = ExpectedShape.state.check(state, path + "state", allowingOneOf: false, &checker)
        let conflictsValid = ExpectedShape.conflicts.check(conflicts, path + "conflicts", allowingOneOf: false, &checker)
        guard stateValid, conflictsValid, let state = state.value, let conflicts = conflicts.value else { return nil }
        return ReplicaView(state: state, conflicts: conflicts)
    }

    public init(replica: Replica) {
        var documents: [String: JSONValue] = [:]
        var conflicts: [String: JSONValue] = [:]
        for id in replica.liveDocumentIDs {
            let document = replica.document(id)!
            var fields: [String: JSONValue] = [:]
            var fieldConflicts: [String: JSONValue] = [:]
            for (name, field) in document.visibleFields {
                switch field {
                case .register(let register):
                    fields[name] = Self.json(register.winner.value)
                    if !register.conflicts.isEmpty {
                        fieldConflicts[name] = .array(register.conflicts.map { Self.json($0.value) })
                    }
                case .set(let set): fields[name] = .array(set.elements.map(JSONValue.string))
                case .counter(let total): fields[name] = .int(total)
                case .text(let text): fields[name] = .string(text.string)
                }
            }
            documents[id] = .object(["type": .string(document.type), "fields": .object(fields)])
            if !fieldConflicts.isEmpty { conflicts[id] = .object(fieldConflicts) }
        }
        state = .object(documents)
        self.conflicts = .object(conflicts)
    }

    static func json(_ scalar: Scalar) -> JSONValue {
        switch scalar {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .double(let value): return .double(value)
        case .string(let value): return .string(value)
        }
    }
}
