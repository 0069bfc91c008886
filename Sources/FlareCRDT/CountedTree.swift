/// A sorted map from keys to values, each with a weight (a non-negative count), as a B+ tree
/// whose inner nodes keep every child's element count and weight sum: lookups by key, by
/// position, by cumulative weight, and the weight before a key all take O(log n).
///
/// A value type whose nodes are shared between copies: a change copies only the nodes on its
/// path that another copy still holds (path copying), so copying a long text to edit it as a
/// draft costs O(log n), not O(n). Up to `leafCapacity` elements live in one array in the value
/// itself, with no node at all, so the many short texts of a journal cost no more than an
/// array each. (Swift's standard library and swift-collections have no ordered map with
/// weights and path copying, hence this one.)
struct CountedTree<Key: Comparable & Sendable, Value: Sendable>: Sendable {
    /// Most elements in a leaf: copying one is a copy of plain values.
    static var leafCapacity: Int { 64 }
    /// Most children of an inner node, fewer than a leaf's elements because copying a node
    /// retains each child.
    static var branchCapacity: Int { 16 }

    struct Element: Sendable {
        var key: Key
        var value: Value
        var weight: Int
    }

    /// An inner node's view of one child: its first key, element count and weight sum.
    struct Entry: Sendable {
        var key: Key
        var count: Int
        var weight: Int
    }

    final class Node: @unchecked Sendable {
        /// A leaf's elements (empty in an inner node).
        var elements: [Element]
        /// An inner node's children and what it knows of each (empty in a leaf).
        var entries: [Entry]
        var children: [Node]

        var isLeaf: Bool { children.isEmpty }
        var isEmpty: Bool { elements.isEmpty && children.isEmpty }

        init(elements: [Element] = [], entries: [Entry] = [], children: [Node] = []) {
            self.elements = elements
            self.entries = entries
            self.children = children
        }

        func copy() -> Node { Node(elements: elements, entries: entries, children: children) }

        var count: Int { isLeaf ? elements.count : entries.reduce(0) { $0 + $1.count } }
        var weight: Int { isLeaf ? elements.reduce(0) { $0 + $1.weight } : entries.reduce(0) { $0 + $1.weight } }
        var firstKey: Key { isLeaf ? elements[0].key : entries[0].key }
        var entry: Entry { Entry(key: firstKey, count: count, weight: weight) }

        /// The child that holds `key`: the last whose first key is at most it, or the first.
        func child(for key: Key) -> Int {
            var low = 0
            var high = entries.count
            while low < high {
                let mid = (low + high) / 2
                if entries[mid].key <= key { low = mid + 1 } else { high = mid }
            }
            return max(0, low - 1)
        }
    }

    /// The elements while there are at most `leafCapacity` (no node); empty once `root` is set.
    private var small: [Element] = []
    private var root: Node?

    init() {}

    /// The position of the first element with a key not below `key`.
    private static func position(of key: Key, in elements: [Element]) -> Int {
        var low = 0
        var high = elements.count
        while low < high {
            let mid = (low + high) / 2
            if elements[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Elements.
    var count: Int { root?.count ?? small.count }
    /// The sum of every weight.
    var totalWeight: Int { root?.weight ?? small.reduce(0) { $0 + $1.weight } }

    // MARK: Reading

    /// The leaf that would hold `key`, and the path of (inner node, child) down to it.
    private func descend(to key: Key) -> (leaf: [Element], path: [(Node, Int)]) {
        guard var node = root else { return (small, []) }
        var path: [(Node, Int)] = []
        while !node.isLeaf {
            let child = node.child(for: key)
            path.append((node, child))
            node = node.children[child]
        }
        return (node.elements, path)
    }

    private static func first(of node: Node) -> Element {
        var node = node
        while !node.isLeaf { node = node.children[0] }
        return node.elements[0]
    }

    private static func last(of node: Node) -> Element {
        var node = node
        while !node.isLeaf { node = node.children[node.children.count - 1] }
        return node.elements[node.elements.count - 1]
    }

    /// The nearest element before the leaf at the end of `path`, if any.
    private static func before(_ path: [(Node, Int)]) -> Element? {
        for (parent, child) in path.reversed() where child > 0 { return last(of: parent.children[child - 1]) }
        return nil
    }

    /// The nearest element after the leaf at the end of `path`, if any.
    private static func after(_ path: [(Node, Int)]) -> Element? {
        for (parent, child) in path.reversed() where child + 1 < parent.children.count { return first(of: parent.children[child + 1]) }
        return nil
    }

    /// The value under `key`.
    func value(at key: Key) -> Value? {
        let leaf = descend(to: key).leaf
        let index = Self.position(of: key, in: leaf)
        return index < leaf.count && leaf[index].key == key ? leaf[index].value : nil
    }

    /// The element with the greatest key at most `key`.
    func floor(_ key: Key) -> (key: Key, value: Value)? {
        let (leaf, path) = descend(to: key)
        var index = Self.position(of: key, in: leaf)
        if index < leaf.count, leaf[index].key == key { return (key, leaf[index].value) }
        index -= 1
        let found = index >= 0 ? leaf[index] : Self.before(path)
        return found.map { ($0.key, $0.value) }
    }

    /// The element with the least key greater than `key`.
    func ceiling(after key: Key) -> (key: Key, value: Value)? {
        let (leaf, path) = descend(to: key)
        var index = Self.position(of: key, in: leaf)
        if index < leaf.count, leaf[index].key == key { index += 1 }
        let found = index < leaf.count ? leaf[index] : Self.after(path)
        return found.map { ($0.key, $0.value) }
    }

    /// The element with the greatest key less than `key`.
    func predecessor(of key: Key) -> (key: Key, value: Value)? {
        let (leaf, path) = descend(to: key)
        let index = Self.position(of: key, in: leaf) - 1
        let found = index >= 0 ? leaf[index] : Self.before(path)
        return found.map { ($0.key, $0.value) }
    }

    /// The element whose weight covers position `position` (0-based, counting every weight in
    /// key order), and the position's offset within that element's weight. Nil past the end.
    func element(atWeight position: Int) -> (key: Key, value: Value, offset: Int)? {
        guard let (leaf, start) = leaf(at: position, byWeight: true) else { return nil }
        var remaining = start
        for element in leaf {
            if remaining < element.weight { return (element.key, element.value, remaining) }
            remaining -= element.weight
        }
        return nil
    }

    /// The leaf holding position `position`, counting weights (`byWeight`) or elements, and
    /// what is left of the position at the leaf's start. Nil past the end.
    private func leaf(at position: Int, byWeight: Bool) -> (leaf: [Element], remaining: Int)? {
        guard position >= 0 else { return nil }
        guard var node = root else { return (small, position) }
        var remaining = position
        while !node.isLeaf {
            var child = 0
            while child < node.children.count {
                let size = byWeight ? node.entries[child].weight : node.entries[child].count
                guard remaining >= size else { break }
                remaining -= size
                child += 1
            }
            guard child < node.children.count else { return nil }
            node = node.children[child]
        }
        return (node.elements, remaining)
    }

    /// The number of elements with a key less than `key`.
    func index(of key: Key) -> Int {
        guard var node = root else { return Self.position(of: key, in: small) }
        var total = 0
        while !node.isLeaf {
            let child = node.child(for: key)
            total += node.entries[..<child].reduce(0) { $0 + $1.count }
            node = node.children[child]
        }
        return total + Self.position(of: key, in: node.elements)
    }

    /// The element at position `index` (0-based) in key order.
    func element(atIndex index: Int) -> (key: Key, value: Value)? {
        guard let (leaf, remaining) = leaf(at: index, byWeight: false), remaining < leaf.count else { return nil }
        return (leaf[remaining].key, leaf[remaining].value)
    }

    /// The sum of the weights of every element before `key`.
    func weight(before key: Key) -> Int {
        var total = 0
        var leaf = small
        if var node = root {
            while !node.isLeaf {
                let child = node.child(for: key)
                total += node.entries[..<child].reduce(0) { $0 + $1.weight }
                node = node.children[child]
            }
            leaf = node.elements
        }
        return total + leaf[..<Self.position(of: key, in: leaf)].reduce(0) { $0 + $1.weight }
    }

    /// Calls `body` with each element in key order from the first with a key at least `start`
    /// (from the first of all when nil), until it returns false.
    func forEach(from start: Key? = nil, _ body: (Key, Value, Int) -> Bool) {
        guard let root else {
            _ = Self.visit(small, from: start, body)
            return
        }
        _ = Self.visit(root, from: start, body)
    }

    private static func visit(_ leaf: [Element], from start: Key?, _ body: (Key, Value, Int) -> Bool) -> Bool {
        for element in leaf[(start.map { position(of: $0, in: leaf) } ?? 0)...] where !body(element.key, element.value, element.weight) {
            return false
        }
        return true
    }

    private static func visit(_ node: Node, from start: Key?, _ body: (Key, Value, Int) -> Bool) -> Bool {
        if node.isLeaf { return visit(node.elements, from: start, body) }
        let first = start.map { node.child(for: $0) } ?? 0
        for child in first..<node.children.count {
            guard visit(node.children[child], from: child == first ? start : nil, body) else { return false }
        }
        return true
    }

    // MARK: Writing

    /// Inserts `value` under `key` (not present yet) with `weight`.
    mutating func insert(_ key: Key, _ value: Value, weight: Int) {
        let element = Element(key: key, value: value, weight: weight)
        guard root != nil else {
            small.insert(element, at: Self.position(of: key, in: small))
            if small.count > Self.leafCapacity {
                let leaf = Node(elements: small)
                small = []
                let sibling = Self.split(leaf)
                root = Node(entries: [leaf.entry, sibling.entry], children: [leaf, sibling])
            }
            return
        }
        if !isKnownUniquelyReferenced(&root) { root = root!.copy() }
        let node = root!
        if let sibling = Self.insert(element, into: node) {
            root = Node(entries: [node.entry, sibling.entry], children: [node, sibling])
        }
    }

    /// Inserts into the subtree at `node` (uniquely held); returns a new right sibling when the
    /// node splits.
    private static func insert(_ element: Element, into node: Node) -> Node? {
        if node.isLeaf {
            node.elements.insert(element, at: position(of: element.key, in: node.elements))
            return node.elements.count > leafCapacity ? split(node) : nil
        }
        let index = node.child(for: element.key)
        if !isKnownUniquelyReferenced(&node.children[index]) { node.children[index] = node.children[index].copy() }
        let child = node.children[index]
        if let sibling = insert(element, into: child) {
            node.entries[index] = child.entry
            node.entries.insert(sibling.entry, at: index + 1)
            node.children.insert(sibling, at: index + 1)
        } else {
            node.entries[index].key = child.firstKey
            node.entries[index].count += 1
            node.entries[index].weight += element.weight
        }
        return node.children.count > branchCapacity ? split(node) : nil
    }

    /// Moves the upper half of `node` into a new node and returns it.
    private static func split(_ node: Node) -> Node {
        if node.isLeaf {
            let half = node.elements.count / 2
            let right = Node(elements: Array(node.elements[half...]))
            node.elements.removeSubrange(half...)
            return right
        }
        let half = node.children.count / 2
        let right = Node(entries: Array(node.entries[half...]), children: Array(node.children[half...]))
        node.entries.removeSubrange(half...)
        node.children.removeSubrange(half...)
        return right
    }

    /// Gives the elements at positions `start ..< start + keys.count` the keys `keys`, which
    /// keep the order among themselves and with the elements around them.
    mutating func replaceKeys(from start: Int, with keys: [Key]) {
        guard root != nil else {
            for (offset, key) in keys.enumerated() { small[start + offset].key = key }
            return
        }
        if !isKnownUniquelyReferenced(&root) { root = root!.copy() }
        var next = 0
        Self.replaceKeys(in: root!, skipping: start, with: keys, next: &next)
    }

    private static func replaceKeys(in node: Node, skipping start: Int, with keys: [Key], next: inout Int) {
        if node.isLeaf {
            var index = start
            while index < node.elements.count, next < keys.count {
                node.elements[index].key = keys[next]
                next += 1
                index += 1
            }
            return
        }
        var skip = start
        for child in node.children.indices where next < keys.count {
            if skip >= node.entries[child].count {
                skip -= node.entries[child].count
                continue
            }
            if !isKnownUniquelyReferenced(&node.children[child]) { node.children[child] = node.children[child].copy() }
            replaceKeys(in: node.children[child], skipping: skip, with: keys, next: &next)
            node.entries[child].key = node.children[child].firstKey
            skip = 0
        }
    }

    /// Removes the element under `key` (present). Nodes left empty go; others may stay less
    /// than half full, which costs nothing in correctness.
    mutating func remove(_ key: Key) {
        guard root != nil else {
            let index = Self.position(of: key, in: small)
            precondition(index < small.count && small[index].key == key, "removing a key that is not in the tree")
            small.remove(at: index)
            return
        }
        if !isKnownUniquelyReferenced(&root) { root = root!.copy() }
        Self.remove(key, from: root!)
        if root!.isEmpty { root = nil }
    }

    /// Removes `key` from the subtree at `node` (uniquely held); returns the removed weight.
    @discardableResult
    private static func remove(_ key: Key, from node: Node) -> Int {
        if node.isLeaf {
            let index = position(of: key, in: node.elements)
            precondition(index < node.elements.count && node.elements[index].key == key, "removing a key that is not in the tree")
            return node.elements.remove(at: index).weight
        }
        let index = node.child(for: key)
        if !isKnownUniquelyReferenced(&node.children[index]) { node.children[index] = node.children[index].copy() }
        let child = node.children[index]
        let weight = remove(key, from: child)
        if child.isEmpty {
            node.entries.remove(at: index)
            node.children.remove(at: index)
        } else {
            node.entries[index].key = child.firstKey
            node.entries[index].count -= 1
            node.entries[index].weight -= weight
        }
        return weight
    }

    /// Changes the value and weight of the element under `key` (present).
    mutating func update(_ key: Key, _ change: (inout Value, inout Int) -> Void) {
        guard root != nil else {
            let index = Self.position(of: key, in: small)
            precondition(index < small.count && small[index].key == key, "updating a key that is not in the tree")
            var (value, weight) = (small[index].value, small[index].weight)
            change(&value, &weight)
            small[index].value = value
            small[index].weight = weight
            precondition(small[index].weight >= 0, "a weight below 0")
            return
        }
        if !isKnownUniquelyReferenced(&root) { root = root!.copy() }
        Self.update(key, in: root!, change)
    }

    @discardableResult
    private static func update(_ key: Key, in node: Node, _ change: (inout Value, inout Int) -> Void) -> Int {
        if node.isLeaf {
            let index = position(of: key, in: node.elements)
            precondition(index < node.elements.count && node.elements[index].key == key, "updating a key that is not in the tree")
            let before = node.elements[index].weight
            var (value, weight) = (node.elements[index].value, before)
            change(&value, &weight)
            node.elements[index].value = value
            node.elements[index].weight = weight
            precondition(node.elements[index].weight >= 0, "a weight below 0")
            return node.elements[index].weight - before
        }
        let index = node.child(for: key)
        if !isKnownUniquelyReferenced(&node.children[index]) { node.children[index] = node.children[index].copy() }
        let delta = update(key, in: node.children[index], change)
        node.entries[index].weight += delta
        return delta
    }
}
