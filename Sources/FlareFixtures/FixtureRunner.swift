import FlareCRDT
import Foundation

/// The outcome of running one fixture.
public struct FixtureResult: Sendable, Equatable {
    public let name: String
    /// Nil when the fixture passed; otherwise what differed.
    public let failure: String?

    public var passed: Bool { failure == nil }

    /// `PASS name` or `FAIL name: what differed`.
    public var line: String { failure.map { "FAIL \(name): \($0)" } ?? "PASS \(name)" }
}

/// Runs fixtures against real replicas.
public enum FixtureRunner {
    /// A fixture replica's id: its name's UTF-8 bytes, zero-padded to 16, so ids sort as names do.
    public static func replicaID(named name: String) -> ReplicaID? {
        let bytes = Array(name.utf8)
        guard (1...16).contains(bytes.count) else { return nil }
        return ReplicaID(bytes: bytes + Array(repeating: 0, count: 16 - bytes.count))
    }

    /// Runs the script and checks the expectations. A step the engine refuses (for example an
    /// edit of a missing document) throws `FixtureError.malformed`.
    public static func run(_ fixture: Fixture) throws -> FixtureResult {
        var replicas: [String: Replica] = [:]
        var lastWall: [String: UInt64] = [:]
        for name in fixture.replicas { replicas[name] = Replica(id: replicaID(named: name)!) }

        for (index, step) in fixture.steps.enumerated() {
            let label = "step \(index + 1)"
            switch step {
            case .change(let name, let wall, let operations):
                let at = wall ?? lastWall[name].map { $0 + 1000 } ?? FixtureClock.defaultStart
                lastWall[name] = at
                do {
                    try replicas[name]!.makeChange(wallMilliseconds: at) { builder in
                        for operation in operations { try operation.record(in: &builder) }
                    }
                } catch let error as EditError {
                    throw FixtureError.malformed("\(label) (\(name)): \(error)")
                }
            case .sync(let a, let b):
                let fromA = replicas[a]!.changes(notIn: replicas[b]!.versionVector)
                let fromB = replicas[b]!.changes(notIn: replicas[a]!.versionVector)
                if let failure = deliver(fromA, to: b, in: &replicas) { return result(fixture, "\(label): \(failure)") }
                if let failure = deliver(fromB, to: a, in: &replicas) { return result(fixture, "\(label): \(failure)") }
            case .deliver(let from, let to, let seqs):
                let sender = replicas[from]!
                var changes: [Change] = []
                for seq in seqs {
                    guard let change = sender.change(ChangeID(replica: sender.id, seq: seq)) else {
                        throw FixtureError.malformed("\(label): \(from) has made no change \(seq)")
                    }
                    changes.append(change)
                }
                if let failure = deliver(changes, to: to, in: &replicas) { return result(fixture, "\(label): \(failure)") }
            }
        }
        return result(fixture, check(fixture, replicas))
    }

    private static func deliver(_ changes: [Change], to name: String, in replicas: inout [String: Replica]) -> String? {
        for change in changes {
            do { try replicas[name]!.receive(change) } catch {
                return "\(name) refused change \(change.id): \(error)"
            }
        }
        return nil
    }

    private static func result(_ fixture: Fixture, _ failure: String?) -> FixtureResult {
        FixtureResult(name: fixture.name, failure: failure)
    }

    private static func check(_ fixture: Fixture, _ replicas: [String: Replica]) -> String? {
        var failures: [String] = []
        let states = replicas.mapValues { ReplicaView(replica: $0) }
        if let converged = fixture.converged {
            let first = states[fixture.replicas[0]]!
            let same = fixture.replicas.allSatisfy { states[$0]! == first }
            if same != converged {
                failures.append(converged
                    ? "replicas did not converge: " + fixture.replicas.map { "\($0) has \(states[$0]!.state)" }.joined(separator: "; ")
                    : "replicas converged but were expected not to")
            }
        }
        for name in fixture.replicas {
            let view = states[name]!
            let own = fixture.perReplica[name]
            if let expected = own?.state ?? fixture.expected.state, !matches(expected, view.state) {
                failures.append("\(name) state is \(view.state), expected \(expected)")
            }
            if let expected = own?.conflicts ?? fixture.expected.conflicts, !matchesConflicts(expected, view.conflicts) {
                failures.append("\(name) conflicts are \(view.conflicts), expected \(expected)")
            }
        }
        return failures.isEmpty ? nil : failures.joined(separator: "; ")
    }

    /// Whether `actual` matches `expected`, where any expected value may be `{"one_of": [...]}`.
    static func matches(_ expected: JSONValue, _ actual: JSONValue) -> Bool {
        if case .object(let members) = expected, members.count == 1, case .array(let options)? = members["one_of"] {
            return options.contains { matches($0, actual) }
        }
        switch (expected, actual) {
        case (.array(let e), .array(let a)):
            return e.count == a.count && zip(e, a).allSatisfy { matches($0, $1) }
        case (.object(let e), .object(let a)):
            return e.count == a.count && e.allSatisfy { key, value in a[key].map { matches(value, $0) } ?? false }
        default:
            return expected.equals(actual)
        }
    }

    /// Like `matches`, but each field's list of losing values compares as a multiset.
    static func matchesConflicts(_ expected: JSONValue, _ actual: JSONValue) -> Bool {
        guard case .object(let expectedDocuments) = expected, case .object(let actualDocuments) = actual,
              Set(expectedDocuments.keys) == Set(actualDocuments.keys) else { return false }
        for (document, expectedFields) in expectedDocuments {
            guard case .object(let e) = expectedFields, case .object(let a) = actualDocuments[document]!,
                  Set(e.keys) == Set(a.keys) else { return false }
            for (field, expectedValues) in e {
                guard case .array(let wanted) = expectedValues, case .array(let got) = a[field]!,
                      multisetMatches(wanted, got) else { return false }
            }
        }
        return true
    }

    private static func multisetMatches(_ expected: [JSONValue], _ actual: [JSONValue]) -> Bool {
        guard expected.count == actual.count else { return false }
        guard let first = expected.first else { return true }
        for (index, candidate) in actual.enumerated() where matches(first, candidate) {
            var rest = actual
            rest.remove(at: index)
            if multisetMatches(Array(expected.dropFirst()), rest) { return true }
        }
        return false
    }
}
