/// Compares replicas' outcomes with a fixture's expectations (Protocol/FIXTURES.md,
/// "Expectations"), reporting each document and field that differs.
enum FixtureComparison {
    /// Object levels above the compared values: a state is documents → document → fields;
    /// conflicts are documents → fields, whose arrays of losing values compare as multisets.
    private static let stateLevels = 3
    private static let conflictLevels = 2

    /// Every difference between `views` (one per replica of `fixture`) and the expectations.
    static func differences(_ fixture: Fixture, _ views: [String: ReplicaView]) -> [FixtureDifference] {
        var found: [FixtureDifference] = []
        if let converged = fixture.converged, let first = fixture.replicas.first, let base = views[first] {
            var apart: [FixtureDifference] = []
            for name in fixture.replicas.dropFirst() {
                guard let view = views[name] else { continue }
                apart += diff(base.state, view.state, [], levels: stateLevels, multiset: false).map {
                    FixtureDifference(replica: name, part: .state, path: $0.path, expected: $0.expected, actual: $0.actual, versus: first)
                }
                apart += diff(base.conflicts, view.conflicts, [], levels: conflictLevels, multiset: true).map {
                    FixtureDifference(replica: name, part: .conflicts, path: $0.path, expected: $0.expected, actual: $0.actual, versus: first)
                }
            }
            if converged {
                found += apart
            } else if apart.isEmpty {
                found.append(FixtureDifference(replica: nil, part: .converged, path: [], expected: .bool(false), actual: .bool(true)))
            }
        }
        for name in fixture.replicas {
            guard let view = views[name] else { continue }
            let own = fixture.perReplica[name]
            if let expected = own?.state ?? fixture.expected.state {
                found += diff(expected, view.state, [], levels: stateLevels, multiset: false).map {
                    FixtureDifference(replica: name, part: .state, path: $0.path, expected: $0.expected, actual: $0.actual)
                }
            }
            if let expected = own?.conflicts ?? fixture.expected.conflicts {
                found += diff(expected, view.conflicts, [], levels: conflictLevels, multiset: true).map {
                    FixtureDifference(replica: name, part: .conflicts, path: $0.path, expected: $0.expected, actual: $0.actual)
                }
            }
        }
        return found
    }

    /// The places where `actual` does not match `expected`: objects are compared key by key
    /// for `levels` levels, below which (or at a `one_of`) a value is compared whole. In
    /// conflicts (`multiset`), a document missing on one side is still listed field by field,
    /// since there a document only groups its fields; in a state it is one difference.
    private static func diff(
        _ expected: JSONValue?, _ actual: JSONValue?, _ path: [String], levels: Int, multiset: Bool
    ) -> [(path: [String], expected: JSONValue?, actual: JSONValue?)] {
        let e = levels > 0 ? plainObject(expected) : nil
        let a = levels > 0 ? plainObject(actual) : nil
        let oneSided = multiset && !path.isEmpty && ((e != nil && actual == nil) || (a != nil && expected == nil))
        if (e != nil && a != nil) || oneSided {
            return Set((e ?? [:]).keys).union((a ?? [:]).keys).sorted().flatMap { key in
                diff(e?[key], a?[key], path + [key], levels: levels - 1, multiset: multiset)
            }
        }
        guard let expected, let actual else {
            return expected == nil && actual == nil ? [] : [(path, expected, actual)]
        }
        return matches(expected, actual, multisetDepth: multiset ? levels : nil) ? [] : [(path, expected, actual)]
    }

    /// The members of an object that is not `{"one_of": [...]}`.
    private static func plainObject(_ value: JSONValue?) -> [String: JSONValue]? {
        guard let value, case .object(let members) = value, !isOneOf(value) else { return nil }
        return members
    }

    private static func isOneOf(_ value: JSONValue) -> Bool {
        if case .object(let members) = value, members.count == 1, case .array? = members["one_of"] { return true }
        return false
    }

    /// Whether `actual` matches `expected`, where any expected value may be `{"one_of": [...]}`.
    /// Arrays `multisetDepth` object levels down compare as multisets; others in order.
    static func matches(_ expected: JSONValue, _ actual: JSONValue, multisetDepth: Int? = nil) -> Bool {
        if case .object(let members) = expected, members.count == 1, case .array(let options)? = members["one_of"] {
            return options.contains { matches($0, actual, multisetDepth: multisetDepth) }
        }
        switch (expected, actual) {
        case (.array(let e), .array(let a)):
            if multisetDepth == 0 { return multisetMatches(e, a) }
            return e.count == a.count && zip(e, a).allSatisfy { matches($0, $1) }
        case (.object(let e), .object(let a)):
            let below = multisetDepth.map { $0 - 1 }
            return e.count == a.count && e.allSatisfy { key, value in a[key].map { matches(value, $0, multisetDepth: below) } ?? false }
        default:
            return expected.equals(actual)
        }
    }

    /// Whether the elements of `actual` can be paired one to one with matching elements of
    /// `expected`. Without `one_of` this is comparing sorted canonical forms; with it, a
    /// bipartite matching (augmenting paths found breadth first, so no recursion).
    private static func multisetMatches(_ expected: [JSONValue], _ actual: [JSONValue]) -> Bool {
        guard expected.count == actual.count else { return false }
        if !expected.contains(where: containsOneOf) {
            let order: ([UInt8], [UInt8]) -> Bool = { $0.lexicographicallyPrecedes($1) }
            return expected.map(canonical).sorted(by: order) == actual.map(canonical).sorted(by: order)
        }
        let edges = expected.map { value in actual.indices.filter { matches(value, actual[$0]) } }
        var owner = [Int?](repeating: nil, count: actual.count)
        var partner = [Int?](repeating: nil, count: expected.count)
        for start in expected.indices {
            var cameFrom = [Int?](repeating: nil, count: actual.count)
            var queue = [start]
            var head = 0
            var free: Int?
            search: while head < queue.count {
                let node = queue[head]
                head += 1
                for slot in edges[node] where cameFrom[slot] == nil {
                    cameFrom[slot] = node
                    guard let holder = owner[slot] else {
                        free = slot
                        break search
                    }
                    queue.append(holder)
                }
            }
            guard var slot = free else { return false }
            while let node = cameFrom[slot] {
                let previous = partner[node]
                owner[slot] = node
                partner[node] = slot
                guard node != start, let next = previous else { break }
                slot = next
            }
        }
        return true
    }

    private static func containsOneOf(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let members): return members["one_of"] != nil || members.values.contains(where: containsOneOf)
        case .array(let values): return values.contains(where: containsOneOf)
        default: return false
        }
    }

    /// Bytes that are equal exactly when two values are equal as fixtures compare them:
    /// integral decimals written as integers, strings kept scalar for scalar.
    private static func canonical(_ value: JSONValue) -> [UInt8] {
        Array(normalized(value).description.utf8)
    }

    private static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let number): return Int64(exactly: number).map(JSONValue.int) ?? value
        case .array(let values): return .array(values.map(normalized))
        case .object(let members): return .object(members.mapValues(normalized))
        default: return value
        }
    }
}
