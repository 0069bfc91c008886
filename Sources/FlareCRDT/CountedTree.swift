/// A sorted map from keys to values, each with a weight (a non-negative count), as a B+ tree
/// whose inner nodes keep every child's element count and weight sum: lookups by key, by
/// cumulative weight, and the weight before a key all take O(log n).
///
/// A value type whose nodes are shared between copies: a change copies only the nodes on its
/// path that another copy still holds (path copying), so copying a text to edit it as a draft
/// costs O(log n), not O(n). (Swift's standard library and swift-collections have no ordered
/// map with weights and path copying, hence this one.)
struct CountedTree<Key: Comparable & Sendable, Value: Sendable>: Sendable {
    /// Most elements in a leaf, and most children of an inner node.
    static var fanout: Int { 64 }

    final class Node: @unchecked Sendable {
        // Leaves: the elements. Inner nodes: per child, its first key, element count and weight.
        var keys: [Key]
        var values: [Value]
        var weights: [Int]
        var counts: [Int]
        var children: [Node]

        var isLeaf: Bool { children.isEmpty }

        init(keys: [Key] = [], values: [Value] = [], weights: [Int] = [], counts: [Int] = [], children: [Node] = []) {
            self.keys = keys
            self.values = values
            self.weights = weights
            self.counts = counts
            self.children = children
        }

        func copy() -> Node { Node(keys: keys, values: values, weights: weights, counts: counts, children: children) }

        var count: Int { isLeaf ? keys.count : counts.reduce(0, +) }
        var weight: Int { weights.reduce(0, +) }

        /// Leaves: the index of the first key not below `key`. Inner nodes: the child that
        /// holds `key` (the last whose first key is at most it, or the first).
        func index(of key: Key) -> Int {
            var low = 0
            var high = keys.count
            while low < high {
                let mid = (low + high) / 2
                if keys[mid] < key { low = mid + 1 } else { high = mid }
            }
            if isLeaf { return low }
            if low < keys.count, keys[low] == key { return low }
            return max(0, low - 1)
        }
    }

    private var root = Node()

    init() {}

    /// Elements.
    var count: Int { root.count }
    /// The sum of every weight.
    var totalWeight: Int { root.weight }

    // MARK: Reading

    /// The value under `key`.
    func value(at key: Key) -> Value? {
        var node = root
        while !node.isLeaf { node = node.children[node.index(of: key)] }
        let index = node.index(of: key)
        return index < node.keys.count && node.keys[index] == key ? node.values[index] : nil
    }

    /// The element with the greatest key at most `key`.
    func floor(_ key: Key) -> (key: Key, value: Value)? {
        var best: (key: Key, value: Value)?
        var node = root
        // Descend toward `key`; a leaf position before it names the floor, else the last
        // element of the nearest subtree to the left (kept as `best` on the way down).
        var path: [(Node, Int)] = []
        while !node.isLeaf {
            let index = node.index(of: key)
            path.append((node, index))
            node = node.children[index]
        }
        var index = node.index(of: key)
        if index < node.keys.count, node.keys[index] == key { return (node.keys[index], node.values[index]) }
        index -= 1
        if index >= 0 { return (node.keys[index], node.values[index]) }
        for (parent, childIndex) in path.reversed() where childIndex > 0 {
            best = Self.last(of: parent.children[childIndex - 1])
            break
        }
        return best
    }

    /// The element with the least key greater than `key`.
    func ceiling(after key: Key) -> (key: Key, value: Value)? {
        var node = root
        var path: [(Node, Int)] = []
        while !node.isLeaf {
            let index = node.index(of: key)
            path.append((node, index))
            node = node.children[index]
        }
        var index = node.index(of: key)
        if index < node.keys.count, node.keys[index] == key { index += 1 }
        if index < node.keys.count { return (node.keys[index], node.values[index]) }
        for (parent, childIndex) in path.reversed() where childIndex + 1 < parent.children.count {
            return Self.first(of: parent.children[childIndex + 1])
        }
        return nil
    }

    /// The element with the greatest key less than `key`.
    func predecessor(of key: Key) -> (key: Key, value: Value)? {
        var node = root
        var path: [(Node, Int)] = []
        while !node.isLeaf {
            let index = node.index(of: key)
            path.append((node, index))
            node = node.children[index]
        }
        let index = node.index(of: key) - 1
        if index >= 0 { return (node.keys[index], node.values[index]) }
        for (parent, childIndex) in path.reversed() where childIndex > 0 {
            return Self.last(of: parent.children[childIndex - 1])
        }
        return nil
    }

    private static func first(of node: Node) -> (key: Key, value: Value)? {
        var node = node
        while !node.isLeaf { node = node.children[0] }
        return node.keys.isEmpty ? nil : (node.keys[0], node.values[0])
    }

    private static func last(of node: Node) -> (key: Key, value: Value)? {
        var node = node
        while !node.isLeaf { node = node.children[node.children.count - 1] }
        return node.keys.isEmpty ? nil : (node.keys[node.keys.count - 1], node.values[node.values.count - 1])
    }

    /// The element whose weight covers position `position` (0-based, counting every weight in
    /// key order), and the position's offset within that element's weight. Nil past the end.
    func element(atWeight position: Int) -> (key: Key, value: Value, offset: Int)? {
        guard position >= 0 else { return nil }
        var remaining = position
        var node = root
        while !node.isLeaf {
            var child = 0
            while child < node.children.count, remaining >= node.weights[child] {
                remaining -= node.weights[child]
                child += 1
            }
            guard child < node.children.count else { return nil }
            node = node.children[child]
        }
        for index in node.keys.indices {
            if remaining < node.weights[index] { return (node.keys[index], node.values[index], remaining) }
            remaining -= node.weights[index]
        }
        return nil
    }

    /// The number of elements with a key less than `key`.
    func index(of key: Key) -> Int {
        var total = 0
        var node = root
        while !node.isLeaf {
            let index = node.index(of: key)
            total += node.counts[..<index].reduce(0, +)
            node = node.children[index]
        }
        return total + node.index(of: key)
    }

    /// The element at position `index` (0-based) in key order.
    func element(atIndex index: Int) -> (key: Key, value: Value)? {
        guard index >= 0 else { return nil }
        var remaining = index
        var node = root
        while !node.isLeaf {
            var child = 0
            while child < node.children.count, remaining >= node.counts[child] {
                remaining -= node.counts[child]
                child += 1
            }
            guard child < node.children.count else { return nil }
            node = node.children[child]
        }
        return remaining < node.keys.count ? (node.keys[remaining], node.values[remaining]) : nil
    }

    /// The sum of the weights of every element before `key`.
    func weight(before key: Key) -> Int {
        var total = 0
        var node = root
        while !node.isLeaf {
            let index = node.index(of: key)
            total += node.weights[..<index].reduce(0, +)
            node = node.children[index]
        }
        return total + node.weights[..<node.index(of: key)].reduce(0, +)
    }

    /// Calls `body` with each element in key order from the first with a key at least `start`
    /// (from the first of all when nil), until it returns false.
    func forEach(from start: Key? = nil, _ body: (Key, Value, Int) -> Bool) {
        _ = Self.visit(root, from: start, body)
    }

    private static func visit(_ node: Node, from start: Key?, _ body: (Key, Value, Int) -> Bool) -> Bool {
        if node.isLeaf {
            let first = start.map { node.index(of: $0) } ?? 0
            for index in first..<node.keys.count where !body(node.keys[index], node.values[index], node.weights[index]) { return false }
            return true
        }
        let first = start.map { node.index(of: $0) } ?? 0
        for index in first..<node.children.count {
            guard visit(node.children[index], from: index == first ? start : nil, body) else { return false }
        }
        return true
    }

    // MARK: Writing

    /// Inserts `value` under `key` (not present yet) with `weight`.
    mutating func insert(_ key: Key, _ value: Value, weight: Int) {
        if !isKnownUniquelyReferenced(&root) { root = root.copy() }
        if let split = Self.insert(key, value, weight: weight, into: root) {
            let left = root
            root = Node(
                keys: [left.keys[0], split.keys[0]], values: [], weights: [left.weight, split.weight], counts: [left.count, split.count],
                children: [left, split])
        }
    }

    /// Inserts into the subtree at `node` (uniquely held); returns a new right sibling when the
    /// node splits.
    private static func insert(_ key: Key, _ value: Value, weight: Int, into node: Node) -> Node? {
        if node.isLeaf {
            let index = node.index(of: key)
            node.keys.insert(key, at: index)
            node.values.insert(value, at: index)
            node.weights.insert(weight, at: index)
            return node.keys.count > fanout ? split(node) : nil
        }
        let index = node.index(of: key)
        if !isKnownUniquelyReferenced(&node.children[index]) { node.children[index] = node.children[index].copy() }
        let child = node.children[index]
        let sibling = insert(key, value, weight: weight, into: child)
        node.keys[index] = child.keys[0]
        if let sibling {
            node.weights[index] = child.weight
            node.counts[index] = child.count
            node.keys.insert(sibling.keys[0], at: index + 1)
            node.weights.insert(sibling.weight, at: index + 1)
            node.counts.insert(sibling.count, at: index + 1)
            node.children.insert(sibling, at: index + 1)
        } else {
            node.weights[index] += weight
            node.counts[index] += 1
        }
        return node.children.count > fanout ? split(node) : nil
    }

    /// Moves the upper half of `node` into a new node and returns it.
    private static func split(_ node: Node) -> Node {
        let half = node.keys.count / 2
        let right = Node(
            keys: Array(node.keys[half...]), values: node.isLeaf ? Array(node.values[half...]) : [], weights: Array(node.weights[half...]),
            counts: node.isLeaf ? [] : Array(node.counts[half...]), children: node.isLeaf ? [] : Array(node.children[half...]))
        node.keys.removeSubrange(half...)
        node.weights.removeSubrange(half...)
        if node.isLeaf {
            node.values.removeSubrange(half...)
        } else {
            node.counts.removeSubrange(half...)
            node.children.removeSubrange(half...)
        }
        return right
    }

    /// Gives the elements at positions `start ..< start + keys.count` the keys `keys`, which
    /// keep the order among themselves and with the elements around them.
    mutating func replaceKeys(from start: Int, with keys: [Key]) {
        if !isKnownUniquelyReferenced(&root) { root = root.copy() }
        var next = 0
        Self.replaceKeys(in: root, skipping: start, with: keys, next: &next)
    }

    private static func replaceKeys(in node: Node, skipping start: Int, with keys: [Key], next: inout Int) {
        if node.isLeaf {
            var index = start
            while index < node.keys.count, next < keys.count {
                node.keys[index] = keys[next]
                next += 1
                index += 1
            }
            return
        }
        var skip = start
        for child in node.children.indices where next < keys.count {
            if skip >= node.counts[child] {
                skip -= node.counts[child]
                continue
            }
            if !isKnownUniquelyReferenced(&node.children[child]) { node.children[child] = node.children[child].copy() }
            replaceKeys(in: node.children[child], skipping: skip, with: keys, next: &next)
            node.keys[child] = node.children[child].keys[0]
            skip = 0
        }
    }

    /// Changes the value and weight of the element under `key` (present).
    mutating func update(_ key: Key, _ change: (inout Value, inout Int) -> Void) {
        if !isKnownUniquelyReferenced(&root) { root = root.copy() }
        Self.update(key, in: root, change)
    }

    @discardableResult
    private static func update(_ key: Key, in node: Node, _ change: (inout Value, inout Int) -> Void) -> Int {
        if node.isLeaf {
            let index = node.index(of: key)
            precondition(index < node.keys.count && node.keys[index] == key, "updating a key that is not in the tree")
            let before = node.weights[index]
            change(&node.values[index], &node.weights[index])
            precondition(node.weights[index] >= 0, "a weight below 0")
            return node.weights[index] - before
        }
        let index = node.index(of: key)
        if !isKnownUniquelyReferenced(&node.children[index]) { node.children[index] = node.children[index].copy() }
        let delta = update(key, in: node.children[index], change)
        node.weights[index] += delta
        return delta
    }
}
