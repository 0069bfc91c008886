/// A text field: the Fugue sequence CRDT (Weidner and Kleppmann, "The Art of the Fugue", 2023).
///
/// Characters form a tree: each hangs left or right of an earlier one, siblings order by id, and
/// the text is the in-order walk. Runs typed concurrently at one place become sibling subtrees,
/// so they never interleave character by character. Deleted characters stay as tombstones.
///
/// Characters inserted by one op are stored as one run (each the right child of the one before),
/// which keeps a 40-character note one node instead of 40. A run splits where another insert
/// hangs off its interior.
public struct TextSequence: Sendable {
    struct Run: Sendable {
        var first: ElementID
        var scalars: [Unicode.Scalar]
        /// Empty while nothing in the run is deleted; otherwise one flag per scalar.
        var deleted: [Bool]
        /// Runs hanging left of the first character, in id order.
        var leftChildren: [Int32]
        /// Runs hanging right of the last character, in id order.
        var rightChildren: [Int32]

        var count: Int { scalars.count }

        func isDeleted(_ offset: Int) -> Bool { !deleted.isEmpty && deleted[offset] }

        func id(at offset: Int) -> ElementID {
            ElementID(change: first.change, offset: first.offset + UInt32(offset))
        }
    }

    /// The arena; runs[0] is the virtual start, which holds no characters.
    private(set) var runs: [Run]
    /// Every run's index, sorted by its first character's id, for finding characters by id.
    /// (A sorted array, not a hash table: most texts are one or a few runs.)
    private var runsByID: [Int32]

    init() {
        let start = Run(
            first: ElementID(change: ChangeID(replica: ReplicaID(high: 0, low: 0), seq: 0), offset: 0),
            scalars: [], deleted: [], leftChildren: [], rightChildren: []
        )
        runs = [start]
        runsByID = []
    }

    /// The visible text.
    public var string: String {
        var view = String.UnicodeScalarView()
        for runIndex in order() {
            let run = runs[runIndex]
            for offset in 0..<run.count where !run.isDeleted(offset) {
                view.append(run.scalars[offset])
            }
        }
        return String(view)
    }

    /// The number of visible characters (Unicode scalars).
    public var count: Int {
        runs.reduce(0) { total, run in
            total + (run.deleted.isEmpty ? run.count : run.deleted.lazy.filter { !$0 }.count)
        }
    }

    /// Run indices in document order (in-order walk), without the virtual start.
    func order() -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(runs.count)
        var stack: [(run: Int32, expanded: Bool)] = [(0, false)]
        while let (run, expanded) = stack.popLast() {
            if expanded {
                if run != 0 { result.append(Int(run)) }
                continue
            }
            for child in runs[Int(run)].rightChildren.reversed() { stack.append((child, false)) }
            stack.append((run, true))
            for child in runs[Int(run)].leftChildren.reversed() { stack.append((child, false)) }
        }
        return result
    }

    /// Runs in pre-order (a run before its children; left children, then right), starting with
    /// the virtual start. Each entry names its parent's position in this list and its side.
    func preorder() -> [(run: Int, parent: Int, isLeft: Bool)] {
        var result: [(run: Int, parent: Int, isLeft: Bool)] = [(0, -1, false)]
        var stack: [(run: Int32, parent: Int, isLeft: Bool)] = []
        func pushChildren(of run: Int, at position: Int) {
            for child in runs[run].rightChildren.reversed() { stack.append((child, position, false)) }
            for child in runs[run].leftChildren.reversed() { stack.append((child, position, true)) }
        }
        pushChildren(of: 0, at: 0)
        while let (run, parent, isLeft) = stack.popLast() {
            result.append((Int(run), parent, isLeft))
            pushChildren(of: Int(run), at: result.count - 1)
        }
        return result
    }

    /// Where the character with `id` is: its run and offset there.
    func locate(_ id: ElementID) -> (run: Int, offset: Int)? {
        let position = firstRunPosition(after: id)
        guard position > 0 else { return nil }
        let run = Int(runsByID[position - 1])
        let first = runs[run].first
        guard first.change == id.change else { return nil }
        let offset = Int(id.offset - first.offset)
        return offset < runs[run].count ? (run, offset) : nil
    }

    /// The position in `runsByID` of the first run whose first id is greater than `id`.
    private func firstRunPosition(after id: ElementID) -> Int {
        var low = 0
        var high = runsByID.count
        while low < high {
            let mid = (low + high) / 2
            if runs[Int(runsByID[mid])].first <= id { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Splits `run` so that its character at `offset` (> 0) starts a new run; returns that run.
    private mutating func split(_ run: Int, at offset: Int) -> Int {
        let tail = Run(
            first: runs[run].id(at: offset),
            scalars: Array(runs[run].scalars[offset...]),
            deleted: runs[run].deleted.isEmpty ? [] : Array(runs[run].deleted[offset...]),
            leftChildren: [],
            rightChildren: runs[run].rightChildren
        )
        let tailIndex = runs.count
        runs.append(tail)
        runs[run].scalars.removeSubrange(offset...)
        if !runs[run].deleted.isEmpty { runs[run].deleted.removeSubrange(offset...) }
        runs[run].rightChildren = [Int32(tailIndex)]
        register(tailIndex)
        return tailIndex
    }

    private mutating func register(_ run: Int) {
        runsByID.insert(Int32(run), at: firstRunPosition(after: runs[run].first))
    }

    private mutating func attach(_ child: Int, to parent: Int, left: Bool) {
        let id = runs[child].first
        var siblings = left ? runs[parent].leftChildren : runs[parent].rightChildren
        let position = siblings.firstIndex { runs[Int($0)].first > id } ?? siblings.count
        siblings.insert(Int32(child), at: position)
        if left { runs[parent].leftChildren = siblings } else { runs[parent].rightChildren = siblings }
    }

    /// Inserts `scalars` with ids starting at `first`, hanging at `anchor`.
    /// Fails if the anchor is unknown or any of the new ids is already taken.
    mutating func insert(_ scalars: [Unicode.Scalar], first: ElementID, at anchor: TextAnchor) -> String? {
        guard !scalars.isEmpty else { return "inserted text is empty" }
        guard UInt32.max - first.offset >= UInt32(scalars.count) else { return "character ids overflow" }
        let end = first.offset + UInt32(scalars.count)
        let next = firstRunPosition(after: first)
        if next > 0 {
            let before = runs[Int(runsByID[next - 1])]
            if before.first.change == first.change, before.first.offset + UInt32(before.count) > first.offset {
                return "character id \(first) is already taken"
            }
        }
        if next < runsByID.count {
            let after = runs[Int(runsByID[next])]
            if after.first.change == first.change, after.first.offset < end {
                return "character id \(after.first) is already taken"
            }
        }
        let parent: Int
        let left: Bool
        switch anchor {
        case .start:
            parent = 0
            left = false
        case .after(let id):
            guard let (run, offset) = locate(id) else { return "unknown anchor character \(id)" }
            if offset + 1 < runs[run].count { _ = split(run, at: offset + 1) }
            parent = run
            left = false
        case .before(let id):
            guard let (run, offset) = locate(id) else { return "unknown anchor character \(id)" }
            parent = offset > 0 ? split(run, at: offset) : run
            left = true
        }
        let index = runs.count
        runs.append(Run(first: first, scalars: scalars, deleted: [], leftChildren: [], rightChildren: []))
        register(index)
        attach(index, to: parent, left: left)
        return nil
    }

    /// The anchor Fugue gives a local insert at visible index `index` (caller checks the range).
    func anchor(forInsertAt index: Int) -> TextAnchor {
        if index == 0 { return anchor(after: 0, offset: -1) }
        var remaining = index
        for run in order() {
            let value = runs[run]
            for offset in 0..<value.count where !value.isDeleted(offset) {
                remaining -= 1
                if remaining == 0 { return anchor(after: run, offset: offset) }
            }
        }
        preconditionFailure("index checked by caller")
    }

    /// The anchor for a new character right after the one at (`run`, `offset`), or after the
    /// start when `run` is 0: right of it if it has no right children, else left of the next
    /// character in the walk (tombstones included).
    private func anchor(after run: Int, offset: Int) -> TextAnchor {
        let value = runs[run]
        if offset + 1 < value.count { return .before(value.id(at: offset + 1)) }
        guard var next = value.rightChildren.first.map(Int.init) else {
            return run == 0 ? .start : .after(value.id(at: offset))
        }
        while let leftmost = runs[next].leftChildren.first { next = Int(leftmost) }
        return .before(runs[next].first)
    }

    /// The ids of `length` visible characters from visible index `index`, as ranges.
    func ranges(from index: Int, length: Int) -> [ElementRange] {
        var result: [ElementRange] = []
        var skip = index
        var remaining = length
        for run in order() where remaining > 0 {
            let value = runs[run]
            for offset in 0..<value.count where !value.isDeleted(offset) && remaining > 0 {
                if skip > 0 {
                    skip -= 1
                    continue
                }
                remaining -= 1
                let id = value.id(at: offset)
                if let last = result.last, last.first.change == id.change,
                   last.first.offset + last.count == id.offset {
                    result[result.count - 1] = ElementRange(first: last.first, count: last.count + 1)
                } else {
                    result.append(ElementRange(first: id, count: 1))
                }
            }
        }
        return result
    }

    /// Marks the characters in `ranges` deleted; fails if one is unknown.
    mutating func delete(_ ranges: [ElementRange]) -> String? {
        for range in ranges {
            var done: UInt32 = 0
            while done < range.count {
                let id = ElementID(change: range.first.change, offset: range.first.offset &+ done)
                guard id.offset >= range.first.offset, let (run, offset) = locate(id) else {
                    return "unknown character \(id)"
                }
                let take = min(Int(range.count - done), runs[run].count - offset)
                if runs[run].deleted.isEmpty { runs[run].deleted = Array(repeating: false, count: runs[run].count) }
                for position in offset..<(offset + take) { runs[run].deleted[position] = true }
                done += UInt32(take)
            }
        }
        return nil
    }
}
