import FlareCRDT
import Foundation

/// A conflict-merge fixture: replicas, a script of edits and deliveries, and the expected
/// outcome. The format is specified in Protocol/FIXTURES.md.
public struct Fixture: Sendable {
    /// One scripted step.
    public enum Step: Sendable {
        /// One change made by `replica` at `wallMilliseconds` (nil: one second after its last).
        case change(replica: String, wallMilliseconds: UInt64?, operations: [FixtureOperation])
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

    public let name: String
    public let replicas: [String]
    public let steps: [Step]
    public let converged: Bool?
    public let expected: Expectation
    public let perReplica: [String: Expectation]

    /// Parses a fixture; throws `FixtureError.malformed` saying what is wrong.
    public init(json data: Data) throws {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch {
            throw FixtureError.malformed("not valid JSON (\(error))")
        }
        let object = try Self.object(root, "the fixture", allowed: ["name", "replicas", "steps", "expect"])
        guard case .string(let name)? = object["name"], !name.isEmpty else {
            throw FixtureError.malformed("\"name\" must be a non-empty string")
        }
        self.name = name
        replicas = try Self.strings(object["replicas"], "\"replicas\"")
        guard !replicas.isEmpty, Set(replicas).count == replicas.count else {
            throw FixtureError.malformed("\"replicas\" must list distinct names")
        }
        for replica in replicas where FixtureRunner.replicaID(named: replica) == nil {
            throw FixtureError.malformed("replica name \"\(replica)\" must be 1 to 16 bytes of UTF-8")
        }
        guard case .array(let stepValues)? = object["steps"] else {
            throw FixtureError.malformed("\"steps\" must be an array")
        }
        var steps: [Step] = []
        for (index, value) in stepValues.enumerated() {
            do { steps.append(try Self.step(value, replicas: replicas)) } catch FixtureError.malformed(let problem) {
                throw FixtureError.malformed("step \(index + 1): \(problem)")
            }
        }
        self.steps = steps
        let expect = try Self.object(object["expect"] ?? .object([:]), "\"expect\"",
                                     allowed: ["converged", "state", "conflicts", "replicas"])
        switch expect["converged"] {
        case nil: converged = nil
        case .bool(let value)?: converged = value
        default: throw FixtureError.malformed("\"expect.converged\" must be true or false")
        }
        expected = Expectation(state: expect["state"], conflicts: expect["conflicts"])
        var perReplica: [String: Expectation] = [:]
        for (replica, value) in try Self.object(expect["replicas"] ?? .object([:]), "\"expect.replicas\"") {
            guard replicas.contains(replica) else {
                throw FixtureError.malformed("\"expect.replicas\" names unknown replica \"\(replica)\"")
            }
            let member = try Self.object(value, "\"expect.replicas.\(replica)\"", allowed: ["state", "conflicts"])
            perReplica[replica] = Expectation(state: member["state"], conflicts: member["conflicts"])
        }
        self.perReplica = perReplica
    }

    private static func object(_ value: JSONValue, _ what: String, allowed: Set<String>? = nil) throws -> [String: JSONValue] {
        guard case .object(let members) = value else { throw FixtureError.malformed("\(what) must be an object") }
        if let allowed, let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw FixtureError.malformed("\(what) has unknown key \"\(unknown)\"")
        }
        return members
    }

    private static func strings(_ value: JSONValue?, _ what: String) throws -> [String] {
        guard case .array(let values)? = value else { throw FixtureError.malformed("\(what) must be an array of strings") }
        return try values.map {
            guard case .string(let string) = $0 else { throw FixtureError.malformed("\(what) must be an array of strings") }
            return string
        }
    }

    private static func replica(_ value: JSONValue?, _ what: String, in replicas: [String]) throws -> String {
        guard case .string(let name)? = value else { throw FixtureError.malformed("\(what) must be a replica name") }
        guard replicas.contains(name) else { throw FixtureError.malformed("\(what) names unknown replica \"\(name)\"") }
        return name
    }

    private static func step(_ value: JSONValue, replicas: [String]) throws -> Step {
        guard case .object(let members) = value else { throw FixtureError.malformed("a step must be an object") }
        if members["sync"] != nil {
            _ = try object(value, "a sync step", allowed: ["sync"])
            let pair = try strings(members["sync"], "\"sync\"")
            guard pair.count == 2, pair[0] != pair[1] else {
                throw FixtureError.malformed("\"sync\" must name two different replicas")
            }
            return .sync(try replica(.string(pair[0]), "\"sync\"", in: replicas),
                         try replica(.string(pair[1]), "\"sync\"", in: replicas))
        }
        if let deliver = members["deliver"] {
            _ = try object(value, "a deliver step", allowed: ["deliver"])
            let body = try object(deliver, "\"deliver\"", allowed: ["from", "to", "seqs"])
            let from = try replica(body["from"], "\"deliver.from\"", in: replicas)
            let to = try replica(body["to"], "\"deliver.to\"", in: replicas)
            guard from != to else { throw FixtureError.malformed("\"deliver\" must go between two different replicas") }
            guard case .array(let seqValues)? = body["seqs"] else {
                throw FixtureError.malformed("\"deliver.seqs\" must be an array of positive integers")
            }
            let seqs: [UInt64] = try seqValues.map {
                guard case .int(let seq) = $0, seq > 0 else {
                    throw FixtureError.malformed("\"deliver.seqs\" must be an array of positive integers")
                }
                return UInt64(seq)
            }
            return .deliver(from: from, to: to, seqs: seqs)
        }
        _ = try object(value, "a change step", allowed: ["replica", "at", "ops"])
        let name = try replica(members["replica"], "\"replica\"", in: replicas)
        var wall: UInt64?
        if let at = members["at"] {
            guard case .string(let text) = at, let milliseconds = FixtureClock.milliseconds(iso8601: text) else {
                throw FixtureError.malformed("\"at\" must be an ISO 8601 UTC time such as 2026-03-01T08:00:00Z")
            }
            wall = milliseconds
        }
        guard case .array(let opValues)? = members["ops"], !opValues.isEmpty else {
            throw FixtureError.malformed("\"ops\" must be a non-empty array")
        }
        return .change(replica: name, wallMilliseconds: wall, operations: try opValues.map(FixtureOperation.init))
    }
}

/// What is wrong with a fixture file.
public enum FixtureError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let problem): return problem
        }
    }
}

/// Parses the fixtures' `at` times.
enum FixtureClock {
    /// A replica's first step without `at` happens at 2026-01-01T00:00:00Z.
    static let defaultStart: UInt64 = 1_767_225_600_000

    static func milliseconds(iso8601 text: String) -> UInt64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var date = formatter.date(from: text)
        if date == nil {
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            date = formatter.date(from: text)
        }
        guard let seconds = date?.timeIntervalSince1970, seconds >= 0 else { return nil }
        return UInt64((seconds * 1000).rounded())
    }
}
