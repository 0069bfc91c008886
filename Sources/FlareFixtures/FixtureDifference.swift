/// One way a replica's outcome differs from what its fixture expects, down to the field.
public struct FixtureDifference: Sendable, Equatable {
    public enum Part: String, Sendable {
        /// A replica's live documents (`expect.state`, or another replica's under `converged`).
        case state
        /// A replica's register conflicts.
        case conflicts
        /// `expect.converged` is false, but every replica holds the same.
        case converged
    }

    /// The replica that differs (nil for `converged`).
    public let replica: String?
    public let part: Part
    /// The keys from the part's root: `["e1", "fields", "regions"]` in a state, `["e1",
    /// "pain"]` in conflicts.
    public let path: [String]
    /// What was expected there; nil when nothing was.
    public let expected: JSONValue?
    /// What the replica holds there; nil when it holds nothing there.
    public let actual: JSONValue?
    /// Set when the expectation is `converged`: the replica whose outcome this one should equal.
    public let versus: String?

    public init(replica: String?, part: Part, path: [String], expected: JSONValue?, actual: JSONValue?, versus: String? = nil) {
        self.replica = replica
        self.part = part
        self.path = path
        self.expected = expected
        self.actual = actual
        self.versus = versus
    }

    /// `phone: e1.regions expected ["neck","shoulders"], got ["shoulders"]`.
    public var description: String {
        func show(_ value: JSONValue?) -> String { value.map(Self.show) ?? "nothing" }
        let place = self.place
        switch (part, versus) {
        case (.converged, _):
            return "converged: expected the replicas to differ, but all hold the same state and conflicts"
        case (_, let versus?):
            let verb = part == .conflicts ? "are" : "is"
            return "not converged: \(place) \(verb) \(show(actual)) on \(replica ?? "?"), \(show(expected)) on \(versus)"
        default:
            return "\(replica ?? "?"): \(place) expected \(show(expected)), got \(show(actual))"
        }
    }

    /// The path as people read it: `e1.regions`, `type of e1`, `conflicts of e1.pain`.
    var place: String {
        let names = path.map { JSONPath.isPlainName($0) ? $0 : JSONValue.quote($0) }
        switch part {
        case .conflicts:
            return names.isEmpty ? "conflicts" : "conflicts of " + names.joined(separator: ".")
        case .state, .converged:
            switch names.count {
            case 0: return "state"
            case 1: return names[0]
            case 2: return "\(path[1]) of \(names[0])"
            default: return ([names[0]] + names.dropFirst(2)).joined(separator: ".")
            }
        }
    }

    /// A value in a message: `{"one_of": [a, b]}` reads as `one of a, b`.
    private static func show(_ value: JSONValue) -> String {
        if case .object(let members) = value, members.count == 1, case .array(let options)? = members["one_of"] {
            return "one of " + options.map(show).joined(separator: ", ")
        }
        return value.description
    }

    /// The difference as one JSON object (Protocol/FIXTURES.md, "Output").
    public var json: JSONValue {
        var object: [String: JSONValue] = ["part": .string(part.rawValue), "path": .array(path.map(JSONValue.string))]
        if let replica { object["replica"] = .string(replica) }
        if let expected { object["expected"] = expected }
        if let actual { object["got"] = actual }
        if let versus { object["versus"] = .string(versus) }
        return .object(object)
    }
}
