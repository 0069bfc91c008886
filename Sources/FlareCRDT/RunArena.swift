/// The runs of a text, by the index each was given when added.
///
/// A short text keeps its runs in one array. A longer one keeps them in a persistent trie
/// (leaves of 16 runs under branches of 32) whose nodes copies share: changing or adding one
/// run of a long text that a draft copied copies the nodes on one path, not every run.
struct RunArena: RandomAccessCollection, Sendable {
    typealias Run = TextSequence.Run

    final class Node: @unchecked Sendable {
        /// A leaf's runs (empty in a branch).
        var runs: [Run]
        /// A branch's children (empty in a leaf).
        var children: [Node]

        init(runs: [Run] = [], children: [Node] = []) {
            self.runs = runs
            self.children = children
        }

        func copy() -> Node { Node(runs: runs, children: children) }
    }

    struct Trie: Sendable {
        var root = Node()
        /// Branch levels above the leaves.
        var height = 0
        var count = 0
    }

    /// Runs kept in one array before the trie takes over.
    static let smallLimit = 32
    private static let leafBits = 4
    private static let branchBits = 5

    private var small: [Run] = []
    /// The trie, once there is one: an array of at most one, because an empty array costs
    /// nothing to copy, while a reference, optional or not, slows every copy of a document's
    /// fields.
    private var trie: [Trie] = []

    var count: Int { trie.isEmpty ? small.count : trie[0].count }
    var startIndex: Int { 0 }
    var endIndex: Int { count }

    /// The bit where a branch `level` levels above the leaves picks its child.
    private static func shift(_ level: Int) -> Int { leafBits + branchBits * (level - 1) }

    /// Yields the run rather than returning a copy, which would retain and release each of its
    /// arrays. (From the trie's leaves, which are class instances, the compiler still copies
    /// the run out: a tenth of a long text's replay time, to win back by issue 15.)
    subscript(index: Int) -> Run {
        @inline(__always) _read {
            if !trie.isEmpty {
                var node = trie[0].root
                var level = trie[0].height
                while level > 0 {
                    node = node.children[(index >> Self.shift(level)) & (1 << Self.branchBits - 1)]
                    level -= 1
                }
                yield node.runs[index & (1 << Self.leafBits - 1)]
            } else {
                yield small[index]
            }
        }
    }

    @inline(__always) mutating func append(_ run: Run) {
        if trie.isEmpty {
            if small.count < Self.smallLimit { return small.append(run) }
            trie = [Trie()]
            for run in small { Self.append(run, to: &trie[0]) }
            small = []
        }
        Self.append(run, to: &trie[0])
    }

    private static func append(_ run: Run, to trie: inout Trie) {
        if trie.count == 1 << (leafBits + branchBits * trie.height) {
            trie.root = Node(children: [trie.root])
            trie.height += 1
        }
        if !isKnownUniquelyReferenced(&trie.root) { trie.root = trie.root.copy() }
        append(run, at: trie.count, to: trie.root, level: trie.height)
        trie.count += 1
    }

    /// Adds `run` as run `index` (the next) under `node`, uniquely held, `level` levels above
    /// the leaves.
    private static func append(_ run: Run, at index: Int, to node: Node, level: Int) {
        guard level > 0 else { return node.runs.append(run) }
        let child = (index >> shift(level)) & (1 << branchBits - 1)
        if child == node.children.count {
            node.children.append(Node())
        } else if !isKnownUniquelyReferenced(&node.children[child]) {
            node.children[child] = node.children[child].copy()
        }
        append(run, at: index, to: node.children[child], level: level - 1)
    }

    @inline(__always) mutating func modify(_ index: Int, _ change: (inout Run) -> Void) {
        guard !trie.isEmpty else { return change(&small[index]) }
        if !isKnownUniquelyReferenced(&trie[0].root) { trie[0].root = trie[0].root.copy() }
        Self.modify(index, in: trie[0].root, level: trie[0].height, change)
    }

    private static func modify(_ index: Int, in node: Node, level: Int, _ change: (inout Run) -> Void) {
        guard level > 0 else { return change(&node.runs[index & (1 << leafBits - 1)]) }
        let child = (index >> shift(level)) & (1 << branchBits - 1)
        if !isKnownUniquelyReferenced(&node.children[child]) { node.children[child] = node.children[child].copy() }
        modify(index, in: node.children[child], level: level - 1, change)
    }
}
