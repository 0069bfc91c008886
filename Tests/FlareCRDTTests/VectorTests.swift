import FlareCRDT
import Foundation
import Testing

/// Byte-exact vectors in Protocol/vectors: each file holds changes in a readable form, their
/// batch encoding and the snapshot of the state they produce. The tests check both directions.
/// `FLARE_WRITE_VECTORS=1 swift test --filter VectorTests` rewrites the files after a
/// deliberate format change (which must also bump the version byte).
@Suite struct VectorTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors")

    static let phone = ReplicaID(bytes: [UInt8](repeating: 0x11, count: 16))!
    static let laptop = ReplicaID(bytes: [UInt8](repeating: 0x22, count: 16))!
    static let start: UInt64 = 1_767_225_600_000

    static func vectors() throws -> [(name: String, description: String, changes: [Change])] {
        var phone = Replica(id: Self.phone)
        let single = try phone.makeChange(wallMilliseconds: start) { change in
            try change.create("e1", type: "symptom")
            try change.set("e1", "pain", to: .int(6))
        }

        var journal = Replica(id: Self.phone)
        try journal.makeChange(wallMilliseconds: start) { change in
            try change.create("e1", type: "symptom")
            try change.set("e1", "at", to: .int(1_767_225_600))
            try change.set("e1", "pain", to: .int(6))
            try change.set("e1", "sleep_hours", to: .double(7.5))
            try change.set("e1", "dose_mg", to: .double(0.1))
            try change.set("e1", "flare", to: .bool(true))
            try change.set("e1", "tenderness", to: .null)
            try change.set("e1", "quality", to: .string("aching"))
            try change.add("e1", "regions", "neck")
            try change.add("e1", "regions", "lower back")
            try change.remove("e1", "regions", "neck")
            try change.increment("e1", "flares", by: -2)
            try change.insertText("e1", "note", at: 0, "woke stiff 🙂")
        }
        try journal.makeChange(wallMilliseconds: start + 60_000) { change in
            try change.insertText("e1", "note", at: 5, "very ")
            try change.deleteText("e1", "note", at: 0, count: 5)
            try change.delete("e1")
        }

        var laptop = Replica(id: Self.laptop)
        try laptop.makeChange(wallMilliseconds: start + 5) { change in
            try change.create("t1", type: "treatment")
            try change.set("t1", "name", to: .string("gentle stretching"))
        }
        var sharedPhone = Replica(id: Self.phone)
        try sharedPhone.makeChange(wallMilliseconds: start) { change in
            try change.create("e1", type: "symptom")
            try change.insertText("e1", "note", at: 0, "ab")
        }
        for change in sharedPhone.changes() { try laptop.receive(change) }
        for change in laptop.changes() { try sharedPhone.receive(change) }
        try sharedPhone.makeChange(wallMilliseconds: start + 1000) { try $0.insertText("e1", "note", at: 1, "XY") }
        try laptop.makeChange(wallMilliseconds: start + 1000) { try $0.insertText("e1", "note", at: 1, "12") }
        try laptop.makeChange(wallMilliseconds: start + 2000) { try $0.set("t1", "name", to: .string("walking")) }
        for change in sharedPhone.changes(notIn: laptop.versionVector) { try laptop.receive(change) }

        return [
            ("single-change", "one change: create a symptom entry and set its pain", [single]),
            ("journal-every-op", "two changes of one replica using every op, scalar and anchor kind", journal.changes()),
            ("two-replicas-concurrent", "two replicas, dependencies, concurrent text inserts at one place", laptop.changes()),
        ]
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func unhex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func readable(_ element: ElementID) -> String {
        "\(element.change.replica)@\(element.change.seq).\(element.offset)"
    }

    static func readable(_ scalar: Scalar) -> Any {
        switch scalar {
        case .null: return NSNull()
        case .bool(let value): return ["bool": value]
        case .int(let value): return ["int": value]
        case .double(let value): return ["double": value]
        case .string(let value): return ["string": value]
        }
    }

    static func readable(_ change: Change) -> [String: Any] {
        let operations: [[Any]] = change.operations.map { operation in
            switch operation {
            case .create(let d, let type): return ["create", d, type]
            case .set(let d, let f, let value): return ["set", d, f, readable(value)]
            case .add(let d, let f, let element): return ["add", d, f, element]
            case .remove(let d, let f, let element): return ["remove", d, f, element]
            case .increment(let d, let f, let amount): return ["increment", d, f, amount]
            case .insertText(let d, let f, let anchor, let text):
                let place: Any
                switch anchor {
                case .start: place = "start"
                case .before(let element): place = ["before": readable(element)]
                case .after(let element): place = ["after": readable(element)]
                }
                return ["insert_text", d, f, place, text]
            case .deleteText(let d, let f, let ranges):
                return ["delete_text", d, f, ranges.map { [readable($0.first), $0.count] as [Any] }]
            case .delete(let d): return ["delete", d]
            }
        }
        var dependencies: [String: UInt64] = [:]
        for entry in change.dependencies { dependencies[entry.replica.description] = entry.seq }
        return [
            "replica": change.id.replica.description, "seq": change.id.seq,
            "clock": [change.clock.milliseconds, UInt64(change.clock.counter)],
            "dependencies": dependencies, "operations": operations,
        ]
    }

    static func document(name: String, description: String, changes: [Change]) throws -> Data {
        var replica = Replica(id: ReplicaID(high: 0, low: 0))
        for change in changes { try replica.receive(change) }
        let object: [String: Any] = [
            "name": name, "description": description,
            "changes": changes.map(readable),
            "batch_hex": hex(ChangeCodec.encode(changes)),
            "snapshot_hex": hex(replica.snapshot.encoded()),
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    @Test func vectorsMatchInBothDirections() throws {
        let write = ProcessInfo.processInfo.environment["FLARE_WRITE_VECTORS"] == "1"
        for (name, description, changes) in try Self.vectors() {
            let url = Self.folder.appendingPathComponent("\(name).json")
            let expected = try Self.document(name: name, description: description, changes: changes)
            if write { try expected.write(to: url) }
            let stored = try Data(contentsOf: url)
            let file = try #require(try JSONSerialization.jsonObject(with: stored) as? [String: Any])
            let generated = try #require(try JSONSerialization.jsonObject(with: expected) as? [String: Any])
            #expect(NSDictionary(dictionary: file).isEqual(to: generated), "\(name): readable form or bytes differ")

            let batch = Self.unhex(try #require(file["batch_hex"] as? String))
            #expect(ChangeCodec.encode(changes) == batch, "\(name): encoding differs from the vector")
            #expect(try ChangeCodec.decode(batch) == changes, "\(name): decoding the vector differs")

            let snapshot = Self.unhex(try #require(file["snapshot_hex"] as? String))
            #expect(try StateSnapshot.decode(snapshot).encoded() == snapshot, "\(name): snapshot does not round-trip")
        }
    }
}
