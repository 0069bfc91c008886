import Foundation
import Testing
import TestSupport
import ToolSupport

/// `flare sync` (the built binary) SIGKILLed at random moments of a large push and of large
/// pulls, through a real `flare-relay`: every vault stays sound (`flare doctor`), and the next
/// syncs converge with nothing lost or applied twice.
@Suite struct SyncKillTests {
    static let test = "aKilledSyncLeavesASoundVaultAndTheNextOneConverges"

    /// When to kill: once the sync printed `lines` progress lines (then `extra` microseconds
    /// more), or `delay` microseconds after it started (anywhere: opening the vault, the
    /// handshake, a page).
    enum Moment: CustomStringConvertible, Sendable {
        case afterProgress(lines: Int, extra: UInt32)
        case afterStart(delay: UInt32)

        var description: String {
            switch self {
            case .afterProgress(let lines, let extra): return "after \(lines) progress lines + \(extra) µs"
            case .afterStart(let delay): return "\(delay / 1000) ms after start"
            }
        }

        /// A moment within a sync that prints `maximumLines` progress lines and lasts
        /// `maximumDelay` microseconds (as far as the syncs that got through so far tell),
        /// so that most kills land before the sync ends by itself.
        static func random(maximumLines: Int, maximumDelay: UInt32, using generator: inout SplitMix64) -> Moment {
            if Bool.random(using: &generator) {
                return .afterProgress(lines: Int.random(in: 1...max(1, maximumLines), using: &generator), extra: UInt32.random(in: 0..<20_000, using: &generator))
            }
            return .afterStart(delay: UInt32.random(in: 100_000..<max(100_001, maximumDelay), using: &generator))
        }
    }

    /// Runs `flare sync --progress` on `vault` and SIGKILLs it at `moment`; whether the kill
    /// landed (false: the sync had ended by itself, with its status), how many pages it
    /// had reported done by then, how many progress lines it printed and how long it ran (µs).
    static func syncKilled(vault: String, at moment: Moment, relay: String? = nil) throws -> (killed: Bool, status: Int32, pages: Int, lines: Int, lasted: UInt32) {
        let began = ContinuousClock.now
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["sync", "--progress"] + (relay.map { ["--relay", $0] } ?? [])
        var environment = ProcessInfo.processInfo.environment
        environment["FLARE_VAULT"] = vault
        environment["FLARE_PASSPHRASE"] = "a passphrase for tests"
        process.environment = environment
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var text = ""
        switch moment {
        case .afterProgress(let lines, let extra):
            while text.count(where: { $0 == "\n" }) < lines {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            usleep(extra)
        case .afterStart(let delay):
            usleep(delay)
        }
        kill(process.processIdentifier, SIGKILL)
        // Drain what is left (a pipe nobody reads could hold a live process up).
        text += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        let lines = text.split(separator: "\n")
        let pages = lines.count { $0.hasPrefix("Sending") || $0.hasPrefix("Receiving") }
        let lasted = (ContinuousClock.now - began).components
        let microseconds = min(UInt64(UInt32.max), UInt64(lasted.seconds) * 1_000_000 + UInt64(lasted.attoseconds / 1_000_000_000_000))
        return (killed, process.terminationStatus, pages, lines.count, UInt32(microseconds))
    }

    /// Runs `body` on a thread of its own: waiting for processes must not hold up one of the
    /// few threads every other test's tasks run on.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    static func flare(_ arguments: [String], vault: String) async throws -> CLITests.Result {
        try await offPool { try CLITests.flare(arguments, vault: vault) }
    }

    /// `flare doctor --json` passes on `vault`; its change count.
    static func doctor(_ vault: String, _ context: @autoclosure () -> String) async throws -> Int? {
        let checked = try await flare(["doctor", "--json"], vault: vault)
        let object = checked.json as? [String: Any]
        #expect(checked.status == 0 && object?["ok"] as? Bool == true, "flare doctor failed (\(context())): \(checked.output) \(checked.errors)")
        return object?["changes"] as? Int
    }

    static func importRecords(_ count: Int, prefix: String, into vault: String, folder: TemporaryFolder) async throws {
        let file = folder.path("import-\(prefix).json")
        try SyncCLITests.records(count, prefix: prefix).write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try await flare(["import", file], vault: vault)
        #expect(imported.status == 0, "\(imported.errors)")
    }

    @Test func aKilledSyncLeavesASoundVaultAndTheNextOneConverges() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: RelayProcess.binary.path), "build flare-relay first (Tools/test does)")
        let given = ProcessInfo.processInfo.environment["FLARE_FAULT_SEED"].flatMap { UInt64($0) }
        let seed = given ?? UInt64.random(in: 0...UInt64.max)
        print("[\(Self.test)] seed \(seed); replay with FLARE_FAULT_SEED=\(seed) swift test --filter \(Self.test)")
        var generator = SplitMix64(state: seed)
        let started = ContinuousClock.now

        let folder = try TemporaryFolder()
        let data = folder.path("relay")
        // The smallest frames the relay takes: a push or pull of 2000 records is a few hundred
        // frames, so a kill lands in the middle of one.
        let frames = ["--open", "--max-frame", "1024"]
        var relay = try RelayProcess.restartable(data: data, arguments: frames)
        let port = relay.port
        let address = "127.0.0.1:\(port)"
        let phone = folder.path("phone.flare")
        let created = try await Self.flare(["init", "--device-name", "phone", "--json"], vault: phone)
        let code = try #require((created.json as? [String: Any])?["pairing_code"] as? String)
        let records = 2000
        try await Self.importRecords(records, prefix: "p", into: phone, folder: folder)

        var kills = (push: 0, pull: 0)
        // Kills that landed once the transfer was under way (a page reported done).
        var midTransfer = 0
        var completed = (push: 0, pull: 0)
        func context(_ what: String, _ moment: Moment) -> String { "\(what), killed \(moment), seed \(seed)" }

        // The phone's large push, killed again and again. When one gets through, the relay's
        // data is wiped, so the next push is the whole vault again.
        // Bounded in attempts, and in time (generous: this process's threads can be held up by
        // other tests for minutes on a loaded machine).
        // What a whole sync looks like, from the last one that got through: kills are aimed
        // inside it (on a fast machine a large sync can be over in a fraction of a second).
        var span = (lines: 60, delay: UInt32(900_000))
        let pushing = ContinuousClock.now
        for _ in 0..<45 where kills.push < 25 && ContinuousClock.now - pushing < .seconds(300) {
            let moment = Moment.random(maximumLines: span.lines, maximumDelay: span.delay, using: &generator)
            let outcome = try await Self.offPool { [moment] in try Self.syncKilled(vault: phone, at: moment, relay: address) }
            _ = try await Self.doctor(phone, context("the phone's push", moment))
            if outcome.killed {
                kills.push += 1
                if outcome.pages > 0 { midTransfer += 1 }
                continue
            }
            #expect(outcome.status == 0, "\(context("the phone's push", moment)) exited \(outcome.status)")
            completed.push += 1
            span = (min(span.lines, outcome.lines), min(span.delay, outcome.lasted))
            relay.stop()
            try FileManager.default.removeItem(atPath: data)
            relay = try RelayProcess(data: data, port: port, arguments: frames)
        }
        let push = try await Self.flare(["sync", "--relay", address], vault: phone)
        #expect(push.status == 0, "seed \(seed): \(push.errors)")

        // Large pulls, each by a device that has just joined, killed again and again; when one
        // gets through, another device joins (ten at most).
        var pullers: [String] = []
        var pulling: String?
        span = (lines: 60, delay: 900_000)
        let pullsStarted = ContinuousClock.now
        for _ in 0..<60 where kills.pull < 25 && ContinuousClock.now - pullsStarted < .seconds(300) {
            if pulling == nil {
                guard pullers.count < 10 else { break }
                let vault = folder.path("device-\(pullers.count).flare")
                #expect(try await Self.flare(["join", code, "--device-name", "device \(pullers.count)"], vault: vault).status == 0)
                pullers.append(vault)
                pulling = vault
            }
            let vault = pulling!
            let moment = Moment.random(maximumLines: span.lines, maximumDelay: span.delay, using: &generator)
            let outcome = try await Self.offPool { [moment] in try Self.syncKilled(vault: vault, at: moment, relay: address) }
            _ = try await Self.doctor(vault, context("the pull of \(vault)", moment))
            if outcome.killed {
                kills.pull += 1
                if outcome.pages > 0 { midTransfer += 1 }
            } else {
                #expect(outcome.status == 0, "\(context("the pull of \(vault)", moment)) exited \(outcome.status)")
                completed.pull += 1
                span = (min(span.lines, outcome.lines), min(span.delay, outcome.lasted))
                pulling = nil
            }
        }
        print("[\(Self.test)] seed \(seed): kills during pushes \(kills.push), during pulls \(kills.pull) (\(midTransfer) after a page was done); syncs that ended before their kill: push \(completed.push), pull \(completed.pull); \(pullers.count) pulling devices; \(ContinuousClock.now - started)")
        // Enough kills landed in each phase for the run to mean something. How many land is up
        // to timing (a sync may finish before its moment comes), so this is a floor, not a target.
        #expect(kills.push >= 12 && kills.pull >= 12 && midTransfer >= 8, "seed \(seed): kills landed: push \(kills.push), pull \(kills.pull), mid-transfer \(midTransfer)")

        // Clean syncs, twice round: everyone converges, and a last sync has nothing to do.
        let vaults = [phone] + pullers
        for vault in vaults + vaults {
            let synced = try await Self.flare(["sync", "--relay", address], vault: vault)
            #expect(synced.status == 0, "seed \(seed): \(synced.errors)")
        }
        var changes: [Int?] = []
        for vault in vaults {
            let idle = try await Self.flare(["sync", "--json"], vault: vault)
            let report = idle.json as? [String: Any]
            #expect(report?["applied_changes"] as? Int == 0 && report?["sent_changes"] as? Int == 0, "seed \(seed): \(idle.output) \(idle.errors)")
            let status = try await Self.flare(["status", "--json"], vault: vault).json as? [String: Any]
            #expect(status?["unsent_changes"] as? Int == 0 && status?["waiting_changes"] as? Int == 0, "seed \(seed): \(String(describing: status))")
            changes.append(try await Self.doctor(vault, "after the clean syncs, seed \(seed)"))
        }
        // The same changes everywhere, each once: one per imported record, one per device.
        #expect(changes.allSatisfy { $0 == records + vaults.count }, "seed \(seed): change counts \(changes) for \(records) records and \(vaults.count) devices")
        var exports: [String] = []
        for vault in vaults { exports.append(try await Self.flare(["export", "--format", "json"], vault: vault).output) }
        #expect(exports.allSatisfy { $0 == exports[0] }, "seed \(seed): the exports differ")
        let exported = (try? JSONSerialization.jsonObject(with: Data(exports[0].utf8)) as? [String: Any])?["records"] as? [Any]
        #expect((exported?.count ?? 0) >= records, "seed \(seed): \(exported?.count ?? -1) records exported")
        print("[\(Self.test)] seed \(seed): done in \(ContinuousClock.now - started)")
        relay.stop()
    }
}
