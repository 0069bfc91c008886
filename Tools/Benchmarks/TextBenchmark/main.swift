// flare-text-bench: real editing traces (seeds/traces, CC BY 4.0) replayed into one replica,
// one change per transaction (issue 15).
//
//   flare-text-bench [--limit N] [TRACE...]   TRACE: automerge-paper, seph-blog1, or a path
//                                              to a .json.gz trace (default: both traces)
//
// For each trace, one JSON line: the replay time and patches per second, whether the text
// matches (endContent for a whole trace, plain splicing for a prefix), the encoded history
// and checkpoint bytes, the memory the final replica holds (history included) and the memory
// the final document alone holds (decoded from the checkpoint), and the time for a fresh
// replica to import the encoded history.
import FlareCRDT
import Foundation
import ToolSupport

#if canImport(Glibc)
import Glibc
#endif

/// Seconds of CPU this process has used (what the Python peers measure with process_time).
func cpuSeconds() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }

var arguments = Array(CommandLine.arguments.dropFirst())
var limit: Int?
if let flag = arguments.firstIndex(of: "--limit") {
    guard flag + 1 < arguments.count, let value = Int(arguments[flag + 1]), value >= 0 else {
        FileHandle.standardError.write(Data("usage: flare-text-bench [--limit N] [TRACE...]\n".utf8))
        exit(64)
    }
    limit = value
    arguments.removeSubrange(flag...(flag + 1))
}
let names = arguments.isEmpty ? ["automerge-paper", "seph-blog1"] : arguments

for name in names {
    let path = name.hasSuffix(".json.gz") ? name : EditingTrace.folder.appendingPathComponent(name + ".json.gz").path
    let trace: EditingTrace
    do {
        trace = try EditingTrace(gzipped: path)
    } catch {
        FileHandle.standardError.write(Data("flare-text-bench: \(error)\n".utf8))
        exit(66)
    }
    do {
        try measure(trace, name: name, limit: limit)
    } catch {
        // A trace whose patches do not fit its text, say: a sentence, not a trap.
        FileHandle.standardError.write(Data("flare-text-bench: \(name): \(error)\n".utf8))
        exit(65)
    }
}

/// Replays the first `limit` transactions of `trace` (all when nil), encodes, restores and
/// imports them, and prints its line.
func measure(_ trace: EditingTrace, name: String, limit: Int?) throws {
    let transactions = min(limit ?? trace.transactions.count, trace.transactions.count)
    let patches = trace.transactions.prefix(transactions).reduce(0) { $0 + $1.count }
    let clock = ContinuousClock()
    let heapBefore = heapBytesInUse()
    var replica = Replica(id: ReplicaID.random())
    let start = clock.now
    let startCPU = cpuSeconds()
    try trace.replay(into: &replica, document: "doc", field: "text", limit: transactions)
    let replay = seconds(clock.now - start)
    let replayCPU = cpuSeconds() - startCPU
    let replicaMegabytes = Double(heapBytesInUse() - heapBefore) / 1_048_576
    let text = replica.document("doc")?.text("text") ?? ""
    let expected = transactions == trace.transactions.count ? trace.endContent : try trace.plainText(after: transactions)
    let matches = text == expected
    let history = ChangeCodec.encode(replica.changes())
    let checkpoint = replica.checkpoint()
    let restored = try Replica(checkpoint: checkpoint)
    let documentHeapBefore = heapBytesInUse()
    let document = restored.document("doc")
    let documentMegabytes = Double(heapBytesInUse() - documentHeapBefore) / 1_048_576
    guard document?.text("text") == text else {
        FileHandle.standardError.write(Data("flare-text-bench: the checkpoint of \(name) does not give the text back\n".utf8))
        exit(1)
    }
    let importStart = clock.now
    let importStartCPU = cpuSeconds()
    var imported = Replica(id: ReplicaID.random())
    try imported.receive(contentsOf: ChangeCodec.decode(history))
    let importSeconds = seconds(clock.now - importStart)
    let importCPU = cpuSeconds() - importStartCPU
    guard imported.snapshot.encoded() == replica.snapshot.encoded() else {
        FileHandle.standardError.write(Data("flare-text-bench: importing the history of \(name) did not give the same state\n".utf8))
        exit(1)
    }
    printJSON([
        "benchmark": "text", "trace": name, "transactions": transactions, "patches": patches, "matches": matches,
        "replay_seconds": replay, "patches_per_second": Double(patches) / max(replay, 1e-9),
        "history_bytes": history.count, "checkpoint_bytes": checkpoint.count,
        "replica_memory_mb": replicaMegabytes, "document_memory_mb": documentMegabytes,
        "import_seconds": importSeconds, "replay_cpu_seconds": replayCPU, "import_cpu_seconds": importCPU, "characters": text.unicodeScalars.count,
    ])
    guard matches else {
        FileHandle.standardError.write(Data("flare-text-bench: the text of \(name) does not match the trace\n".utf8))
        exit(1)
    }
}
