/// The outcome of running one fixture file: it passed, or what differed and what went wrong.
public struct FixtureResult: Sendable {
    /// The fixture's name (the file's name, without `.json`, when the file cannot be read).
    public let name: String
    /// The file, as it was found.
    public let file: String?
    public let differences: [FixtureDifference]
    public let problems: [FixtureProblem]
    /// Each step as it ran, with its stamps, and the final dumps.
    public let trace: [FixtureTraceEvent]

    public init(name: String, file: String?, differences: [FixtureDifference] = [], problems: [FixtureProblem] = [],
                trace: [FixtureTraceEvent] = []) {
        self.name = name
        self.file = file
        self.differences = differences
        self.problems = problems
        self.trace = trace
    }

    public var passed: Bool { differences.isEmpty && problems.isEmpty }

    /// `PASS name`, or `FAIL name` followed by one indented line per problem and difference:
    /// a problem in the file as `FILE:LINE:COLUMN: $.path: message`.
    public var text: String {
        guard !passed else { return "PASS \(name)" }
        let problemLines = problems.map { problem in
            guard problem.kind == .malformed, let file else { return "  \(problem)" }
            return problem.position == nil ? "  \(file): \(problem)" : "  \(file):\(problem)"
        }
        return (["FAIL \(name)"] + problemLines + differences.map { "  \($0.description)" }).joined(separator: "\n")
    }

    /// `TRACE name` and one indented line per event.
    public var traceText: String {
        (["TRACE \(name)"] + trace.map { "  \($0.text)" }).joined(separator: "\n")
    }

    /// The result as one JSON object (Protocol/FIXTURES.md, "Output"); with `trace`, the
    /// events too.
    public func json(trace includeTrace: Bool = false) -> JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name),
            "file": file.map(JSONValue.string) ?? .null,
            "passed": .bool(passed),
            "differences": .array(differences.map(\.json)),
            "errors": .array(problems.map(\.json)),
        ]
        if includeTrace { object["trace"] = .array(trace.map(\.json)) }
        return .object(object)
    }
}
