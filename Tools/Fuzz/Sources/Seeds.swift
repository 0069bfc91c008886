#if !FUZZING
import FlareBytes
import FlareCRDT
import FlareFixtures
import FlareWire
import Foundation

/// The seed corpora (Tools/Fuzz/corpus/<target>/): small valid inputs made by encoding real
/// values, from Protocol/vectors/ and replicas edited here. `flare-fuzz seeds FOLDER`, run
/// from the package root.
enum Seeds {
    static func write(to folder: String) throws {
        var corpora: [String: [(String, [UInt8])]] = [:]
        let vectors = "Protocol/vectors"
        for name in ["single-change", "two-replicas-concurrent", "journal-every-op"] {
            let object = try json("\(vectors)/\(name).json")
            corpora["changes", default: []].append(("vector-\(name)", Hex.decode(object["batch_hex"] as! String)!))
            corpora["snapshot", default: []].append(("vector-\(name)", Hex.decode(object["snapshot_hex"] as! String)!))
        }
        let (phone, laptop) = try replicas()
        corpora["changes", default: []].append(("two-replicas-every-op", ChangeCodec.encode(phone.changes())))
        corpora["changes", default: []].append(("laptop-typing", ChangeCodec.encode(laptop.changes())))
        corpora["snapshot", default: []].append(("two-replicas-every-op", phone.snapshot.encoded()))
        corpora["checkpoint", default: []].append(("phone", phone.checkpoint()))
        corpora["checkpoint", default: []].append(("laptop", laptop.checkpoint()))
        var rebased = laptop
        _ = rebased.rebaseOnCheckpoint()
        try rebased.makeChange(wallMilliseconds: 1_767_300_000_000) { try $0.insertText("e2", "note", at: 0, "rebased ") }
        corpora["checkpoint", default: []].append(("laptop-rebased", rebased.checkpoint()))
        corpora["checkpoint", default: []].append(("empty", Replica(id: ReplicaExercise.local).checkpoint()))

        #if DEBUG
        let batches = [ChangeCodec.encode(Array(phone.changes().prefix(2))), ChangeCodec.encode(Array(phone.changes().dropFirst(2)))]
        corpora["export", default: []].append(("two-chunks", ExportHarness.input(batches: batches)))
        corpora["export", default: []].append(("one-chunk", ExportHarness.input(batches: [ChangeCodec.encode(laptop.changes())])))
        corpora["export", default: []].append(("empty", ExportHarness.input(batches: [ChangeCodec.encode([])])))
        #endif

        let wire = try json("\(vectors)/wire.json")
        var frames: [[UInt8]] = []
        for message in wire["messages"] as! [[String: Any]] {
            let frame = Hex.decode(message["frame_hex"] as! String)!
            frames.append(frame)
            corpora["messages", default: []].append((message["name"] as! String, Array(frame.dropFirst(4))))
        }
        corpora["frames", default: []].append(("all-messages", [0, 0, 1] + frames.joined()))
        corpora["frames", default: []].append(("handshake-limit-1k", [0, 61, 7] + frames.prefix(5).joined()))
        corpora["frames", default: []].append(("one-byte-chunks", [0, 0, 0] + frames.suffix(4).joined()))

        // Relay scripts (RelayHarness): join an open relay and use the vault; join with an
        // invite, then a second device authenticates; pushes past a small quota.
        let hello: UInt8 = 1, auth: UInt8 = 2, join: UInt8 = 3, push: UInt8 = 4, pull: UInt8 = 5, snapshot: UInt8 = 6, forget: UInt8 = 7
        let second: UInt8 = 8
        corpora["relay", default: []].append(("open-join-push-pull", [1, hello, join,
            push, 2, 0, 1, 2, 10, 1, 1, 1, 4,
            pull, 0, 0x80, 0x80, 0x40,
            snapshot | 2 << 4, 2, 3, snapshot | 1 << 4, 0x40, 0, 0, 0, 0, 0x41, 0, 0, 0, 9,
            forget]))
        corpora["relay", default: []].append(("invite-then-auth", [0, hello, join | 1 << 4,
            push, 1, 0, 1, 3, 20,
            second | hello | 1 << 4, second | join,
            second | pull, 0, 10, second | push, 1, 0, 4, 4, 1, pull, 1, 0xff, 0xff, 3]))
        corpora["relay", default: []].append(("quota-and-small-frames", [1 | 3 << 1 | 2 << 3, hello | 2 << 4, join,
            push, 3, 1, 1, 1, 200, 1, 2, 2, 200, 1, 3, 3, 200,
            pull, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, second | hello | 3 << 4, second | auth | 1 << 4]))
        corpora["relay", default: []].append(("wrong-signatures", [0, hello | 8 << 4, hello, auth | 1 << 4, hello, auth,
            second | hello | 4 << 4, second | join | 2 << 4, second | forget | 1 << 4]))

        for name in ["text-delete-keeps-concurrent-insert", "delivery-gap-holds-back-every-later-change", "counter-negative-increments",
                     "set-concurrent-add-remove-add-wins", "doc-delete-vs-concurrent-edit-keeps-document", "lww-concurrent-null-is-a-value",
                     "clock-skew-ahead-replica-wins-concurrent-write", "register-set-null-clears-value"]
        {
            let path = "Protocol/fixtures/\(name).json"
            guard let data = FileManager.default.contents(atPath: path) else { throw FuzzUsage("missing \(path)") }
            corpora["fixture", default: []].append((name, [UInt8](data)))
            // The engine protocol's requests for the same fixture, as the runner sends them.
            let recorder = RequestRecorder()
            _ = FixtureRunner.run(try Fixture(json: data), on: EngineSession(transport: recorder))
            corpora["engine", default: []].append((name, Array(recorder.lines.joined(separator: [0x0A]))))
        }

        for (target, inputs) in corpora.sorted(by: { $0.key < $1.key }) {
            let directory = (folder as NSString).appendingPathComponent(target)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, bytes) in inputs {
                // Every seed must run through its harness cleanly.
                Harnesses.named(target)!(bytes)
                try Data(bytes).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)))
            }
            print("\(target): \(inputs.count) seeds")
        }
    }

    static func json(_ path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { throw FuzzUsage("missing \(path) (run from the package root)") }
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// Two replicas that used every operation, synced once, then edited concurrently.
    static func replicas() throws -> (Replica, Replica) {
        var phone = Replica(id: ReplicaID(bytes: [UInt8](repeating: 0x11, count: 16))!)
        var laptop = Replica(id: ReplicaID(bytes: [UInt8](repeating: 0x22, count: 16))!)
        var wall: UInt64 = 1_767_225_600_000
        func next() -> UInt64 { wall += 60_000; return wall }
        try phone.makeChange(wallMilliseconds: next()) { change in
            try change.create("e1", type: "symptom")
            try change.set("e1", "pain", to: .int(6))
            try change.set("e1", "sleep_hours", to: .double(7.5))
            try change.set("e1", "ratio", to: .double(0.1))
            try change.set("e1", "flare", to: .bool(true))
            try change.set("e1", "gone", to: .null)
            try change.set("e1", "kind", to: .string("ache"))
            try change.add("e1", "regions", "neck")
            try change.add("e1", "regions", "hips")
            try change.increment("e1", "doses", by: 2)
            try change.insertText("e1", "note", at: 0, "deep ache")
        }
        try phone.makeChange(wallMilliseconds: next()) { change in
            try change.remove("e1", "regions", "neck")
            try change.insertText("e1", "note", at: 4, " dull")
            try change.deleteText("e1", "note", at: 0, count: 2)
            try change.create("e2", type: "treatment")
            try change.insertText("e2", "note", at: 0, "ibuprofen ✓")
        }
        for change in phone.changes() { try laptop.receive(change) }
        try laptop.makeChange(wallMilliseconds: next()) { change in
            try change.set("e1", "pain", to: .int(4))
            try change.increment("e1", "doses", by: -1)
            try change.deleteText("e2", "note", at: 3, count: 4)
        }
        try phone.makeChange(wallMilliseconds: next()) { change in
            try change.set("e1", "pain", to: .int(7))
            try change.delete("e2")
            try change.create("e3", type: "event")
        }
        for change in laptop.changes(notIn: phone.versionVector) { try phone.receive(change) }
        for change in phone.changes(notIn: laptop.versionVector) { try laptop.receive(change) }
        try laptop.makeChange(wallMilliseconds: next()) { try $0.insertText("e1", "note", at: 0, "later: ") }
        // Typing, one character per change: a stretch that receivers take into one run.
        for (offset, character) in "stiff".enumerated() {
            try laptop.makeChange(wallMilliseconds: next()) { try $0.insertText("e1", "note", at: 7 + offset, String(character)) }
        }
        return (phone, laptop)
    }
}
/// Keeps the request lines a run sends to Flare's own engine, for the engine corpus.
final class RequestRecorder: EngineTransport {
    private let engine = InProcessEngine()
    private(set) var lines: [[UInt8]] = []

    func exchange(_ request: [UInt8]) throws(EngineTransportError) -> [UInt8] {
        lines.append(request)
        return try engine.exchange(request)
    }

    func stop() {
        engine.stop()
    }

    func close() {
        engine.close()
    }
}
#endif
