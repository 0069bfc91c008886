import FlareCRDT

/// Flare's own CRDT engine behind the engine protocol (Protocol/FIXTURES.md, "Engine
/// protocol"): the reference adapter. `flare fixtures engine` feeds it standard input line by
/// line, and `flare fixtures run` without `--engine` talks to it in-process
/// (`InProcessEngine`), so Flare passes the suite through the protocol it asks of others.
///
/// Requests come from outside, so `answer` takes any bytes: whatever they are, it returns one
/// answer line and never traps.
public struct FlareEngine {
    private let engineName: String
    private var names: [String] = []
    private var replicas: [String: Replica] = [:]

    /// `name` is what the handshake reports, such as "flare 0.9.0".
    public init(name: String = "flare") {
        engineName = name
    }

    /// The answer line (without newline) to one request line (without newline).
    public mutating func answer(_ line: [UInt8]) -> String {
        var id: JSONValue = .null
        let members: [String: JSONValue]
        do throws(Refusal) {
            let (root, syntax) = JSONReader.read(line)
            guard let root, syntax.isEmpty else {
                throw Refusal("failed", "the request is not JSON: \(syntax.first?.description ?? "")")
            }
            guard case .object = root.content else { throw Refusal("failed", "the request must be a JSON object") }
            guard case .int(let number)? = root["id"]?.content else { throw Refusal("failed", "the request lacks an integer \"id\"") }
            id = .int(number)
            guard case .string(let op)? = root["op"]?.content else { throw Refusal("failed", "the request lacks a string \"op\"") }
            members = try handle(op, root)
        } catch {
            return JSONValue.object(["id": id, "ok": .bool(false), "error": .string(error.code), "message": .string(error.message)]).description
        }
        return JSONValue.object(members.merging(["id": id, "ok": .bool(true)]) { $1 }).description
    }

    /// An error answer: its `error` code and its message.
    private struct Refusal: Error {
        let code: String
        let message: String

        init(_ code: String, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    private mutating func handle(_ op: String, _ request: JSONNode) throws(Refusal) -> [String: JSONValue] {
        var checker = JSONChecker(kind: .engine)
        func required(_ key: String) throws(Refusal) -> JSONNode {
            guard let node = request[key] else { throw Refusal("failed", "a \(op) request needs \"\(key)\"") }
            return node
        }
        func check<T>(_ value: T?) throws(Refusal) -> T {
            guard let value, checker.problems.isEmpty else {
                throw Refusal("failed", checker.problems.map(\.description).joined(separator: "; "))
            }
            return value
        }
        func replica(_ key: String) throws(Refusal) -> String {
            try check(checker.replica(try required(key), .root + key, "\"\(key)\"", in: names))
        }
        switch op {
        case "hello":
            let version = try check(checker.integer(try required("protocol"), .root + "protocol", "\"protocol\"", in: 0...Int64.max))
            guard version == Int64(EngineRequest.protocolVersion) else {
                throw Refusal("unsupported", "this engine speaks protocol \(EngineRequest.protocolVersion), not \(version)")
            }
            return ["protocol": .int(Int64(EngineRequest.protocolVersion)), "engine": .string(engineName)]
        case "replicas":
            let list = try check(checker.array(try required("replicas"), .root + "replicas", "\"replicas\"", nonEmpty: true))
            var fresh: [String] = []
            for (index, node) in list.enumerated() {
                let name = try check(checker.string(node, .root + "replicas" + index, "a replica name"))
                guard FixtureFormat.replicaID(named: name) != nil, !fresh.contains(name) else {
                    throw Refusal("failed", "replica names must be distinct and 1 to 16 bytes of UTF-8: \(JSONValue.quote(name))")
                }
                fresh.append(name)
            }
            names = fresh
            replicas = Dictionary(uniqueKeysWithValues: fresh.map { ($0, Replica(id: FixtureFormat.replicaID(named: $0)!)) })
            return [:]
        case "change":
            let name = try replica("replica")
            let at = try check(checker.integer(try required("at"), .root + "at", "\"at\"", in: 0...Int64.max))
            let list = try check(checker.array(try required("ops"), .root + "ops", "\"ops\"", nonEmpty: true))
            var operations: [FixtureOperation] = []
            for (index, node) in list.enumerated() {
                operations.append(try check(FixtureOperation.parse(node, .root + "ops" + index, &checker)))
            }
            guard var replica = replicas[name] else { throw Refusal("failed", "no replica \(name)") }
            let change: Change
            do {
                change = try replica.makeChange(wallMilliseconds: UInt64(at)) { builder in
                    for operation in operations { try operation.record(in: &builder) }
                }
            } catch {
                throw Refusal("invalid_step", "\(error)")
            }
            replicas[name] = replica
            return ["seq": .int(Int64(clamping: change.id.seq)), "hlc": Self.json(change.clock)]
        case "deliver":
            let (from, to) = (try replica("from"), try replica("to"))
            let seq = try check(checker.integer(try required("seq"), .root + "seq", "\"seq\"", in: 1...Int64.max))
            guard from != to else { throw Refusal("failed", "a replica cannot deliver to itself") }
            guard let sender = replicas[from], let change = sender.change(ChangeID(replica: sender.id, seq: UInt64(seq))) else {
                throw Refusal("invalid_step", "\(from) has made no change \(seq)")
            }
            try receive([change], by: to)
            return ["hlc": Self.json(change.clock)]
        case "sync":
            let list = try check(checker.array(try required("replicas"), .root + "replicas", "\"replicas\""))
            guard list.count == 2 else { throw Refusal("failed", "\"replicas\" of a sync names two replicas") }
            let a = try check(checker.replica(list[0], .root + "replicas" + 0, "a replica", in: names))
            let b = try check(checker.replica(list[1], .root + "replicas" + 1, "a replica", in: names))
            guard a != b, let first = replicas[a], let second = replicas[b] else { throw Refusal("failed", "a sync is between two different replicas") }
            let toB = first.changes(notIn: second.versionVector)
            let toA = second.changes(notIn: first.versionVector)
            try receive(toB, by: b)
            try receive(toA, by: a)
            let received = toB.map { (b, $0) } + toA.map { (a, $0) }
            return ["received": .array(received.map { to, change in
                .object(["to": .string(to), "replica": .string(name(of: change.id.replica)), "seq": .int(Int64(clamping: change.id.seq)),
                         "hlc": Self.json(change.clock)])
            })]
        case "dump":
            guard let replica = replicas[try replica("replica")] else { throw Refusal("failed", "no such replica") }
            let view = ReplicaView(replica: replica)
            return ["state": view.state, "conflicts": view.conflicts]
        default:
            throw Refusal("unsupported", "unknown op \(JSONValue.quote(op)); this engine knows hello, replicas, change, deliver, sync, dump")
        }
    }

    private mutating func receive(_ changes: [Change], by receiver: String) throws(Refusal) {
        guard var replica = replicas[receiver] else { throw Refusal("failed", "no replica \(receiver)") }
        for change in changes {
            do { try replica.receive(change) } catch {
                throw Refusal("failed", "\(receiver) refused change \(name(of: change.id.replica))@\(change.id.seq): \(error)")
            }
        }
        replicas[receiver] = replica
    }

    /// The fixture name of the replica with `id` (its id is the name's bytes, zero-padded).
    private func name(of id: ReplicaID) -> String {
        names.first { FixtureFormat.replicaID(named: $0) == id } ?? id.description
    }

    static func json(_ clock: HLC) -> JSONValue {
        .array([.int(Int64(clamping: clock.milliseconds)), .int(Int64(clock.counter))])
    }
}
