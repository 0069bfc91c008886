/// A text field: the Fugue sequence CRDT (Weidner and Kleppmann, "The Art of the Fugue", 2023).
///
/// Characters form a tree: each hangs left or right of an earlier one, siblings order by id, and
/// the text is the in-order walk. Runs typed concurrently at one place become sibling subtrees,
/// so they never interleave character by character. Deleted characters stay as tombstones.
///
/// Characters inserted by one op are stored as one run (each the right child of the one before),
/// which keeps a 40-character note one node instead of 40. So are characters typed one per
/// change by one replica, each right after the one before while nothing else hangs there: the
/// run extends instead of starting a new one. A run splits where another insert hangs off its
/// interior. None of this shows outside: the encoded state lists the runs as one run per op.
public struct TextSequence: Sendable {
    struct Run: Sendable {
        var first: ElementID
        /// Whether character i was the first inserted by change `first.change.seq + i` of one
        /// replica (typing, one change per character); otherwise character i has the id
        /// `first.offset + i` in the change `first.change`. (Here, it fills the padding after
        /// `first`: a journal's many short notes copy their runs whenever they change.)
        var acrossChanges = false
        var scalars: [Unicode.Scalar]
        /// Empty while nothing in the run is deleted; otherwise one flag per scalar.
        var deleted: [Bool]
        /// Runs hanging left of the first character, in id order.
        var leftChildren: [Int32]
        /// Runs hanging right of the last character, in id order.
        var rightChildren: [Int32]
        /// Where the run sits in document order: labels increase along the in-order walk.
        var label: UInt64 = 0

        init(first: ElementID, scalars: [Unicode.Scalar], deleted: [Bool], leftChildren: [Int32], rightChildren: [Int32]) {
            self.first = first
            self.scalars = scalars
            self.deleted = deleted
            self.leftChildren = leftChildren
            self.rightChildren = rightChildren
        }

        var count: Int { scalars.count }

        /// Characters not deleted.
        var visible: Int { deleted.isEmpty ? scalars.count : deleted.lazy.filter { !$0 }.count }

        func isDeleted(_ offset: Int) -> Bool { !deleted.isEmpty && deleted[offset] }

        func id(at offset: Int) -> ElementID {
            acrossChanges
                ? ElementID(change: ChangeID(replica: first.change.replica, seq: first.change.seq + UInt64(offset)), offset: 0)
                : ElementID(change: first.change, offset: first.offset + UInt32(offset))
        }

        /// The offset of the character with `id` in this run, if it is one of its.
        func offset(of id: ElementID) -> Int? {
            if acrossChanges {
                guard id.offset == 0, id.change.replica == first.change.replica, id.change.seq >= first.change.seq else { return nil }
                let offset = id.change.seq - first.change.seq
                return offset < UInt64(count) ? Int(offset) : nil
            }
            guard id.change == first.change, id.offset >= first.offset else { return nil }
            let offset = Int(id.offset - first.offset)
            return offset < count ? offset : nil
        }
    }

    /// The arena; runs[0] is the virtual start, which holds no characters.
    private(set) var runs = RunArena()
    /// The runs by id and in document order, once there are more than `indexThreshold`:
    /// below that a scan of the runs is cheaper than two trees per text, and a journal note
    /// is one run or a few. An array of at most one: an empty array costs nothing to copy,
    /// while a reference, optional or not, slows every copy of a document's fields.
    private var index: [Index] = []

    struct Index: Sendable {
        /// Every run of one change's characters by its first character's id, for finding
        /// characters by id.
        var runsByID = CountedTree<ElementID, Int32>()
        /// Every run across changes by its first character's change.
        var runsByChange = CountedTree<ChangeID, Int32>()
        /// Every run but the start (whose label is 0, before all others) by its label,
        /// weighted by its visible characters: the document order, with positions found in
        /// O(log n).
        var runsInOrder = CountedTree<UInt64, Int32>()
    }

    private var isIndexed: Bool { !index.isEmpty }

    static let indexThreshold = 16

    init() {
        var start = Run(
            first: ElementID(change: ChangeID(replica: ReplicaID(high: 0, low: 0), seq: 0), offset: 0),
            scalars: [], deleted: [], leftChildren: [], rightChildren: []
        )
        start.label = 0
        runs.append(start)
    }

    /// The visible text.
    public var string: String {
        var view = String.UnicodeScalarView()
        forEachInOrder { run in
            let value = runs[run]
            if value.deleted.isEmpty {
                view.append(contentsOf: value.scalars)
            } else if value.visible > 0 {
                for offset in 0..<value.count where !value.deleted[offset] { view.append(value.scalars[offset]) }
            }
            return true
        }
        return String(view)
    }

    /// The number of visible characters (Unicode scalars).
    public var count: Int { isIndexed ? index[0].runsInOrder.totalWeight : runs.reduce(0) { $0 + $1.visible } }

    /// Run indices in document order (in-order walk), without the virtual start.
    func order() -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(runs.count)
        forEachInOrder { run in
            result.append(run)
            return true
        }
        return result
    }

    /// Calls `body` with each run but the start in document order, from `start` (from the
    /// first when nil), until it returns false.
    private func forEachInOrder(from start: Int? = nil, _ body: (Int) -> Bool) {
        if isIndexed {
            index[0].runsInOrder.forEach(from: start.map { runs[$0].label }) { _, run, _ in body(Int(run)) }
            return
        }
        // The in-order walk of the Fugue tree: left children, the run, right children.
        var started = start == nil
        var stack: [(run: Int32, visited: Bool)] = [(0, false)]
        while let (run, visited) = stack.popLast() {
            if visited {
                if !started, Int(run) == start { started = true }
                if started, run != 0, !body(Int(run)) { return }
                continue
            }
            let value = runs[Int(run)]
            for child in value.rightChildren.reversed() { stack.append((child, false)) }
            stack.append((run, true))
            for child in value.leftChildren.reversed() { stack.append((child, false)) }
        }
    }

    /// The runs as the encoding lists them, one per op, in pre-order (a run before its
    /// children; left children, then right), starting with the virtual start: a run across
    /// changes is one piece per character, each the right child of the one before. Each piece
    /// is `count` characters of `run` from `offset`, and names its parent's position in this
    /// list and its side.
    func preorder() -> [(run: Int, offset: Int, count: Int, parent: Int, isLeft: Bool)] {
        // Most notes are one run, right of the start: their many encodings skip the walk.
        if runs.count == 2, !runs[1].acrossChanges || runs[1].count == 1 {
            return [(0, 0, 0, -1, false), (1, 0, runs[1].count, 0, false)]
        }
        var result: [(run: Int, offset: Int, count: Int, parent: Int, isLeft: Bool)] = [(0, 0, 0, -1, false)]
        result.reserveCapacity(runs.count)
        // A stack entry is a run's subtree, or (with `rest`) the pieces after the first of a
        // run across changes, whose right children follow them.
        var stack: [(run: Int32, parent: Int, isLeft: Bool, rest: Bool)] = []
        func pushRightChildren(of run: Int, at position: Int) {
            for child in runs[run].rightChildren.reversed() { stack.append((child, position, false, false)) }
        }
        func pushLeftChildren(of run: Int, at position: Int) {
            for child in runs[run].leftChildren.reversed() { stack.append((child, position, true, false)) }
        }
        pushRightChildren(of: 0, at: 0)
        while let (run, parent, isLeft, rest) = stack.popLast() {
            let index = Int(run)
            if rest {
                // The first piece's left subtrees came between it and the second.
                for offset in 1..<runs[index].count { result.append((index, offset, 1, offset == 1 ? parent : result.count - 1, false)) }
                pushRightChildren(of: index, at: result.count - 1)
                continue
            }
            let pieces = runs[index].acrossChanges && runs[index].count > 1
            result.append((index, 0, pieces ? 1 : runs[index].count, parent, isLeft))
            let position = result.count - 1
            if pieces { stack.append((run, position, false, true)) } else { pushRightChildren(of: index, at: position) }
            pushLeftChildren(of: index, at: position)
        }
        return result
    }

    /// Where the character with `id` is: its run and offset there.
    func locate(_ id: ElementID) -> (run: Int, offset: Int)? {
        guard isIndexed else {
            for run in 1..<runs.count {
                if let offset = runs[run].offset(of: id) { return (run, offset) }
            }
            return nil
        }
        if id.offset == 0, let (_, run) = index[0].runsByChange.floor(id.change), let offset = runs[Int(run)].offset(of: id) {
            return (Int(run), offset)
        }
        guard let (_, run) = index[0].runsByID.floor(id), let offset = runs[Int(run)].offset(of: id) else { return nil }
        return (Int(run), offset)
    }

    /// A character id among `first ..< first + count` (one change's) that a run already has,
    /// if any.
    private func takenID(from first: ElementID, count: Int) -> ElementID? {
        let end = first.offset + UInt32(count)
        guard isIndexed else {
            for run in 1..<runs.count {
                if runs[run].acrossChanges {
                    if first.offset == 0, runs[run].offset(of: first) != nil { return first }
                    continue
                }
                guard runs[run].first.change == first.change else { continue }
                let low = max(runs[run].first.offset, first.offset)
                if low < min(runs[run].first.offset + UInt32(runs[run].count), end) { return ElementID(change: first.change, offset: low) }
            }
            return nil
        }
        if first.offset == 0, let (_, run) = index[0].runsByChange.floor(first.change), runs[Int(run)].offset(of: first) != nil { return first }
        if let (before, run) = index[0].runsByID.floor(first), before.change == first.change, before.offset + UInt32(runs[Int(run)].count) > first.offset {
            return first
        }
        // One character is covered by the floor alone.
        if count > 1, let (after, _) = index[0].runsByID.ceiling(after: first), after.change == first.change, after.offset < end { return after }
        return nil
    }

    /// Splits `run` so that its character at `offset` (> 0) starts a new run; returns that run.
    private mutating func split(_ run: Int, at offset: Int) -> Int {
        var tail = Run(
            first: runs[run].id(at: offset),
            scalars: Array(runs[run].scalars[offset...]),
            deleted: runs[run].deleted.isEmpty ? [] : Array(runs[run].deleted[offset...]),
            leftChildren: [],
            rightChildren: runs[run].rightChildren
        )
        tail.acrossChanges = runs[run].acrossChanges
        let label = runs[run].label
        let tailIndex = runs.count
        runs.append(tail)
        runs.modify(run) { value in
            value.scalars.removeSubrange(offset...)
            if !value.deleted.isEmpty { value.deleted.removeSubrange(offset...) }
            value.rightChildren = [Int32(tailIndex)]
        }
        if isIndexed {
            let visible = runs[run].visible
            index[0].runsInOrder.update(label) { _, weight in weight = visible }
            register(tailIndex)
            place(tailIndex, after: run)
        }
        return tailIndex
    }

    private mutating func register(_ run: Int) {
        if runs[run].acrossChanges {
            index[0].runsByChange.insert(runs[run].first.change, Int32(run), weight: 0)
        } else {
            index[0].runsByID.insert(runs[run].first, Int32(run), weight: 0)
        }
    }

    /// Whether the one character with id `first` goes on the end of `run`: the first of the
    /// change after the one that typed the run's last, right after it, where nothing else
    /// hangs. The tree is the same as with a run of its own there.
    private func extends(_ run: Int, by first: ElementID) -> Bool {
        guard run != 0, first.offset == 0, runs[run].rightChildren.isEmpty else { return false }
        let last = runs[run].id(at: runs[run].count - 1)
        guard last.change.replica == first.change.replica, last.change.seq &+ 1 == first.change.seq else { return false }
        return runs[run].acrossChanges || (runs[run].count == 1 && last.offset == 0)
    }

    /// Puts `scalars`, each typed by the change after the one before, on the end of `run`
    /// (which `extends` allows for the first).
    private mutating func extend(_ run: Int, with scalars: [Unicode.Scalar]) {
        // A run of one change's characters becomes one across changes: it moves index.
        let moves = !runs[run].acrossChanges && isIndexed
        if moves { index[0].runsByID.remove(runs[run].first) }
        runs.modify(run) { value in
            value.acrossChanges = true
            value.scalars.append(contentsOf: scalars)
            if !value.deleted.isEmpty { value.deleted.append(contentsOf: repeatElement(false, count: scalars.count)) }
        }
        if moves { register(run) }
        if isIndexed { index[0].runsInOrder.update(runs[run].label) { _, weight in weight += scalars.count } }
    }

    /// Types `scalars` right after the character `id`, the first of them by the change after
    /// `id`'s and each next one by the change after that (a stretch of one replica's typing,
    /// each change inserting one character right after the one before): the run holding `id`
    /// grows by all of them at once, with one update of the order. Returns false, changing
    /// nothing, where they would not all go on the end of that run (then each is inserted as
    /// its change would be).
    mutating func type(_ scalars: [Unicode.Scalar], after id: ElementID) -> Bool {
        guard !scalars.isEmpty, let (run, offset) = locate(id), offset + 1 == runs[run].count else { return false }
        let next = ChangeID(replica: id.change.replica, seq: id.change.seq &+ 1)
        guard extends(run, by: ElementID(change: next, offset: 0)),
              !hasCharacters(of: id.change.replica, seqs: next.seq..<(next.seq + UInt64(scalars.count))) else { return false }
        extend(run, with: scalars)
        return true
    }

    /// Whether a run holds the first character of a change of `replica` with a seq in `seqs`.
    private func hasCharacters(of replica: ReplicaID, seqs: Range<UInt64>) -> Bool {
        func overlaps(_ run: Int) -> Bool {
            let first = runs[run].first
            guard first.change.replica == replica else { return false }
            let end = runs[run].acrossChanges ? first.change.seq + UInt64(runs[run].count) : first.change.seq + 1
            return first.offset == 0 && first.change.seq < seqs.upperBound && end > seqs.lowerBound
        }
        guard isIndexed else { return (1..<runs.count).contains(where: overlaps) }
        if let (_, run) = index[0].runsByChange.floor(ChangeID(replica: replica, seq: seqs.upperBound - 1)), overlaps(Int(run)) { return true }
        let before = ElementID(change: ChangeID(replica: replica, seq: seqs.lowerBound - 1), offset: .max)
        guard let (after, _) = index[0].runsByID.ceiling(after: before) else { return false }
        return after.change.replica == replica && after.change.seq < seqs.upperBound
    }

    /// Builds the index once the text has grown past `indexThreshold` runs.
    private mutating func buildIndex() {
        let order = order()
        index = [Index()]
        for (position, run) in order.enumerated() {
            let label = UInt64(position + 1) * Self.endStep
            runs.modify(run) { $0.label = label }
            index[0].runsInOrder.insert(label, Int32(run), weight: runs[run].visible)
            register(run)
        }
    }

    /// The gap left after the last run when one is added at the end: wide, so appending
    /// seldom runs out of labels.
    private static let endStep: UInt64 = 1 << 32
    /// The most a new run's label goes past its left neighbour's. Typing goes on to the right
    /// of what was just typed, so a new run takes a small step from its left neighbour and
    /// leaves the rest of the gap for what follows (halving the gap each time would run out
    /// of labels after some 40 characters typed at one place).
    private static let step: UInt64 = 1 << 20

    private static func label(between low: UInt64, and high: UInt64) -> UInt64? {
        high - low >= 2 ? low + min(step, (high - low) / 2) : nil
    }

    /// Enters `run` in the document order right after run `previous`.
    private mutating func place(_ run: Int, after previous: Int) {
        while true {
            let low = runs[previous].label
            if let next = index[0].runsInOrder.ceiling(after: low)?.key {
                if let label = Self.label(between: low, and: next) { return enter(run, label: label) }
            } else if UInt64.max - low >= Self.endStep {
                return enter(run, label: low + Self.endStep)
            }
            relabel(around: low)
        }
    }

    /// Enters `run` in the document order right before run `next` (never the start).
    private mutating func place(_ run: Int, before next: Int) {
        while true {
            let high = runs[next].label
            let low = index[0].runsInOrder.predecessor(of: high)?.key ?? 0
            if let label = Self.label(between: low, and: high) { return enter(run, label: label) }
            relabel(around: high)
        }
    }

    private mutating func enter(_ run: Int, label: UInt64) {
        runs.modify(run) { $0.label = label }
        index[0].runsInOrder.insert(label, Int32(run), weight: runs[run].visible)
    }

    /// The least room a relabelled window leaves between neighbours.
    private static let roomy: UInt64 = 1 << 32

    /// Spreads the labels of the runs around `label` evenly between the labels on either side
    /// of them, keeping the order: a window of 8 runs, doubled until it has room (the whole
    /// order at worst), so a crowded spot costs O(window · log n), not O(n).
    private mutating func relabel(around label: UInt64) {
        // Read in a scope of its own, so the order tree is not shared when it changes.
        let (first, labelled): (Int, [(run: Int, label: UInt64)]) = {
            let order = index[0].runsInOrder
            let total = order.count
            let center = order.index(of: label)
            var size = 8
            while true {
                // The start, before every run, keeps its label 0.
                let first = max(0, center - size / 2)
                let last = min(total - 1, first + size - 1)
                let low = first > 0 ? order.element(atIndex: first - 1)!.key : 0
                let high = last + 1 < total ? order.element(atIndex: last + 1)!.key : UInt64.max
                let count = UInt64(last - first + 1)
                let spacing = (high - low) / (count + 1)
                if spacing >= Self.roomy || (first == 0 && last == total - 1) {
                    return (first, (1...count).map { (Int(order.element(atIndex: first + Int($0) - 1)!.value), low + spacing * $0) })
                }
                size *= 2
            }
        }()
        for (run, label) in labelled { runs.modify(run) { $0.label = label } }
        index[0].runsInOrder.replaceKeys(from: first, with: labelled.map(\.label))
    }

    /// The last run of `run`'s subtree in document order.
    private func lastInSubtree(_ run: Int) -> Int {
        var run = run
        while let last = runs[run].rightChildren.last { run = Int(last) }
        return run
    }

    /// The first run of `run`'s subtree in document order.
    private func firstInSubtree(_ run: Int) -> Int {
        var run = run
        while let first = runs[run].leftChildren.first { run = Int(first) }
        return run
    }

    /// Hangs `child` under `parent` among its siblings in id order, and enters it in the
    /// document order (when indexed): after the previous sibling's subtree (or the parent, for
    /// the first right child), before the next sibling's subtree (or the parent, for the last
    /// left child).
    private mutating func attach(_ child: Int, to parent: Int, left: Bool) {
        let id = runs[child].first
        // The siblings are read in a scope of their own, so the parent's array is not shared
        // when the child goes into it.
        let (position, neighbour): (Int, Int32?) = {
            let siblings = left ? runs[parent].leftChildren : runs[parent].rightChildren
            let position = siblings.firstIndex { runs[Int($0)].first > id } ?? siblings.count
            return (position, left ? (position < siblings.count ? siblings[position] : nil) : (position > 0 ? siblings[position - 1] : nil))
        }()
        runs.modify(parent) { value in
            if left { value.leftChildren.insert(Int32(child), at: position) } else { value.rightChildren.insert(Int32(child), at: position) }
        }
        guard isIndexed else { return }
        register(child)
        if left {
            place(child, before: neighbour.map { firstInSubtree(Int($0)) } ?? parent)
        } else {
            place(child, after: neighbour.map { lastInSubtree(Int($0)) } ?? parent)
        }
    }

    /// Inserts `scalars` with ids starting at `first`, hanging at `anchor`.
    /// Fails if the anchor is unknown or any of the new ids is already taken.
    mutating func insert(_ scalars: [Unicode.Scalar], first: ElementID, at anchor: TextAnchor) -> String? {
        guard !scalars.isEmpty else { return "inserted text is empty" }
        guard let length = UInt32(exactly: scalars.count), UInt32.max - first.offset >= length else { return "character ids overflow" }
        if let taken = takenID(from: first, count: scalars.count) { return "character id \(taken) is already taken" }
        let parent: Int
        let left: Bool
        switch anchor {
        case .start:
            parent = 0
            left = false
        case .after(let id):
            guard let (run, offset) = locate(id) else { return "unknown anchor character \(id)" }
            if scalars.count == 1, offset + 1 == runs[run].count, extends(run, by: first) {
                extend(run, with: scalars)
                return nil
            }
            if offset + 1 < runs[run].count { _ = split(run, at: offset + 1) }
            parent = run
            left = false
        case .before(let id):
            guard let (run, offset) = locate(id) else { return "unknown anchor character \(id)" }
            parent = offset > 0 ? split(run, at: offset) : run
            left = true
        }
        let new = runs.count
        runs.append(Run(first: first, scalars: scalars, deleted: [], leftChildren: [], rightChildren: []))
        attach(new, to: parent, left: left)
        if !isIndexed, runs.count > Self.indexThreshold { buildIndex() }
        return nil
    }

    /// The run and offset of the visible character at `position` (caller checks the range).
    private func visibleCharacter(at position: Int) -> (run: Int, offset: Int) {
        var found: (run: Int, skip: Int)?
        if isIndexed {
            if let (_, run, skip) = index[0].runsInOrder.element(atWeight: position) { found = (Int(run), skip) }
        } else {
            var remaining = position
            forEachInOrder { run in
                let visible = runs[run].visible
                if remaining < visible {
                    found = (run, remaining)
                    return false
                }
                remaining -= visible
                return true
            }
        }
        guard let (run, skip) = found else { preconditionFailure("index checked by caller") }
        if runs[run].deleted.isEmpty { return (run, skip) }
        var remaining = skip
        for (offset, deleted) in runs[run].deleted.enumerated() where !deleted {
            if remaining == 0 { return (run, offset) }
            remaining -= 1
        }
        preconditionFailure("a run's visible count disagrees with its flags")
    }

    /// The anchor Fugue gives a local insert at visible index `index` (caller checks the range).
    func anchor(forInsertAt index: Int) -> TextAnchor {
        if index == 0 { return anchor(after: 0, offset: -1) }
        let (run, offset) = visibleCharacter(at: index - 1)
        return anchor(after: run, offset: offset)
    }

    /// The anchor for a new character right after the one at (`run`, `offset`), or after the
    /// start when `run` is 0: right of it if it has no right children, else left of the next
    /// character in the walk (tombstones included).
    private func anchor(after run: Int, offset: Int) -> TextAnchor {
        if offset + 1 < runs[run].count { return .before(runs[run].id(at: offset + 1)) }
        guard let next = runs[run].rightChildren.first.map(Int.init) else {
            return run == 0 ? .start : .after(runs[run].id(at: offset))
        }
        return .before(runs[firstInSubtree(next)].first)
    }

    /// The ids of `length` visible characters from visible index `index`, as ranges.
    func ranges(from index: Int, length: Int) -> [ElementRange] {
        guard length > 0 else { return [] }
        var result: [ElementRange] = []
        var remaining = length
        let (startRun, startOffset) = visibleCharacter(at: index)
        forEachInOrder(from: startRun) { run in
            let value = runs[run]
            guard value.visible > 0 else { return true }
            for offset in (run == startRun ? startOffset : 0)..<value.count where !value.isDeleted(offset) && remaining > 0 {
                remaining -= 1
                let id = value.id(at: offset)
                if let last = result.last, last.first.change == id.change, last.first.offset + last.count == id.offset {
                    result[result.count - 1] = ElementRange(first: last.first, count: last.count + 1)
                } else {
                    result.append(ElementRange(first: id, count: 1))
                }
            }
            return remaining > 0
        }
        return result
    }

    /// Marks the characters in `ranges` deleted; fails, changing nothing, if one is unknown.
    mutating func delete(_ ranges: [ElementRange]) -> String? {
        var pieces: [(run: Int, offset: Int, count: Int)] = []
        for range in ranges {
            var done: UInt32 = 0
            while done < range.count {
                let id = ElementID(change: range.first.change, offset: range.first.offset &+ done)
                guard id.offset >= range.first.offset, let (run, offset) = locate(id) else {
                    return "unknown character \(id)"
                }
                let take = runs[run].acrossChanges ? 1 : min(Int(range.count - done), runs[run].count - offset)
                pieces.append((run, offset, take))
                done += UInt32(take)
            }
        }
        for (run, offset, take) in pieces {
            var newlyDeleted = 0
            runs.modify(run) { value in
                if value.deleted.isEmpty { value.deleted = Array(repeating: false, count: value.count) }
                for position in offset..<(offset + take) where !value.deleted[position] {
                    value.deleted[position] = true
                    newlyDeleted += 1
                }
            }
            if newlyDeleted > 0, isIndexed { index[0].runsInOrder.update(runs[run].label) { _, weight in weight -= newlyDeleted } }
        }
        return nil
    }
}
