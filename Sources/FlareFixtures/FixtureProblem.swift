/// One thing that kept a fixture from being checked: a fault of the file, a step the engine
/// refused, or an engine that broke the protocol.
public struct FixtureProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file is not a fixture (bad JSON, or not what Protocol/FIXTURES.md allows).
        case malformed
        /// The engine answered a step with an error (the step may be invalid, or the engine wrong).
        case refused
        /// The engine crashed, hung, printed something that is not an answer, or answered wrongly.
        case engine
    }

    public let kind: Kind
    public let message: String
    /// For `malformed`: the value at fault, if the problem is about one value.
    public let path: JSONPath?
    /// For `malformed`: where in the file.
    public let position: SourcePosition?
    /// For `refused` and `engine`: the step (from 1), nil for the start and the final dumps.
    public let step: Int?

    public init(_ kind: Kind, _ message: String, path: JSONPath? = nil, position: SourcePosition? = nil, step: Int? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.position = position
        self.step = step
    }

    /// `4:7: $.steps[2].ops[0]: unknown op "frobnicate"`, or `step 3: …`.
    public var description: String {
        var prefix = ""
        if let position { prefix += "\(position): " }
        if let path { prefix += "\(path): " }
        if let step { prefix += "step \(step): " }
        return prefix + message
    }

    /// The problem as one JSON object (Protocol/FIXTURES.md, "Output").
    public var json: JSONValue {
        var object: [String: JSONValue] = ["kind": .string(kind.rawValue), "message": .string(message)]
        if let path { object["path"] = .string(path.description) }
        if let position {
            object["line"] = .int(Int64(position.line))
            object["column"] = .int(Int64(position.column))
        }
        if let step { object["step"] = .int(Int64(step)) }
        return .object(object)
    }
}

/// Why a fixture file cannot be run: every problem found in it, in file order.
public struct FixtureError: Error, Equatable, Sendable, CustomStringConvertible {
    public let problems: [FixtureProblem]

    public init(_ problems: [FixtureProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
