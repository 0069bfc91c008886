// The journal workload benchmark for FlareCRDT (issue 3). Prints one JSON object per N.
//
//   swift run -c release flare-crdt-bench            # N = 20000 and 100000
//   swift run -c release flare-crdt-bench 5000       # any N
//
// Two replicas each create N/2 disjoint symptom entries of 8 fields (timestamp, pain,
// stiffness, fatigue, sleep hours, flare flag, 1–3 regions, a ~40-character note), one change
// per entry; they sync; then both edit the same 10% of entries concurrently (pain and note).
import ToolSupport
import FlareCRDT
import Foundation

func run(entries: Int) throws -> [String: Any] {
    var workload = Workload()
    var phone = Replica(id: ReplicaID.random())
    var laptop = Replica(id: ReplicaID.random())
    var ids: [String] = []
    var fieldWrites = 0
    let start: UInt64 = 1_767_225_600_000
    for index in 0..<entries {
        let wall = start + UInt64(index) * 60_000
        let entry = workload.entry(at: wall)
        ids.append(entry.id)
        fieldWrites += entry.fieldWrites
        if index % 2 == 0 {
            try phone.makeChange(wallMilliseconds: wall, entry.record)
        } else {
            try laptop.makeChange(wallMilliseconds: wall, entry.record)
        }
    }
    let creationHistory = ChangeCodec.encode(phone.changes() + laptop.changes())

    // Memory: what one device holding the imported history adds to the process.
    let beforeKept = residentMegabytes("VmRSS:")
    var imported = Replica(id: ReplicaID.random())
    for change in try ChangeCodec.decode(creationHistory) { try imported.receive(change) }
    let replicaMegabytes = residentMegabytes("VmRSS:") - beforeKept
    // Import: a fresh device replays the full encoded history.
    var importTimes: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<5 {
        var fresh = Replica(id: ReplicaID.random())
        let elapsed = try clock.measure {
            for change in try ChangeCodec.decode(creationHistory) { try fresh.receive(change) }
        }
        importTimes.append(seconds(elapsed))
        precondition(fresh.liveDocumentIDs.count == entries)
    }

    // Sync the two devices, then both edit the same 10% concurrently.
    for change in phone.changes(notIn: laptop.versionVector) { try laptop.receive(change) }
    for change in laptop.changes(notIn: phone.versionVector) { try phone.receive(change) }
    let phoneBefore = phone.versionVector
    let laptopBefore = laptop.versionVector
    let edited = ids.prefix(entries / 10)
    var wall = start + UInt64(entries) * 60_000
    for id in edited {
        wall += 1000
        try phone.makeChange(wallMilliseconds: wall) { edit in
            try edit.set(id, "pain", to: .int(8))
            try edit.insertText(id, "note", at: 0, "worse: ")
        }
        try laptop.makeChange(wallMilliseconds: wall + 7) { edit in
            try edit.set(id, "pain", to: .int(4))
            try edit.insertText(id, "note", at: 0, "better: ")
        }
    }
    let phoneEdits = ChangeCodec.encode(phone.changes(notIn: laptopBefore))
    let laptopEdits = ChangeCodec.encode(laptop.changes(notIn: phoneBefore))
    // One round, on the devices themselves: a copy would pay for copying the whole state on
    // its first write, which is not merge work.
    let mergeSeconds = seconds(try clock.measure {
        for change in try ChangeCodec.decode(laptopEdits) { try phone.receive(change) }
        for change in try ChangeCodec.decode(phoneEdits) { try laptop.receive(change) }
    })
    let mergedPhone = phone
    precondition(phone.snapshot.encoded() == laptop.snapshot.encoded(), "replicas did not converge")
    let conflicts = edited.filter { id in
        if case .register(let register)? = mergedPhone.document(id)?.field("pain") { return !register.conflicts.isEmpty }
        return false
    }.count

    let fullHistory = ChangeCodec.encode(mergedPhone.changes())
    let snapshot = mergedPhone.snapshot.encoded()
    // Checkpoints: what a store pays to save the whole state and to restore it.
    var checkpoint: [UInt8] = []
    let encodeTimes = (0..<3).map { _ in seconds(clock.measure { checkpoint = mergedPhone.checkpoint() }) }
    let decodeTimes = try (0..<3).map { _ in seconds(try clock.measure { _ = try Replica(checkpoint: checkpoint) }) }
    let importSeconds = median(importTimes)
    return [
        "entries": entries,
        "field_writes": fieldWrites,
        "import_seconds_median": importSeconds,
        "import_field_writes_per_second": Double(fieldWrites) / importSeconds,
        "encoded_bytes_per_entry": Double(creationHistory.count) / Double(entries),
        "full_history_bytes_after_edits": fullHistory.count,
        "snapshot_bytes_per_entry": Double(snapshot.count) / Double(entries),
        "checkpoint_bytes_per_entry": Double(checkpoint.count) / Double(entries),
        "checkpoint_encode_ms_median": median(encodeTimes) * 1000,
        "checkpoint_decode_ms_median": median(decodeTimes) * 1000,
        "concurrent_edits_per_side": edited.count,
        "edit_batch_bytes_per_side": (phoneEdits.count + laptopEdits.count) / 2,
        "merge_seconds": mergeSeconds,
        "conflicts_after_merge": conflicts,
        "rss_mb_one_imported_replica": replicaMegabytes,
        "imported_documents": imported.liveDocumentIDs.count,
        "peak_rss_mb": residentMegabytes("VmHWM:"),
    ]
}

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
for entries in sizes.isEmpty ? [20_000, 100_000] : sizes {
    printJSON(try run(entries: entries))
}
