import Foundation
import Testing
import ToolSupport

@testable import FlareCRDT

/// The counted B-tree under text fields, against a sorted array doing the same, with random
/// inserts, removals, weight changes and key replacements; copies taken along the way must not change
/// when the tree does (path copying). Prints its seed; `FLARE_TREE_SEED=N` replays one.
@Suite struct CountedTreeTests {
    struct Model {
        var entries: [(key: UInt64, value: Int32, weight: Int)] = []

        func index(of key: UInt64) -> Int { entries.firstIndex { $0.key >= key } ?? entries.count }
    }

    static func check(_ tree: CountedTree<UInt64, Int32>, against model: Model) {
        #expect(tree.count == model.entries.count)
        #expect(tree.totalWeight == model.entries.reduce(0) { $0 + $1.weight })
        var listed: [(UInt64, Int32, Int)] = []
        tree.forEach { listed.append(($0, $1, $2)); return true }
        #expect(listed.map(\.0) == model.entries.map(\.key) && listed.map(\.1) == model.entries.map(\.value) && listed.map(\.2) == model.entries.map(\.weight))
    }

    @Test func itAgreesWithASortedArray() {
        let seed = ProcessInfo.processInfo.environment["FLARE_TREE_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        print("[CountedTreeTests] seed \(seed); replay with FLARE_TREE_SEED=\(seed) swift test --filter CountedTreeTests")
        var random = SplitMix64(state: seed)
        var tree = CountedTree<UInt64, Int32>()
        var model = Model()
        var snapshots: [(CountedTree<UInt64, Int32>, Model)] = []
        for step in 0..<6_000 {
            let choice = random.next() % 10
            if choice < 6 || model.entries.isEmpty {
                var key = random.next() % (1 << 40)
                while model.entries.contains(where: { $0.key == key }) { key = random.next() % (1 << 40) }
                let weight = Int(random.next() % 5)
                tree.insert(key, Int32(step), weight: weight)
                model.entries.insert((key, Int32(step), weight), at: model.index(of: key))
            } else if choice == 6 && step % 3 == 0 {
                let position = Int(random.next() % UInt64(model.entries.count))
                tree.remove(model.entries[position].key)
                model.entries.remove(at: position)
            } else if choice < 8 {
                let position = Int(random.next() % UInt64(model.entries.count))
                let key = model.entries[position].key
                let weight = Int(random.next() % 5)
                tree.update(key) { value, old in
                    value = -value
                    old = weight
                }
                model.entries[position].value = -model.entries[position].value
                model.entries[position].weight = weight
            } else {
                // Replace a window's keys with new ones between its neighbours.
                let start = Int(random.next() % UInt64(model.entries.count))
                let end = min(model.entries.count, start + 1 + Int(random.next() % 20))
                let low = start == 0 ? 0 : model.entries[start - 1].key + 1
                let high = end == model.entries.count ? UInt64(1) << 41 : model.entries[end].key
                let count = UInt64(end - start)
                guard high - low > count else { continue }
                let spacing = (high - low) / (count + 1)
                let keys = (1...count).map { low + spacing * $0 - 1 }
                tree.replaceKeys(from: start, with: keys)
                for (offset, key) in keys.enumerated() { model.entries[start + offset].key = key }
            }
            if step % 500 == 0 { snapshots.append((tree, model)) }
            if step % 97 == 0, !model.entries.isEmpty {
                // Every reading against the model.
                let probe = random.next() % (1 << 41)
                let below = model.entries.filter { $0.key < probe }
                #expect(tree.index(of: probe) == below.count)
                #expect(tree.weight(before: probe) == below.reduce(0) { $0 + $1.weight })
                #expect(tree.floor(probe)?.key == model.entries.last { $0.key <= probe }?.key)
                #expect(tree.ceiling(after: probe)?.key == model.entries.first { $0.key > probe }?.key)
                #expect(tree.predecessor(of: probe)?.key == below.last?.key)
                let position = Int(random.next() % UInt64(model.entries.count))
                #expect(tree.element(atIndex: position)?.key == model.entries[position].key)
                let total = model.entries.reduce(0) { $0 + $1.weight }
                if total > 0 {
                    let target = Int(random.next() % UInt64(total))
                    var before = 0
                    let holder = model.entries.firstIndex { entry in
                        defer { before += entry.weight }
                        return target < before + entry.weight
                    }!
                    let found = tree.element(atWeight: target)
                    #expect(found?.key == model.entries[holder].key)
                }
            }
        }
        Self.check(tree, against: model)
        for (copy, copyModel) in snapshots { Self.check(copy, against: copyModel) }
    }
}
