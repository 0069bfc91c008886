import FlareCRDT
import Foundation

/// What the CRDT harnesses do with a replica built from untrusted bytes: read it, edit it
/// locally as a user would, checkpoint and restore it, and sync its changes to a fresh replica.
/// A replica the decoders let through must never trap later, whatever it holds.
enum ReplicaExercise {
    /// The harness replicas' ids (the vectors' first replica is 0x11…, so echoes of it happen).
    static let local = ReplicaID(bytes: [UInt8](repeating: 0x11, count: 16))!
    static let peer = ReplicaID(bytes: [UInt8](repeating: 0x7e, count: 16))!
    /// 2026-01-01T00:00:00Z, the vectors' era.
    static let wall: UInt64 = 1_767_225_600_000

    /// FLARE_FUZZ_VERBOSE=1: the harnesses print what they do (for reading a crash input).
    static let verbose = ProcessInfo.processInfo.environment["FLARE_FUZZ_VERBOSE"] != nil
    /// FLARE_FUZZ_CLOCK_ORDER=1: the convergence check feeds the fresh replica `changes()`
    /// (clock order) instead of the order the changes applied in. Off by default: a replica
    /// validates a received change's ops against its state, not the change's causal past, so
    /// crafted changes that are fine in one delivery order are refused in another
    /// (Tools/Fuzz/crashes/CRASHES.md).
    static let clockOrder = ProcessInfo.processInfo.environment["FLARE_FUZZ_CLOCK_ORDER"] != nil

    /// Reads every document, makes a handful of local edits (each its own change, refusals
    /// ignored), and checks that a checkpoint of the result restores to the same state.
    /// With `applied` (the ids of the changes received, in the order they applied), also checks
    /// that a fresh replica fed the same changes and then the local edits converges to it.
    static func run(_ replica: inout Replica, applied: [ChangeID]?) {
        var local: [ChangeID] = []
        func edit(_ replica: inout Replica, _ body: (inout ChangeBuilder) throws -> Void) {
            if let change = try? replica.makeChange(wallMilliseconds: wall, body) { local.append(change.id) }
        }
        read(replica)
        let ids = replica.liveDocumentIDs
        for id in ids.prefix(4) {
            guard let document = replica.document(id) else { continue }
            for (name, field) in document.visibleFields.prefix(6) {
                edit(&replica) { change in
                    switch field {
                    case .register: try change.set(id, name, to: .int(1))
                    case .set:
                        try change.add(id, name, "fuzz")
                        try change.remove(id, name, "fuzz")
                    case .counter: try change.increment(id, name, by: 1)
                    case .text(let text):
                        try change.insertText(id, name, at: text.count, "b")
                        try change.insertText(id, name, at: 0, "a")
                        try change.deleteText(id, name, at: 0, count: min(2, text.count + 2))
                    }
                }
            }
            edit(&replica) { try $0.set(id, "fuzz.field", to: .string("x")) }
        }
        edit(&replica) { change in
            try change.create("fuzz.doc", type: "fuzz")
            try change.set("fuzz.doc", "at", to: .double(7.5))
            try change.add("fuzz.doc", "tags", "t")
            try change.increment("fuzz.doc", "count", by: -3)
            try change.insertText("fuzz.doc", "note", at: 0, "héllo")
        }
        if let first = ids.first { edit(&replica) { try $0.delete(first) } }
        read(replica)

        let state = replica.snapshot.encoded()
        let checkpoint = replica.checkpoint()
        let restored: Replica
        do { restored = try Replica(checkpoint: checkpoint) } catch {
            fatalError("a replica's own checkpoint does not restore: \(error)")
        }
        precondition(restored.snapshot.encoded() == state, "a restored checkpoint differs from the replica it encodes")
        var continued = restored
        Self.edit(&continued) { try $0.set("fuzz.doc", "after", to: .bool(true)) }

        if let applied {
            var fresh = Replica(id: peer)
            let log = clockOrder ? replica.changes() : (applied + local).map { replica.change($0)! }
            for change in log {
                do { try fresh.receive(change) } catch {
                    fatalError("a fresh replica refuses an applied change \(change.id): \(error)")
                }
            }
            precondition(fresh.bufferedCount == 0, "a fresh replica buffers applied changes given in causal order")
            precondition(fresh.snapshot.encoded() == state, "a fresh replica fed every applied change does not converge")
        }
    }

    static func edit(_ replica: inout Replica, _ body: (inout ChangeBuilder) throws -> Void) {
        _ = try? replica.makeChange(wallMilliseconds: wall, body)
    }

    /// Touches everything a reader would: documents, fields, text, snapshot.
    static func read(_ replica: Replica) {
        var total = 0
        for id in replica.liveDocumentIDs {
            guard let document = replica.document(id) else { continue }
            total &+= document.type.utf8.count
            for (_, field) in document.visibleFields {
                if case .text(let text) = field { total &+= text.string.unicodeScalars.count &+ text.count }
            }
        }
        _ = replica.bufferedChangeIDs
        let snapshot = replica.snapshot.encoded()
        precondition(total >= 0 && !snapshot.isEmpty)
    }
}

/// A line on standard error, unbuffered (so it shows even when the harness then traps).
func trace(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
