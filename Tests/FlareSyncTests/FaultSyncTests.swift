import FlareCRDT
import FlareRelay
import FlareStore
import FlareWire
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Testing
import TestSupport
import ToolSupport

@testable import FlareSync

/// The seed of a randomized fault test: FLARE_FAULT_SEED if set (to replay a run), else a new
/// one; printed either way.
enum FaultSeed {
    static func seed(for test: String) -> UInt64 {
        let given = ProcessInfo.processInfo.environment["FLARE_FAULT_SEED"].flatMap { UInt64($0) }
        let seed = given ?? UInt64.random(in: 0...UInt64.max)
        print("[\(test)] seed \(seed)\(given == nil ? "" : " (from FLARE_FAULT_SEED)"); replay with FLARE_FAULT_SEED=\(seed) swift test --filter \(test)")
        return seed
    }
}

/// Races `body` against `limit`: its result, or nil if it had not ended by then (it is left
/// running, so a hang is reported instead of hanging the test runner).
func bounded<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
    let once = ResumeOnce<T>()
    return await withCheckedContinuation { continuation in
        once.continuation.withLockedValue { $0 = continuation }
        Task {
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            once.resume(nil)
        }
    }
}

/// A continuation resumed by whichever comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    let continuation = NIOLockedValueBox<CheckedContinuation<Result<T, any Error>?, Never>?>(nil)

    func resume(_ value: Result<T, any Error>?) {
        continuation.withLockedValue { continuation in
            continuation?.resume(returning: value)
            continuation = nil
        }
    }
}

/// Devices syncing through `FaultProxy`: connections cut, reset, stalled and trickled at
/// random points; nothing acknowledged is lost, nothing is applied twice, all converge.
@Suite struct FaultSyncTests {
    static let names = ["phone", "laptop", "tablet"]
    static let shared = (0..<4).map { "shared-\($0)" }

    /// One edit, drawn from the seed.
    enum Edit {
        case increment(String)
        case set(String, Int64)
        case add(String, String)
        /// A token at position `draw % (length + 1)` of the note.
        case insert(String, String, UInt64)
        case entry(String)
    }

    /// What the edits made, to check the converged state against.
    struct Expected {
        var hits: [String: Int64] = [:]
        var tokens: [String: Int] = [:]
        var regions: [String: Set<String>] = [:]
        var entries: Set<String> = []
    }

    /// How the syncs went.
    struct Tally: CustomStringConvertible {
        var syncs = 0
        var succeeded = 0
        var failed: [String: Int] = [:]
        var plans: [FaultPlan.Kind: Int] = [:]

        var description: String {
            let failures = failed.keys.sorted().map { "\($0) \(failed[$0]!)" }.joined(separator: ", ")
            let planned = plans.keys.sorted().map { "\($0.rawValue) \(plans[$0]!)" }.joined(separator: ", ")
            return "\(syncs) syncs (\(succeeded) completed; failed: [\(failures)]); plans: [\(planned)]"
        }
    }

    /// A short name for what ended a sync.
    static func kind(of error: SyncError) -> String {
        switch error {
        case .cut(let when): return "cut " + when.prefix { $0 != "(" }.trimmingCharacters(in: .whitespaces)
        case .refused(let code, _): return "refused \(code)"
        case .protocolViolation: return "protocol violation"
        default: return "\(error)"
        }
    }

    static func apply(_ edit: Edit, to vault: Vault) throws {
        _ = try vault.makeChange { change in
            switch edit {
            case .increment(let id): try change.increment(id, "hits", by: 1)
            case .set(let id, let pain): try change.set(id, "pain", to: .int(pain))
            case .add(let id, let element): try change.add(id, "regions", element)
            case .insert(let id, let token, let draw):
                var length = 0
                if case .text(let text)? = change.document(id)?.field("note") { length = text.count }
                try change.insertText(id, "note", at: Int(draw % UInt64(length + 1)), token)
            case .entry(let id):
                try change.create(id, type: "symptom")
                try change.set(id, "pain", to: .int(3))
                try change.insertText(id, "note", at: 0, "logged while the network misbehaved")
            }
        }
    }

    static func draw(_ edits: Int, by name: String, round: Int, using generator: inout SplitMix64, expected: inout Expected) -> [Edit] {
        (0..<edits).map { index in
            let id = shared.randomElement(using: &generator)!
            switch generator.next() % 5 {
            case 0:
                expected.hits[id, default: 0] += 1
                return .increment(id)
            case 1: return .set(id, Int64(generator.next() % 11))
            case 2:
                let element = "\(name)-\(round)-\(index)"
                expected.regions[id, default: []].insert(element)
                return .add(id, element)
            case 3:
                expected.tokens[id, default: 0] += 1
                return .insert(id, "[\(name) \(round).\(index)]", generator.next())
            default:
                let id = "\(name)-\(round)-\(index)"
                expected.entries.insert(id)
                return .entry(id)
            }
        }
    }

    /// Stalls go both ways, a relay→device stall in the middle of a frame included (the client
    /// times out on a whole reply, item 7); FLARE_FAULT_STALLS=device draws device→relay ones only.
    static let stallDirections: [FaultPlan.Direction] =
        ProcessInfo.processInfo.environment["FLARE_FAULT_STALLS"] == "device" ? [.toTarget] : FaultPlan.Direction.allCases

    /// A plan for one sync.
    static func plan(using generator: inout SplitMix64) -> FaultPlan {
        let roll = generator.next() % 100
        switch roll {
        case 0..<25: return .pass
        case 25..<35: return .trickle
        case 35..<62: return FaultPlan.random([.cut], bytes: 2500, using: &generator)
        case 62..<85: return FaultPlan.random([.reset], bytes: 2500, using: &generator)
        default: return FaultPlan.random([.stall], directions: stallDirections, bytes: 2500, using: &generator)
        }
    }

    /// A sync that had not ended after `FaultSyncTests.hangLimit`.
    struct Hung: Error {}

    /// However a sync goes, it ends well within this.
    static let hangLimit = Duration.seconds(120)

    /// Opens device `name`, makes `edits`, syncs through `proxy` under `plan`; the error, if
    /// any (`Hung` if the sync had not ended after `hangLimit`; it is left running).
    static func editAndSync(
        _ name: String, _ edits: [Edit], plan: FaultPlan, proxy: FaultProxy, devices: TestDevices
    ) async throws -> (any Error)? {
        proxy.use(plan)
        var client = SyncClient()
        // A stall is noticed by the reply deadline; everything else ends by itself.
        if plan.kind == .stall { client.timeout = .seconds(1) }
        let address = RelayAddress(host: "127.0.0.1", port: proxy.port)
        let result = await bounded(hangLimit) { [client] () async throws -> Ended in
            try await devices.with(name) { vault in
                for edit in edits { try apply(edit, to: vault) }
                do {
                    _ = try await client.sync(vault, relay: address)
                    return .completed
                } catch let error as SyncError {
                    return .failed(error)
                } catch {
                    return .failedOtherwise("\(error)")
                }
            }
        }
        switch result {
        case nil: return Hung()
        case .success(.completed)?: return nil
        case .success(.failed(let error))?: return error
        case .success(.failedOtherwise(let text))?: return OtherError(text: text)
        case .failure(let error)?: throw error
        }
    }

    /// How a sync ended.
    enum Ended: Sendable {
        case completed
        case failed(SyncError)
        case failedOtherwise(String)
    }

    /// An error other than a `SyncError`, as text.
    struct OtherError: Error, CustomStringConvertible {
        let text: String
        var description: String { text }
    }

    @Test func threeDevicesEditingThroughAFaultyNetworkConverge() async throws {
        let seed = FaultSeed.seed(for: "threeDevicesEditingThroughAFaultyNetworkConverge")
        var generator = SplitMix64(state: seed)
        let devices = try TestDevices()
        // Small frames: pulls and pushes take several frames, so faults land between and inside
        // them. A long idle limit: on a loaded machine this process's tasks can wait a minute
        // for a thread, and the relay must not take that for a device gone quiet.
        let relay = try await TestRelay.start(
            at: devices.folder.path("relay.sqlite"), settings: .init(maximumFrame: 4096, idleSeconds: 600, open: true))
        var proxies: [String: FaultProxy] = [:]
        for name in Self.names { proxies[name] = try await FaultProxy.start(target: relay.port) }
        var expected = Expected()
        var owned: [String: Int] = [:]

        // The phone logs the shared records; everyone learns of them before the faults start.
        let first = try devices.create("phone")
        _ = try first.makeChange { change in
            for id in Self.shared {
                try change.create(id, type: "symptom")
                try change.insertText(id, "note", at: 0, "shared")
            }
        }
        try first.close()
        owned["phone"] = 1
        for name in Self.names.dropFirst() { try devices.create(name).close() }
        for name in Self.names {
            #expect(try await Self.editAndSync(name, [], plan: .pass, proxy: proxies[name]!, devices: devices) == nil)
        }
        #expect(try await Self.editAndSync("phone", [], plan: .pass, proxy: proxies["phone"]!, devices: devices) == nil)

        var tally = Tally()
        let started = ContinuousClock.now
        var round = 0
        // At least 200 syncs; bounded in rounds and time whatever happens.
        while tally.syncs < 201, round < 200, ContinuousClock.now - started < .seconds(300) {
            round += 1
            let concurrent = generator.next() % 2 == 0
            let order = Self.names.shuffled(using: &generator)
            var jobs: [(name: String, edits: [Edit], plan: FaultPlan)] = []
            for name in order {
                let edits = Self.draw(Int(generator.next() % 4), by: name, round: round, using: &generator, expected: &expected)
                owned[name, default: 0] += edits.count
                jobs.append((name, edits, Self.plan(using: &generator)))
            }
            var outcomes: [(job: Int, error: (any Error)?)] = []
            if concurrent {
                outcomes = try await withThrowingTaskGroup(of: (Int, (any Error)?).self) { group in
                    for (index, job) in jobs.enumerated() {
                        let proxy = proxies[job.name]!
                        group.addTask { (index, try await Self.editAndSync(job.name, job.edits, plan: job.plan, proxy: proxy, devices: devices)) }
                    }
                    var all: [(job: Int, error: (any Error)?)] = []
                    for try await outcome in group { all.append(outcome) }
                    return all
                }
            } else {
                for (index, job) in jobs.enumerated() {
                    outcomes.append((index, try await Self.editAndSync(job.name, job.edits, plan: job.plan, proxy: proxies[job.name]!, devices: devices)))
                }
            }
            var hung = false
            for (index, error) in outcomes {
                let job = jobs[index]
                tally.syncs += 1
                tally.plans[job.plan.kind, default: 0] += 1
                guard let error else {
                    tally.succeeded += 1
                    continue
                }
                let context = "seed \(seed), round \(round), \(job.name), plan \(job.plan)"
                if error is Hung {
                    Issue.record("a sync hung: still running after \(Self.hangLimit) (\(context))")
                    hung = true
                    continue
                }
                guard let syncError = error as? SyncError else {
                    Issue.record("a sync failed with something other than a SyncError (\(context)): \(error)")
                    continue
                }
                tally.failed[Self.kind(of: syncError), default: 0] += 1
                // Nothing went wrong on the way: the sync must complete.
                if job.plan.kind == .pass || job.plan.kind == .trickle {
                    Issue.record("a sync under plan \(job.plan) failed (\(context)): \(syncError)")
                }
            }
            if hung {
                // Stopping the proxies ends the hung sync; the checks below would only
                // repeat that something went wrong.
                for proxy in proxies.values { await proxy.stop() }
                try await relay.stop()
                return
            }
        }
        let faultPhase = ContinuousClock.now - started

        // A final clean round (twice over, so every device hears of every other's last push).
        for proxy in proxies.values { proxy.use(.pass) }
        for name in Self.names + Self.names {
            let error = try await Self.editAndSync(name, [], plan: .pass, proxy: proxies[name]!, devices: devices)
            #expect(error == nil, "the clean sync of \(name) failed (seed \(seed)): \(String(describing: error))")
        }
        var counts = FaultProxy.Counts()
        for proxy in proxies.values { counts = counts + proxy.counts }
        print("[threeDevicesEditingThroughAFaultyNetworkConverge] seed \(seed): \(round) rounds, \(tally) in \(faultPhase); proxy: \(counts)")
        #expect(tally.syncs >= 200)

        // Every device holds what the relay acknowledged, and exactly that: the same state
        // everywhere, every counted edit once.
        let vaultWire = try await devices.with("phone") { WireID($0.vaultID.bytes)! }
        let held = try SyncClient.vector(relay.storage.held(in: vaultWire))
        var states: [[UInt8]] = []
        for name in Self.names {
            try await devices.with(name) { vault in
                let context = "\(name), seed \(seed)"
                states.append(vault.stateBytes)
                #expect(vault.replica.versionVector == held, "\(context): holds \(vault.replica.versionVector), the relay \(held)")
                #expect(held[vault.replicaID] == UInt64(owned[name, default: 0]), "\(context): the relay lost own changes")
                let integrity = try vault.verifyIntegrity()
                #expect(integrity.bufferedCount == 0, "\(context)")
                #expect(integrity.changeCount == held.reduce(0) { $0 + Int($1.seq) }, "\(context): \(integrity.changeCount) changes stored")
                for id in Self.shared {
                    guard let document = vault.replica.document(id) else {
                        Issue.record("\(context): \(id) is missing")
                        continue
                    }
                    var hits: Int64 = 0
                    if case .counter(let value)? = document.field("hits") { hits = value }
                    #expect(hits == expected.hits[id, default: 0], "\(context): \(id) counted \(hits) hits")
                    var note = ""
                    if case .text(let text)? = document.field("note") { note = text.string }
                    #expect(note.count { $0 == "[" } == expected.tokens[id, default: 0], "\(context): \(id)'s note is \(note)")
                    var regions: Set<String> = []
                    if case .set(let set)? = document.field("regions") { regions = Set(set.elements) }
                    #expect(regions == expected.regions[id, default: []], "\(context): \(id)'s regions")
                }
                #expect(Set(vault.replica.liveDocumentIDs) == expected.entries.union(Self.shared), "\(context)")
                // Nothing left: the next sync sends and applies nothing.
                let idle = try await SyncClient().sync(vault)
                #expect(idle.sentChanges == 0 && idle.appliedChanges == 0, "\(context): \(idle)")
            }
        }
        #expect(states.allSatisfy { $0 == states[0] }, "the devices did not converge (seed \(seed))")
        for proxy in proxies.values { await proxy.stop() }
        try await relay.stop()
    }

    /// A relay that stays connected but goes silent towards the device, before a reply, inside
    /// a frame header or in the middle of a frame (of the challenge, of a pull's batch): the sync
    /// ends with a clear error within the client's reply deadline. A hang is reported after
    /// `limit` instead of hanging the runner.
    @Test func aRelayStalledMidReplyEndsTheSyncWithAClearErrorNotAHang() async throws {
        let test = "aRelayStalledMidReplyEndsTheSyncWithAClearErrorNotAHang"
        let seed = FaultSeed.seed(for: test)
        var generator = SplitMix64(state: seed)
        let limit = Duration.seconds(120)
        let devices = try TestDevices()
        let relay = try await TestRelay.start(
            at: devices.folder.path("relay.sqlite"), settings: .init(maximumFrame: 16 * 1024, idleSeconds: 600, open: true))
        let phone = try devices.create("phone")
        try phone.logEntries("p", count: 300)
        _ = try await SyncClient().sync(phone, relay: relay.address)
        try phone.close()

        // How many bytes a whole pull sends a new device, through a proxy that passes everything.
        let probe = try await FaultProxy.start(target: relay.port)
        let probed = try await devices.create("probe").closing { vault in
            try await SyncClient().sync(vault, relay: RelayAddress(host: "127.0.0.1", port: probe.port))
        }
        #expect(probed.appliedChanges == 300)
        let total = probe.counts.bytes[.toClient] ?? 0
        await probe.stop()
        try #require(total > 20_000, "a pull of \(total) bytes")

        let points: [(label: String, bytes: Int)] = [
            ("before the challenge", 0),
            ("inside the challenge's frame header", 2),
            ("inside the challenge, past its header", 12),
            ("halfway through the pull", total / 2),
            ("at a random point of the pull", Int.random(in: total / 4..<total * 3 / 4, using: &generator)),
        ]
        var proxies: [FaultProxy] = []
        for (index, point) in points.enumerated() {
            try devices.create("stalled-\(index)").close()
            let proxy = try await FaultProxy.start(target: relay.port)
            proxy.use(.stall(.toClient, after: point.bytes))
            proxies.append(proxy)
        }
        // All at once: a hang costs `limit` once, not once per point.
        let results = await withTaskGroup(of: (Int, Result<SyncReport, any Error>?).self) { group in
            for index in points.indices {
                let port = proxies[index].port
                group.addTask {
                    let client = {
                        var client = SyncClient()
                        client.timeout = .seconds(2)
                        return client
                    }()
                    let result = await bounded(limit) {
                        try await devices.with("stalled-\(index)") { try await client.sync($0, relay: RelayAddress(host: "127.0.0.1", port: port)) }
                    }
                    return (index, result)
                }
            }
            var all: [Int: Result<SyncReport, any Error>?] = [:]
            for await (index, result) in group { all[index] = result }
            return all
        }
        var hung: Set<Int> = []
        for (index, point) in points.enumerated() {
            let context = "stalled relay→device \(point.label) (after \(point.bytes) of \(total) bytes; seed \(seed))"
            #expect(proxies[index].counts.faults[.stall] == 1, "\(context): the stall did not happen")
            switch results[index] ?? nil {
            case nil:
                hung.insert(index)
                Issue.record("\(context): the sync hung (still running after \(limit)) instead of ending with an error")
            case .success(let report)?:
                Issue.record("\(context): the sync completed through a stalled relay: \(report)")
            case .failure(let error)?:
                print("[\(test)] \(context): \(error)")
                // A clear error: the connection is said to be cut (today "because the relay
                // stopped answering"), and to run the sync again.
                guard let error = error as? SyncError, case .cut = error else {
                    Issue.record("\(context): ended with \(error), not a cut")
                    continue
                }
                #expect(error.description.contains("run flare sync again"), "\(context): \(error)")
            }
        }
        // Stopping the proxies ends a hung sync too; every device then syncs in full.
        for proxy in proxies { await proxy.stop() }
        for index in points.indices where !hung.contains(index) {
            try await devices.with("stalled-\(index)") { vault in
                _ = try await SyncClient().sync(vault, relay: relay.address)
                #expect(vault.replica.versionVector.reduce(0) { $0 + Int($1.seq) } == 300, "stalled-\(index) after a clean sync")
                #expect(try vault.verifyIntegrity().changeCount == 300, "stalled-\(index) after a clean sync")
            }
        }
        try await relay.stop()
    }
}
