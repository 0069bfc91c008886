@testable import FlareCRDT
import PropertyBased
import Testing
import ToolSupport
import TestSupport

@Suite struct ConvergenceTests {
    /// Random edits on 3–5 replicas with partial, reordered and duplicated delivery, then a full
    /// sync: every replica must end byte-identical in encoded state, with nothing buffered.
    @Test func randomSchedulesConverge() async {
        await propertyCheck(count: 2000, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var schedule = RandomSchedule(seed: seed)
                try schedule.run(steps: 40)
                try schedule.syncAll()
                let encoded = schedule.replicas.map { $0.snapshot.encoded() }
                let context = "schedule seed \(seed): \(schedule.log.joined(separator: ", "))"
                #expect(Set(encoded).count == 1, Comment(rawValue: context))
                #expect(schedule.replicas.allSatisfy { $0.bufferedCount == 0 }, Comment(rawValue: context))
                #expect(Set(schedule.replicas.map(\.versionVector)).count == 1, Comment(rawValue: context))
            }
        }
    }

    /// The same with long texts: only text edits of one note, so each text grows past the size
    /// where it starts keeping an index (splits, relabelling and every lookup go through it).
    @Test func longTextsConverge() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var schedule = RandomSchedule(seed: seed, textOnly: true)
                try schedule.run(steps: 120)
                try schedule.syncAll()
                let encoded = schedule.replicas.map { $0.snapshot.encoded() }
                let context = "schedule seed \(seed): \(schedule.log.joined(separator: ", "))"
                #expect(Set(encoded).count == 1, Comment(rawValue: context))
                let restored = try StateSnapshot.decode(encoded[0])
                #expect(restored.encoded() == encoded[0], Comment(rawValue: context))
                let texts = Set(schedule.replicas.map { $0.documents["d0"]?.text("note") })
                #expect(texts.count == 1, Comment(rawValue: context))
                if case .text(let text)? = schedule.replicas[0].documents["d0"]?.field("note") {
                    #expect(text.runs.count > TextSequence.indexThreshold, Comment(rawValue: context))
                    #expect(text.string == Self.inOrderWalk(text), Comment(rawValue: context))
                }
            }
        }
    }

    /// The visible text by a plain walk of the Fugue tree as the encoding lists it (left
    /// children, the run, right children), without the index the text reads its order from.
    static func inOrderWalk(_ text: TextSequence) -> String {
        let nodes = text.preorder()
        var children: [Int: (left: [Int], right: [Int])] = [:]
        for (position, node) in nodes.enumerated() where node.parent >= 0 {
            if node.isLeft { children[node.parent, default: ([], [])].left.append(position) } else { children[node.parent, default: ([], [])].right.append(position) }
        }
        var view = String.UnicodeScalarView()
        func walk(_ position: Int) {
            for child in children[position]?.left ?? [] { walk(child) }
            let piece = nodes[position]
            let run = text.runs[piece.run]
            for offset in piece.offset..<(piece.offset + piece.count) where !run.isDeleted(offset) { view.append(run.scalars[offset]) }
            for child in children[position]?.right ?? [] { walk(child) }
        }
        walk(0)
        return String(view)
    }

    /// A new replica that imports the whole history, encoded as one batch and shuffled, reaches
    /// the same state; the snapshot decodes and re-encodes to the same bytes.
    @Test func historyAndSnapshotRoundTrip() async throws {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var schedule = RandomSchedule(seed: seed)
                try schedule.run(steps: 30)
                try schedule.syncAll()
                let source = schedule.replicas[0]
                let history = source.changes()
                let decoded = try ChangeCodec.decode(ChangeCodec.encode(history))
                let historySurvives = decoded == history
                #expect(historySurvives, "schedule seed \(seed)")
                var fresh = Replica(id: ReplicaID(high: 1, low: 1))
                var shuffler = SplitMix64(state: seed)
                for change in decoded.shuffled(using: &shuffler) { try fresh.receive(change) }
                let expected = source.snapshot.encoded()
                let sameState = fresh.snapshot.encoded() == expected
                #expect(sameState, "schedule seed \(seed)")
                let restored = try StateSnapshot.decode(expected)
                let sameSnapshot = restored.encoded() == expected
                #expect(sameSnapshot, "schedule seed \(seed)")
            }
        }
    }
}
