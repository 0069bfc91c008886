import FlareCRDT
import Foundation

/// A conflict-merge fixture: replicas, a script of edits and deliveries, and the expected
/// outcome. The format is specified in Protocol/FIXTURES.md; Protocol/fixture.schema.json
/// says the same in JSON Schema.
public struct Fixture: Sendable {
    /// One scripted step.
    public enum Step: Sendable {
        /// One change made by `replica` at wall time `wallMilliseconds` (the file's `at`, or
        /// its default already worked out).
        case change(replica: String, wallMilliseconds: UInt64, operations: [FixtureOperation])
        /// Both replicas receive every change the other holds.
        case sync(String, String)
        /// `to` receives these of `from`'s own changes, in this order.
        case deliver(from: String, to: String, seqs: [UInt64])
    }

    /// Expectations for one replica, or for all.
    public struct Expectation: Sendable {
        public var state: JSONValue?
        public var conflicts: JSONValue?
    }

    /// Fixture files are small; a bigger file is refused before it is read.
    public static let maximumFileSize = 8 << 20

    public let name: String
    public let replicas: [String]
    public let steps: [Step]
    public let converged: Bool?
    public let expected: Expectation
    public let perReplica: [String: Expectation]

    /// Parses a fixture. `fileName` (without `.json`), when given, must equal its `name`.
    /// Throws every problem found, each with its path and line:column.
    public init(json data: Data, fileName: String? = nil) throws(FixtureError) {
        try self.init(bytes: [UInt8](data), fileName: fileName)
    }

    public init(bytes: [UInt8], fileName: String? = nil) throws(FixtureError) {
        var checker = JSONChecker(kind: .malformed)
        let (root, syntax) = JSONReader.read(bytes)
        checker.add(syntax)
        guard let root else { throw FixtureError(checker.sortedProblems) }
        let parsed = Self.parse(root, fileName: fileName, &checker)
        guard let parsed, checker.problems.isEmpty else { throw FixtureError(checker.sortedProblems) }
        self = parsed
    }

    private init(name: String, replicas: [String], steps: [Step], converged: Bool?, expected: Expectation, perReplica: [String: Expectation]) {
        self.name = name
        self.replicas = replicas
        self.steps = steps
        self.converged = converged
        self.expected = expected
        self.perReplica = perReplica
    }

    private static func parse(_ root: JSONNode, fileName: String?, _ checker: inout JSONChecker) -> Fixture? {
        let keys = FixtureFormat.objects["fixture"]!
        guard let members = checker.members(root, .root, "a fixture", required: keys.required, optional: keys.optional) else { return nil }
        var name: String?
        if let node = members["name"], let value = checker.string(node, .root + "name", "\"name\"") {
            if value.isEmpty {
                checker.report("\"name\" must not be empty", node, .root + "name")
            } else if let fileName, !value.unicodeScalars.elementsEqual(fileName.unicodeScalars) {
                checker.report("\"name\" is \(JSONValue.quote(value)) but the file is \(fileName).json; they must be equal", node, .root + "name")
            }
            name = value
        }
        let replicas = members["replicas"].map { self.replicas($0, &checker) } ?? []
        var steps: [Step] = []
        if let node = members["steps"], let list = checker.array(node, .root + "steps", "\"steps\"") {
            var made: [String: UInt64] = [:]
            var wall: [String: UInt64] = [:]
            for (index, step) in list.enumerated() {
                if let step = Self.step(step, .root + "steps" + index, replicas: replicas, made: &made, wall: &wall, &checker) {
                    steps.append(step)
                }
            }
        }
        var converged: Bool?
        var expected = Expectation()
        var perReplica: [String: Expectation] = [:]
        if let node = members["expect"] {
            let path = JSONPath.root + "expect"
            let keys = FixtureFormat.objects["expect"]!
            if let expect = checker.members(node, path, "\"expect\"", required: keys.required, optional: keys.optional) {
                converged = expect["converged"].flatMap { checker.bool($0, path + "converged", "\"expect.converged\"") }
                expected = Self.expectation(expect, path, &checker)
                if let node = expect["replicas"], case .object(let list) = node.content {
                    let keys = FixtureFormat.objects["replicaExpect"]!
                    for member in list {
                        let memberPath = path + "replicas" + member.key
                        guard let replica = replicas.first(where: { $0 == member.key }) else {
                            checker.append(FixtureProblem(.malformed, "\"expect.replicas\" names \(JSONValue.quote(member.key)), which is not one of the replicas",
                                                            path: memberPath, position: member.keyPosition))
                            continue
                        }
                        if let own = checker.members(member.value, memberPath, "a replica's expectations",
                                                     required: keys.required, optional: keys.optional) {
                            perReplica[replica] = Self.expectation(own, memberPath, &checker)
                        }
                    }
                } else if let node = expect["replicas"] {
                    _ = checker.members(node, path + "replicas", "\"expect.replicas\"", required: [])
                }
            }
        }
        guard let name else { return nil }
        return Fixture(name: name, replicas: replicas, steps: steps, converged: converged, expected: expected, perReplica: perReplica)
    }

    private static func replicas(_ node: JSONNode, _ checker: inout JSONChecker) -> [String] {
        let path = JSONPath.root + "replicas"
        guard let list = checker.array(node, path, "\"replicas\"", nonEmpty: true) else { return [] }
        var names: [String] = []
        for (index, element) in list.enumerated() {
            guard let name = checker.string(element, path + index, "a replica name") else { continue }
            if FixtureFormat.replicaID(named: name) == nil {
                checker.report("replica name \(JSONValue.quote(name)) must be 1 to 16 bytes of UTF-8", element, path + index)
            } else if names.contains(name) {
                checker.report("replica \(JSONValue.quote(name)) is listed twice", element, path + index)
            } else {
                names.append(name)
            }
        }
        return names
    }

    private static func step(
        _ node: JSONNode, _ path: JSONPath, replicas: [String], made: inout [String: UInt64], wall: inout [String: UInt64],
        _ checker: inout JSONChecker
    ) -> Step? {
        guard case .object = node.content else {
            _ = checker.members(node, path, "a step", required: [])
            return nil
        }
        if node["sync"] != nil {
            let keys = FixtureFormat.objects["syncStep"]!
            guard let members = checker.members(node, path, "a sync step", required: keys.required, optional: keys.optional),
                  let pair = members["sync"].flatMap({ checker.array($0, path + "sync", "\"sync\"") }) else { return nil }
            guard pair.count == 2 else {
                checker.report("\"sync\" must name two replicas, not \(pair.count)", members["sync"]!, path + "sync")
                return nil
            }
            let a = checker.replica(pair[0], path + "sync" + 0, "\"sync\"", in: replicas)
            let b = checker.replica(pair[1], path + "sync" + 1, "\"sync\"", in: replicas)
            guard let a, let b else { return nil }
            guard a != b else {
                checker.report("\"sync\" must name two different replicas", members["sync"]!, path + "sync")
                return nil
            }
            return .sync(a, b)
        }
        if node["deliver"] != nil {
            let keys = FixtureFormat.objects["deliverStep"]!
            guard let members = checker.members(node, path, "a deliver step", required: keys.required, optional: keys.optional),
                  let deliver = members["deliver"] else { return nil }
            let bodyPath = path + "deliver"
            let bodyKeys = FixtureFormat.objects["deliver"]!
            guard let body = checker.members(deliver, bodyPath, "\"deliver\"", required: bodyKeys.required, optional: bodyKeys.optional) else { return nil }
            let from = body["from"].flatMap { checker.replica($0, bodyPath + "from", "\"deliver.from\"", in: replicas) }
            let to = body["to"].flatMap { checker.replica($0, bodyPath + "to", "\"deliver.to\"", in: replicas) }
            if let from, let to, from == to { checker.report("\"deliver\" must go between two different replicas", deliver, bodyPath) }
            var seqs: [UInt64] = []
            if let node = body["seqs"], let list = checker.array(node, bodyPath + "seqs", "\"deliver.seqs\"", nonEmpty: true) {
                for (index, element) in list.enumerated() {
                    guard let seq = checker.integer(element, bodyPath + "seqs" + index, "a seq", in: 1...Int64.max) else { continue }
                    if let from, UInt64(seq) > made[from, default: 0] {
                        checker.report("\(from) has made \(made[from, default: 0]) changes before this step, so it has no change \(seq)",
                                       element, bodyPath + "seqs" + index)
                    }
                    seqs.append(UInt64(seq))
                }
            }
            guard let from, let to, from != to else { return nil }
            return .deliver(from: from, to: to, seqs: seqs)
        }
        let keys = FixtureFormat.objects["changeStep"]!
        guard let members = checker.members(node, path, "a change step (or a step with \"sync\" or \"deliver\")",
                                            required: keys.required, optional: keys.optional) else { return nil }
        let replica = members["replica"].flatMap { checker.replica($0, path + "replica", "\"replica\"", in: replicas) }
        var at: UInt64?
        if let node = members["at"], let text = checker.string(node, path + "at", "\"at\"") {
            at = FixtureTime.milliseconds(iso8601: text)
            if at == nil {
                checker.report("\"at\" must be a UTC time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z written like 2026-03-01T08:00:00Z, not \(JSONValue.quote(text))",
                               node, path + "at")
            }
        }
        var operations: [FixtureOperation] = []
        var opsValid = false
        if let node = members["ops"], let list = checker.array(node, path + "ops", "\"ops\"", nonEmpty: true) {
            opsValid = !list.isEmpty
            for (index, element) in list.enumerated() {
                if let operation = FixtureOperation.parse(element, path + "ops" + index, &checker) {
                    operations.append(operation)
                } else {
                    opsValid = false
                }
            }
        }
        guard let replica else { return nil }
        made[replica, default: 0] += 1
        let wallTime = at ?? wall[replica].map { $0 + 1000 } ?? FixtureTime.defaultStart
        wall[replica] = wallTime
        guard opsValid, members["at"] == nil || at != nil else { return nil }
        return .change(replica: replica, wallMilliseconds: wallTime, operations: operations)
    }

    private static func expectation(_ members: [String: JSONNode], _ path: JSONPath, _ checker: inout JSONChecker) -> Expectation {
        var expectation = Expectation()
        if let node = members["state"], ExpectedShape.state.check(node, path + "state", &checker) {
            expectation.state = node.value
        }
        if let node = members["conflicts"], ExpectedShape.conflicts.check(node, path + "conflicts", &checker) {
            expectation.conflicts = node.value
        }
        return expectation
    }
}

/// The keys and names of the fixture format, shared by the parser and the test that holds
/// Protocol/fixture.schema.json to it.
public enum FixtureFormat {
    /// The keys each object of a fixture must have and may have, by the name of its
    /// definition in the schema's `$defs`.
    public static let objects: [String: (required: [String], optional: [String])] = [
        "fixture": (["name", "replicas", "steps", "expect"], []),
        "changeStep": (["replica", "ops"], ["at"]),
        "syncStep": (["sync"], []),
        "deliverStep": (["deliver"], []),
        "deliver": (["from", "to", "seqs"], []),
        "expect": ([], ["converged", "state", "conflicts", "replicas"]),
        "replicaExpect": ([], ["state", "conflicts"]),
        "document": (["type", "fields"], []),
        "createOp": (["create", "type"], []),
    ]

    /// Every op's key, in the order FIXTURES.md lists them.
    public static let operations = ["create", "set", "add", "remove", "incr", "insert", "delete_text", "delete"]

    /// A fixture replica's id: its name's UTF-8 bytes, zero-padded to 16, so ids sort as names do.
    public static func replicaID(named name: String) -> ReplicaID? {
        let bytes = Array(name.utf8)
        guard (1...16).contains(bytes.count) else { return nil }
        return ReplicaID(bytes: bytes + Array(repeating: 0, count: 16 - bytes.count))
    }
}
