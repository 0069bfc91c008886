/// Checks the shape of a read JSON document and collects every problem with its path and
/// position, so a file (or an engine's answer) is reported whole, not one fault at a time.
/// A value the reader already reported (`JSONNode.Content.invalid`) is skipped silently.
struct JSONChecker {
    /// The kind of the problems reported: `.malformed` for files, `.engine` for answers.
    let kind: FixtureProblem.Kind
    private(set) var problems: [FixtureProblem] = []

    init(kind: FixtureProblem.Kind) {
        self.kind = kind
    }

    /// Records the reader's problems, which end or precede the shape checks.
    mutating func add(_ syntax: [JSONReader.Problem]) {
        problems += syntax.map { FixtureProblem(kind, $0.message, position: $0.position) }
    }

    mutating func append(_ problem: FixtureProblem) {
        problems.append(problem)
    }

    mutating func report(_ message: String, _ node: JSONNode, _ path: JSONPath) {
        problems.append(FixtureProblem(kind, message, path: path, position: node.position))
    }

    /// Problems in file order (a problem without a position last), for reporting.
    var sortedProblems: [FixtureProblem] {
        problems.enumerated().sorted { a, b in
            switch (a.element.position, b.element.position) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }

    private func isInvalid(_ node: JSONNode) -> Bool {
        if case .invalid = node.content { return true }
        return false
    }

    /// The members of the object `node`, after reporting every key not in `required` or
    /// `optional` and every required key missing; nil (reported) if `node` is not an object.
    mutating func members(
        _ node: JSONNode, _ path: JSONPath, _ what: String, required: [String], optional: [String] = []
    ) -> [String: JSONNode]? {
        guard case .object(let list) = node.content else {
            if !isInvalid(node) { report("\(what) must be an object, not \(node.kindName)", node, path) }
            return nil
        }
        var members: [String: JSONNode] = [:]
        for member in list {
            if required.contains(member.key) || optional.contains(member.key) {
                members[member.key] = member.value
            } else {
                let allowed = (required + optional).map { "\"\($0)\"" }.joined(separator: ", ")
                problems.append(FixtureProblem(kind, "unknown key \(JSONValue.quote(member.key)) in \(what) (allowed: \(allowed))",
                                               path: path + member.key, position: member.keyPosition))
            }
        }
        for key in required where members[key] == nil {
            report("\(what) lacks the required key \"\(key)\"", node, path)
        }
        return members
    }

    /// The elements of the array `node`; nil (reported) if it is not an array.
    mutating func array(_ node: JSONNode, _ path: JSONPath, _ what: String, nonEmpty: Bool = false) -> [JSONNode]? {
        guard case .array(let elements) = node.content else {
            if !isInvalid(node) { report("\(what) must be an array, not \(node.kindName)", node, path) }
            return nil
        }
        if nonEmpty, elements.isEmpty { report("\(what) must not be empty", node, path) }
        return elements
    }

    mutating func string(_ node: JSONNode, _ path: JSONPath, _ what: String) -> String? {
        guard case .string(let string) = node.content else {
            if !isInvalid(node) { report("\(what) must be a string, not \(node.kindName)", node, path) }
            return nil
        }
        return string
    }

    mutating func bool(_ node: JSONNode, _ path: JSONPath, _ what: String) -> Bool? {
        guard case .bool(let value) = node.content else {
            if !isInvalid(node) { report("\(what) must be true or false, not \(node.kindName)", node, path) }
            return nil
        }
        return value
    }

    /// An integer within `range`, which the message states when it is not.
    mutating func integer(_ node: JSONNode, _ path: JSONPath, _ what: String, in range: ClosedRange<Int64>) -> Int64? {
        guard case .int(let value) = node.content else {
            if !isInvalid(node) { report("\(what) must be an integer, not \(node.kindName)", node, path) }
            return nil
        }
        guard range.contains(value) else {
            let bounds = range.upperBound == .max ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            report("\(what) must be \(bounds), not \(value)", node, path)
            return nil
        }
        return value
    }

    /// A replica name that is one of `replicas`, as `replicas` spells it (Swift compares
    /// strings by canonical equivalence; an engine may compare bytes).
    mutating func replica(_ node: JSONNode, _ path: JSONPath, _ what: String, in replicas: [String]) -> String? {
        guard let name = string(node, path, what) else { return nil }
        guard let listed = replicas.first(where: { $0 == name }) else {
            report("\(what) names \(JSONValue.quote(name)), which is not one of the replicas", node, path)
            return nil
        }
        return listed
    }
}
