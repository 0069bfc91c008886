// The encrypted vault benchmark (issue 4). Measures, in one run, the limits of the parts
// called from C (libsodium's AEAD, SQLite in WAL mode) and what FlareStore achieves on top
// of them; prints one JSON object per measurement and a summary of the targets.
//
//   swift run -c release flare-store-bench              # 100k entries
//   swift run -c release flare-store-bench 1000000      # any number of entries
//
// This tool calls libsodium and SQLite directly, to measure the floor FlareStore stands on;
// the product code reaches libsodium only through FlareCrypto.
import ToolSupport
import CSodium
import FlareCRDT
import FlareCrypto
import FlareStore
import Foundation
import GRDBSQLite

let clock = ContinuousClock()

// MARK: C-level limits

/// XChaCha20-Poly1305 sealing `size`-byte messages for about `budget` seconds.
func sodiumSeal(size: Int, budget: Double = 1) -> [String: Any] {
    _ = sodium_init()
    var key = [UInt8](repeating: 7, count: Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))
    var nonce = [UInt8](repeating: 1, count: Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES))
    let message = [UInt8](repeating: 0x42, count: size)
    var output = [UInt8](repeating: 0, count: size + Int(crypto_aead_xchacha20poly1305_ietf_ABYTES))
    var count = 0
    var outputLength: UInt64 = 0
    let start = clock.now
    while seconds(clock.now - start) < budget {
        for _ in 0..<64 {
            nonce[0] &+= 1
            crypto_aead_xchacha20poly1305_ietf_encrypt(
                &output, &outputLength, message, UInt64(size), nil, 0, nil, nonce, key)
        }
        count += 64
    }
    let elapsed = seconds(clock.now - start)
    key.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
    return ["c_seal_message_bytes": size, "c_seals_per_second": Double(count) / elapsed, "c_seal_bytes_per_second": Double(count * size) / elapsed]
}

func check(_ code: Int32, _ what: String, _ db: OpaquePointer?) {
    guard code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW else {
        fatalError("\(what): \(String(cString: sqlite3_errmsg(db)))")
    }
}

/// SQLite in WAL mode from C: 160-byte rows inserted in one transaction, and single-row
/// transactions (each a commit) with `synchronous` FULL (what FlareStore uses) and NORMAL.
func sqliteLimits(folder: String, rows: Int = 200_000, commits: Int = 3000) -> [String: Any] {
    var result: [String: Any] = [:]
    for synchronous in ["FULL", "NORMAL"] {
        let path = "\(folder)/c-\(synchronous).sqlite"
        var db: OpaquePointer?
        check(sqlite3_open(path, &db), "open", db)
        check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=\(synchronous); CREATE TABLE t (id INTEGER PRIMARY KEY, k BLOB NOT NULL, v BLOB NOT NULL)", nil, nil, nil), "setup", db)
        var insert: OpaquePointer?
        check(sqlite3_prepare_v2(db, "INSERT INTO t (k, v) VALUES (?, ?)", -1, &insert, nil), "prepare", db)
        let key = [UInt8](repeating: 1, count: 24)
        let value = [UInt8](repeating: 2, count: 136)
        func insertRow() {
            sqlite3_bind_blob(insert, 1, key, Int32(key.count), nil)
            sqlite3_bind_blob(insert, 2, value, Int32(value.count), nil)
            check(sqlite3_step(insert), "insert", db)
            sqlite3_reset(insert)
        }
        if synchronous == "FULL" {
            let bulk = seconds(clock.measure {
                check(sqlite3_exec(db, "BEGIN", nil, nil, nil), "begin", db)
                for _ in 0..<rows { insertRow() }
                check(sqlite3_exec(db, "COMMIT", nil, nil, nil), "commit", db)
            })
            result["c_sqlite_rows_per_second_one_transaction"] = Double(rows) / bulk
        }
        var latencies: [Double] = []
        for _ in 0..<commits {
            latencies.append(seconds(clock.measure { insertRow() }))
        }
        let total = latencies.reduce(0, +)
        result["c_sqlite_\(synchronous.lowercased())_commits_per_second"] = Double(commits) / total
        result["c_sqlite_\(synchronous.lowercased())_commit_p99_ms"] = percentile(latencies, 0.99) * 1000
        sqlite3_finalize(insert)
        sqlite3_close(db)
    }
    return result
}

// MARK: FlareStore

func fileBytes(_ path: String) -> Int {
    ["", "-wal"].reduce(0) { total, suffix in
        total + (((try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? Int) ?? 0)
    }
}

func flare(entries: Int, folder: String) throws -> [String: Any] {
    let path = "\(folder)/bench-\(entries).flare"
    let passphrase = "benchmark passphrase"
    var workload = Workload()
    let start: UInt64 = 1_767_225_600_000
    var jsonBytes = 0
    var result: [String: Any] = ["entries": entries]

    // The same entries persisted twice in batches of 1,000 (each batch one transaction,
    // durable on return): with the store's automatic compaction (on a second thread), and
    // with it off, all on one thread: the log alone, then one compaction at the end. Only the
    // vault's work is timed.
    let entryList = (0..<entries).map { workload.entry(at: start + UInt64($0) * 60_000) }
    jsonBytes += entryList.reduce(0) { $0 + $1.json.count }
    func persist(_ vault: Vault) throws -> Double {
        var total = 0.0
        for first in stride(from: 0, to: entries, by: 1000) {
            let batch = entryList[first..<min(entries, first + 1000)]
            total += seconds(try clock.measure {
                try vault.write { writer in
                    for entry in batch { try writer.makeChange(wallMilliseconds: UInt64(entry.at) * 1000, entry.record) }
                }
            })
        }
        return total
    }
    let bulk = try Vault.create(at: "\(folder)/bulk-\(entries).flare", passphrase: passphrase, parameters: .minimumForTests)
    bulk.compactsAutomatically = false
    let bulkWrites = try persist(bulk)
    let finalCompaction = seconds(try clock.measure { try bulk.compact() })
    try bulk.close()
    result["log_only_entries_per_second"] = Double(entries) / bulkWrites
    result["one_compaction_at_end_ms"] = finalCompaction * 1000
    result["log_then_one_compaction_entries_per_second"] = Double(entries) / (bulkWrites + finalCompaction)

    let vault = try Vault.create(at: path, passphrase: passphrase, parameters: .minimumForTests)
    let batchSeconds = try persist(vault)
    result["batched_entries_per_second"] = Double(entries) / batchSeconds

    // Single-entry commits on top of the full vault.
    var latencies: [Double] = []
    for index in 0..<2000 {
        let entry = workload.entry(at: start + UInt64(entries + index) * 60_000)
        jsonBytes += entry.json.count
        latencies.append(seconds(try clock.measure { try vault.makeChange(entry.record) }))
    }
    result["single_commit_p50_ms"] = percentile(latencies, 0.5) * 1000
    result["single_commit_p99_ms"] = percentile(latencies, 0.99) * 1000
    result["single_commit_max_ms"] = (latencies.max() ?? 0) * 1000
    try vault.close()

    // Open with the state ready, five times (the passphrase KDF at test parameters, so this is
    // the vault's own cost; the KDF at its real parameters is measured separately).
    var opens: [Double] = []
    for _ in 0..<5 {
        var opened: Vault?
        opens.append(seconds(try clock.measure { opened = try Vault.open(at: path, passphrase: passphrase) }))
        precondition(opened!.replica.liveDocumentIDs.count == entries + 2000)
        try opened!.close()
    }
    result["open_state_ready_median_ms"] = median(opens) * 1000
    result["file_bytes"] = fileBytes(path)
    result["disk_bytes_per_entry"] = Double(fileBytes(path)) / Double(entries + 2000)
    result["plaintext_json_bytes_per_entry"] = Double(jsonBytes) / Double(entries + 2000)
    result["disk_to_json_ratio"] = Double(fileBytes(path)) / Double(jsonBytes)
    result["peak_rss_mb"] = residentMegabytes("VmHWM:")
    return result
}

func passphraseKDF() throws -> [String: Any] {
    let salt = PassphraseParameters.newSalt()
    var times: [Double] = []
    for _ in 0..<3 {
        times.append(seconds(try clock.measure {
            _ = try PassphraseKey.derive(passphrase: "benchmark passphrase", salt: salt, parameters: .recommended)
        }))
    }
    return ["kdf_recommended_median_ms": median(times) * 1000]
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flare-store-bench-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }

let small = sodiumSeal(size: 128)
let large = sodiumSeal(size: 64 * 1024)
printJSON(small)
printJSON(large)
let sqlite = sqliteLimits(folder: folder)
printJSON(sqlite)
printJSON(try passphraseKDF())
let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
for entries in sizes.isEmpty ? [100_000] : sizes {
    let measured = try flare(entries: entries, folder: folder)
    printJSON(measured)
    let commitFloor = sqlite["c_sqlite_full_commit_p99_ms"] as! Double
    print("""
        targets at \(entries) entries: batched \(Int(measured["batched_entries_per_second"] as! Double)) entries/s, \
        log only \(Int(measured["log_only_entries_per_second"] as! Double)) (target 100000); \
        single commit p99 \(String(format: "%.3f", measured["single_commit_p99_ms"] as! Double)) ms (target < 1, C floor \(String(format: "%.3f", commitFloor)) ms); \
        open \(String(format: "%.0f", measured["open_state_ready_median_ms"] as! Double)) ms (target < 300 at 100k); \
        disk/JSON \(String(format: "%.2f", measured["disk_to_json_ratio"] as! Double)) (target <= 1.5)
        """)
}
