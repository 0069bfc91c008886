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

    /// Runs kept in one array before the trie takes over.
    static let smallLimit = 32
    private static let leafBits = 4
    private static let branchBits = 5

    private var small: [Run] = []
    private var root: Node?
    /// Branch levels above the leaves.
    private var height = 0
    private(set) var count = 0

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    /// The bit where a branch `level` levels above the leaves picks its child.
    private static func shift(_ level: Int) -> Int { leafBits + branchBits * (level - 1) }

    /// Read in place (a run holds arrays: copying one out would retain and release each).
    subscript(index: Int) -> Run {
        _read {
            if let root {
                var node = root
                var level = height
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

    mutating func append(_ run: Run) {
        if root == nil {
            if small.count < Self.smallLimit {
                small.append(run)
                count += 1
                return
            }
            let runs = small
            small = []
            root = Node()
            count = 0
            for run in runs { appendToTrie(run) }
        }
        appendToTrie(run)
    }

    private mutating func appendToTrie(_ run: Run) {
        if count == 1 << (Self.leafBits + Self.branchBits * height) {
            root = Node(children: [root!])
            height += 1
        }
        if !isKnownUniquelyReferenced(&root) { root = root!.copy() }
        Self.append(run, at: count, to: root!, level: height)
        count += 1
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

    mutating func modify(_ index: Int, _ change: (inout Run) -> Void) {
        guard root != nil else { return change(&small[index]) }
        if !isKnownUniquelyReferenced(&root) { root = root!.copy() }
        Self.modify(index, in: root!, level: height, change)
    }

    private static func modify(_ index: Int, in node: Node, level: Int, _ change: (inout Run) -> Void) {
        guard level > 0 else { return change(&node.runs[index & (1 << leafBits - 1)]) }
        let child = (index >> shift(level)) & (1 << branchBits - 1)
        if !isKnownUniquelyReferenced(&node.children[child]) { node.children[child] = node.children[child].copy() }
        modify(index, in: node.children[child], level: level - 1, change)
    }
}
