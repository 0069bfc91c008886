import FlareCRDT
import ToolSupport

/// A random multi-replica history: random edits on 3–5 replicas, random partial, reordered and
/// duplicated delivery, random pairwise syncs; then, on request, a full sync.
struct RandomSchedule {
    var generator: SplitMix64
    var replicas: [Replica]
    var wall: [UInt64]
    /// Whether every edit is a text edit of one document's note, so that texts grow past the
    /// size where `TextSequence` starts keeping an index.
    let textOnly: Bool
    private(set) var log: [String] = []

    init(seed: UInt64, textOnly: Bool = false) {
        self.textOnly = textOnly
        var generator = SplitMix64(state: seed)
        let count = Int.random(in: 3...5, using: &generator)
        replicas = (0..<count).map { _ in Replica(id: ReplicaID.random(using: &generator)) }
        // Skewed clocks: some devices run hours ahead of others.
        wall = (0..<count).map { _ in 1_767_225_600_000 + UInt64.random(in: 0...7_200_000, using: &generator) }
        self.generator = generator
    }

    private static let documents = ["d0", "d1", "d2", "d3"]
    private static let elements = ["neck", "shoulders", "lower back", "hips", "knees"]
    private static let scalars: [Scalar] = [.int(3), .int(7), .double(7.5), .string("aching"), .bool(true), .null]

    mutating func run(steps: Int) throws {
        for _ in 0..<steps {
            let roll = Int.random(in: 0..<10, using: &generator)
            let replica = Int.random(in: 0..<replicas.count, using: &generator)
            var other = Int.random(in: 0..<(replicas.count - 1), using: &generator)
            if other >= replica { other += 1 }
            if roll < 6 {
                try edit(replica)
            } else if roll < 9 {
                try deliverSome(from: replica, to: other)
            } else {
                try sync(replica, other)
            }
        }
    }

    mutating func edit(_ index: Int) throws {
        if textOnly, Int.random(in: 0..<3, using: &generator) == 0, let length = replicas[index].document(Self.documents[0])?.textLength("note") {
            return try type(on: index, at: Int.random(in: 0...length, using: &generator))
        }
        wall[index] += UInt64.random(in: 0...2000, using: &generator)
        var generator = self.generator
        let before = replicas[index].versionVector
        do {
            try replicas[index].makeChange(wallMilliseconds: wall[index]) { builder in
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    Self.randomEdit(&builder, textOnly: textOnly, using: &generator)
                }
            }
        } catch EditError.emptyChange {
            precondition(replicas[index].versionVector == before)
        }
        self.generator = generator
        log.append("edit r\(index)")
    }

    /// A burst of typing: one character per change at one place, as an editor sends it, so
    /// the text's runs extend across changes.
    mutating func type(on index: Int, at position: Int) throws {
        let count = Int.random(in: 2...8, using: &generator)
        for offset in 0..<count {
            wall[index] += UInt64.random(in: 0...300, using: &generator)
            let character = ["a", "b", "🙂", "z"].randomElement(using: &generator)!
            try replicas[index].makeChange(wallMilliseconds: wall[index]) { builder in
                try builder.insertText(Self.documents[0], "note", at: position + offset, character)
            }
        }
        log.append("type \(count) r\(index)")
    }

    private static func randomEdit(_ builder: inout ChangeBuilder, textOnly: Bool, using generator: inout SplitMix64) {
        let document = textOnly ? documents[0] : documents.randomElement(using: &generator)!
        guard builder.document(document) != nil else {
            // Creating an id a replica already used (deleted) is refused; that is fine here.
            try? builder.create(document, type: ["symptom", "treatment"].randomElement(using: &generator)!)
            return
        }
        switch textOnly ? [5, 6, 7].randomElement(using: &generator)! : Int.random(in: 0..<9, using: &generator) {
        case 0, 1:
            try! builder.set(document, ["pain", "sleep"].randomElement(using: &generator)!, to: scalars.randomElement(using: &generator)!)
        case 2: try! builder.add(document, "regions", elements.randomElement(using: &generator)!)
        case 3: try! builder.remove(document, "regions", elements.randomElement(using: &generator)!)
        case 4: try! builder.increment(document, "flares", by: Int64.random(in: -2...3, using: &generator))
        case 5, 6:
            let length = builder.document(document)?.textLength("note") ?? 0
            let text = String(["ab", "x", "héllo", "🙂", "e\u{301}", "zz"].randomElement(using: &generator)!)
            try! builder.insertText(document, "note", at: Int.random(in: 0...length, using: &generator), text)
        case 7:
            let length = builder.document(document)?.textLength("note") ?? 0
            guard length > 0 else { return }
            let start = Int.random(in: 0..<length, using: &generator)
            try! builder.deleteText(document, "note", at: start, count: Int.random(in: 1...(length - start), using: &generator))
        default:
            if Int.random(in: 0..<3, using: &generator) == 0 { try! builder.delete(document) }
        }
    }

    /// Delivers a random sample of the sender's changes, shuffled, some twice.
    mutating func deliverSome(from sender: Int, to receiver: Int) throws {
        let held = replicas[sender].changes()
        guard !held.isEmpty else { return }
        var picked: [Change] = []
        for _ in 0..<Int.random(in: 1...held.count, using: &generator) {
            picked.append(held.randomElement(using: &generator)!)
        }
        picked.shuffle(using: &generator)
        for change in picked { try replicas[receiver].receive(change) }
        log.append("deliver \(picked.count) r\(sender)->r\(receiver)")
    }

    mutating func sync(_ a: Int, _ b: Int) throws {
        let fromA = replicas[a].changes(notIn: replicas[b].versionVector)
        let fromB = replicas[b].changes(notIn: replicas[a].versionVector)
        for change in fromA { try replicas[b].receive(change) }
        for change in fromB { try replicas[a].receive(change) }
        log.append("sync r\(a) r\(b)")
    }

    /// Syncs every pair in a ring twice: afterwards every replica holds every change.
    mutating func syncAll() throws {
        for _ in 0..<2 {
            for index in 0..<replicas.count { try sync(index, (index + 1) % replicas.count) }
        }
    }
}

extension Document {
    func textLength(_ field: String) -> Int {
        if case .text(let text)? = self.field(field) { return text.count }
        return 0
    }
}
