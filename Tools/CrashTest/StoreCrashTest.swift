// The vault crash test (issue 4): a child process writes to a vault in a loop and is killed
// with SIGKILL at random moments; after every kill the vault must open, pass its integrity
// check and hold every change whose write had returned.
//
//   flare-store-crash run [--kills N] [--seed S] [--folder PATH]   # the test (exit 1 on failure)
//   flare-store-crash writer PATH SEED                              # the child (used by `run`)
//
// The child prints one line per write that returned: "ok <own seq> <foreign seq>", where
// foreign changes come from a simulated second device and are received (sometimes out of
// order, so some wait in the buffer first); now and then it writes a checkpoint instead.
import FlareCRDT
import FlareCrypto
import FlareStore
import Foundation
import ToolSupport

#if canImport(Glibc)
import Glibc
#endif

let passphrase = "crash test passphrase"
let foreignDevice = ReplicaID(high: 0xF0F0_F0F0, low: 0xF0F0_F0F0)

/// Change `seq` of the simulated second device (the same on every run, so a restarted writer
/// continues where the vault is).
func foreignChange(_ seq: UInt64) -> Change {
    var operations: [FlareCRDT.Operation] = []
    if seq == 1 { operations.append(.create(document: "foreign", type: "symptom")) }
    operations.append(.set(document: "foreign", field: "pain", value: .int(Int64(seq % 11))))
    return Change(
        id: ChangeID(replica: foreignDevice, seq: seq),
        clock: HLC(milliseconds: 1_600_000_000_000 + seq),
        dependencies: VersionVector(),
        operations: operations)
}

func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("FAIL: \(message)\n".utf8))
    exit(1)
}

/// The child: writes until killed.
func writer(path: String, seed: UInt64) throws -> Never {
    var random = SplitMix64(state: seed)
    let vault = FileManager.default.fileExists(atPath: path)
        ? try Vault.open(at: path, passphrase: passphrase)
        : try Vault.create(at: path, passphrase: passphrase, parameters: .minimumForTests)
    var entry = Int(vault.replica.versionVector[vault.replicaID])
    say("ready")
    while true {
        // A foreign change left buffered by an earlier kill simply arrives again: a duplicate.
        let foreign = vault.replica.versionVector[foreignDevice]
        switch random.next() % 12 {
        case 10:
            // A checkpoint now and then, so kills also land in the middle of writing one.
            try vault.compact()
        case 0:
            // Two foreign changes, the later first: it waits in the buffer until the other comes.
            _ = try vault.receive([foreignChange(foreign + 2)])
            _ = try vault.receive([foreignChange(foreign + 1)])
        case 1:
            _ = try vault.receive([foreignChange(foreign + 1)])
        case 2, 3:
            try vault.write { batch in
                for _ in 0..<(2 + random.next() % 10) {
                    entry += 1
                    try batch.makeChange { change in try logEntry("e\(entry)", &change, &random) }
                }
            }
        default:
            entry += 1
            try vault.makeChange { change in try logEntry("e\(entry)", &change, &random) }
        }
        say("ok \(vault.replica.versionVector[vault.replicaID]) \(vault.replica.versionVector[foreignDevice])")
    }
}

func logEntry(_ id: String, _ change: inout ChangeBuilder, _ random: inout SplitMix64) throws {
    try change.create(id, type: "symptom")
    try change.set(id, "pain", to: .int(Int64(random.next() % 11)))
    try change.set(id, "fatigue", to: .int(Int64(random.next() % 11)))
    try change.add(id, "regions", ["neck", "shoulders", "lower back", "hips"][Int(random.next() % 4)])
    try change.insertText(id, "note", at: 0, "woke stiff, entry \(id)")
}

/// The parent: kills writers at random moments and checks the vault after each.
func run(kills: Int, seed: UInt64, folder: String?) throws {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    let base = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("flare-crash-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    defer { if folder == nil { try? FileManager.default.removeItem(atPath: base) } }
    let path = base + "/crash.flare"
    var random = SplitMix64(state: seed)
    var acknowledgedOwn: UInt64 = 0
    var acknowledgedForeign: UInt64 = 0
    var unacknowledgedSeen = 0
    var killsWithoutAnyWrite = 0
    for round in 1...kills {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = ["writer", path, String(random.next())]
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        // Mostly while writing; one round in five while the vault is still being created or
        // opened (a checkpoint may be due then too).
        var text = ""
        if random.next() % 5 == 0 {
            usleep(useconds_t(random.next() % 40_000))
        } else {
            while !text.contains("ready\n") {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            usleep(useconds_t(random.next() % 60_000))
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard child.terminationReason == .uncaughtSignal, child.terminationStatus == SIGKILL else {
            fail("round \(round): the writer ended by itself (status \(child.terminationStatus)) before the kill")
        }
        let acknowledged = text.split(separator: "\n").compactMap { line -> (UInt64, UInt64)? in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "ok", let own = UInt64(parts[1]), let foreign = UInt64(parts[2]) else { return nil }
            return (own, foreign)
        }
        if let last = acknowledged.last {
            acknowledgedOwn = max(acknowledgedOwn, last.0)
            acknowledgedForeign = max(acknowledgedForeign, last.1)
        } else {
            killsWithoutAnyWrite += 1
        }
        guard FileManager.default.fileExists(atPath: path) else {
            guard acknowledged.isEmpty else { fail("round \(round): writes were acknowledged but no vault exists") }
            continue
        }
        let vault: Vault
        do {
            vault = try Vault.open(at: path, passphrase: passphrase)
        } catch {
            fail("round \(round): the vault does not open after the kill: \(error)")
        }
        do {
            _ = try vault.verifyIntegrity()
        } catch {
            fail("round \(round): the integrity check fails after the kill: \(error)")
        }
        let own = vault.replica.versionVector[vault.replicaID]
        let foreign = vault.replica.versionVector[foreignDevice]
        guard own >= acknowledgedOwn, foreign >= acknowledgedForeign else {
            fail("round \(round): acknowledged own \(acknowledgedOwn), foreign \(acknowledgedForeign); the vault holds \(own), \(foreign)")
        }
        if own > acknowledgedOwn || foreign > acknowledgedForeign { unacknowledgedSeen += 1 }
        acknowledgedOwn = own
        acknowledgedForeign = foreign
        try vault.close()
    }
    print("""
        {"kills": \(kills), "seed": \(seed), "own_changes": \(acknowledgedOwn), "foreign_changes": \(acknowledgedForeign), \
        "kills_before_any_acknowledged_write": \(killsWithoutAnyWrite), "kills_with_a_committed_unacknowledged_write": \(unacknowledgedSeen)}
        """)
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "writer" where arguments.count == 3:
        guard let seed = UInt64(arguments[2]) else { fail("writer: the seed must be a number") }
        try writer(path: arguments[1], seed: seed)
    case "run":
        var kills = 50
        var seed = UInt64.random(in: 0...UInt64.max)
        var folder: String?
        var rest = arguments.dropFirst()
        while let option = rest.popFirst() {
            guard let value = rest.popFirst() else { fail("\(option) needs a value") }
            switch option {
            case "--kills": kills = Int(value) ?? kills
            case "--seed": seed = UInt64(value) ?? seed
            case "--folder": folder = value
            default: fail("unknown option \(option)")
            }
        }
        try run(kills: max(1, kills), seed: seed, folder: folder)
    default:
        fail("usage: flare-store-crash run [--kills N] [--seed S] [--folder PATH] | writer PATH SEED")
    }
} catch {
    fail("\(error)")
}
