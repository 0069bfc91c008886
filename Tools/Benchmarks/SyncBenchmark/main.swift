// flare-sync-bench: sync through a relay on loopback.
//
//   converge [ENTRIES] [RUNS]   two devices with ENTRIES disjoint entries each reach the same
//                               state through an in-process relay; then one new entry syncs
//                               (default 100000 entries, 3 runs; one JSON line per run)
//   fanout [CLIENTS] [SECONDS] [RATE]
//                               a flare-relay process (built next to this tool) holds CLIENTS
//                               connections, half pushing small envelopes one at a time, half
//                               listening in the same vaults; throughput, push-to-notify
//                               latency and relay memory per connection (default 2000, 10).
//                               RATE: pushes per second per pusher (default 0: each pushes again
//                               as soon as its last push is acknowledged)
//   revoke [DEVICES] [RUNS]     DEVICES devices of one vault (default 10) sync through an
//                               in-process relay, all but two staying connected (flare sync
//                               --watch); one revokes another: the time until the relay has
//                               stored the new epoch, and until every connected device has
//                               learnt it (default 5 runs; one JSON line per run)
import FlareCrypto
import FlareRelay
import FlareStore
import FlareSync
import FlareWire
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ToolSupport

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "converge", nil:
    let entries = arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
    let runs = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 3
    for run in 1...runs { try await Converge.run(entries: entries, run: run) }
case "revoke":
    let devices = arguments.dropFirst().first.flatMap { Int($0) } ?? 10
    let runs = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 5
    guard devices >= 3 else {
        FileHandle.standardError.write(Data("revoke needs at least 3 devices\n".utf8))
        exit(64)
    }
    for run in 1...runs { try await Revoke.run(devices: devices, run: run) }
case "fanout":
    let clients = arguments.dropFirst().first.flatMap { Int($0) } ?? 2000
    let duration = arguments.dropFirst(2).first.flatMap { Double($0) } ?? 10
    let rate = arguments.dropFirst(3).first.flatMap { Double($0) } ?? 0
    try await Fanout.run(clients: clients, seconds: duration, rate: rate)
default:
    FileHandle.standardError.write(Data("usage: flare-sync-bench converge [ENTRIES] [RUNS] | fanout [CLIENTS] [SECONDS] [RATE] | revoke [DEVICES] [RUNS]\n".utf8))
    exit(64)
}

/// Runs `body` with a new folder and an open relay in this process, storing in that folder;
/// stops the relay and deletes the folder after.
func withRelay(_ body: (_ folder: String, _ relay: RelayAddress) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flare-sync-bench-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let storage = try SQLiteRelayStorage(path: folder + "/relay.sqlite")
    let server = try await RelayServer.start(
        host: "127.0.0.1", port: 0, storage: storage, settings: .init(open: true), group: MultiThreadedEventLoopGroup.singleton)
    do {
        try await body(folder, RelayAddress(host: "127.0.0.1", port: server.port))
    } catch {
        try? await server.stop()
        throw error
    }
    try await server.stop()
}

enum Converge {
    /// Fills a vault with `count` entries in durable batches of 1,000, then compacts.
    static func fill(_ vault: Vault, count: Int) throws {
        var workload = Workload()
        var made = 0
        while made < count {
            let batch = min(1000, count - made)
            _ = try vault.write { batch_ in
                for _ in 0..<batch { _ = try batch_.makeChange { try workload.entry(at: vault.wallClock()).record(&$0) } }
            }
            made += batch
        }
        try vault.compact()
    }

    static func run(entries: Int, run: Int) async throws {
        try await withRelay { folder, relay in try await self.run(entries: entries, run: run, folder: folder, relay: relay) }
    }

    private static func run(entries: Int, run: Int, folder: String, relay: RelayAddress) async throws {
        let secret = VaultSecret.random()
        let phone = try Vault.create(at: folder + "/phone.flare", passphrase: "bench", joining: secret, parameters: .minimumForTests)
        let laptop = try Vault.create(at: folder + "/laptop.flare", passphrase: "bench", joining: secret, parameters: .minimumForTests)
        try fill(phone, count: entries)
        try fill(laptop, count: entries)

        let clock = ContinuousClock()
        let client = SyncClient()
        let start = clock.now
        let first = try await client.sync(phone, relay: relay)
        let afterPhone = clock.now
        let second = try await client.sync(laptop, relay: relay)
        let afterLaptop = clock.now
        let third = try await client.sync(phone)
        let end = clock.now
        let converged = phone.replica.snapshot.encoded() == laptop.replica.snapshot.encoded()

        var workload = Workload()
        _ = try laptop.makeChange { try workload.entry(at: laptop.wallClock()).record(&$0) }
        let one = try await client.sync(laptop)
        let fetched = try await client.sync(phone)
        try phone.close()
        try laptop.close()
        printJSON([
            "benchmark": "converge", "run": run, "entries_per_device": entries, "converged": converged,
            "converge_seconds": seconds(end - start),
            "phone_push_seconds": seconds(afterPhone - start), "laptop_pull_push_seconds": seconds(afterLaptop - afterPhone),
            "phone_pull_seconds": seconds(end - afterLaptop),
            "bytes_on_wire": first.bytesSent + first.bytesReceived + second.bytesSent + second.bytesReceived + third.bytesSent + third.bytesReceived,
            "envelopes": first.sentEnvelopes + second.sentEnvelopes,
            "one_entry_bytes_on_wire": one.bytesSent + one.bytesReceived, "one_entry_replies_after_handshake": one.replies - 2,
            "one_entry_fetch_bytes_on_wire": fetched.bytesSent + fetched.bytesReceived, "one_entry_fetch_replies_after_handshake": fetched.replies - 2,
        ])
        guard converged, fetched.appliedChanges == 1 else {
            FileHandle.standardError.write(Data("the two devices did not converge\n".utf8))
            exit(1)
        }
    }
}

/// One device revokes another while the rest of the vault's devices are connected: how long
/// until the relay holds the new epoch (the revocation returns), and until every connected
/// device has learnt it (its watch reports the epoch).
enum Revoke {
    static func run(devices count: Int, run: Int) async throws {
        try await withRelay { folder, relay in try await self.run(devices: count, run: run, folder: folder, relay: relay) }
    }

    private static func run(devices count: Int, run: Int, folder: String, relay: RelayAddress) async throws {
        let secret = VaultSecret.random()
        var unlocks: [VaultUnlock] = []
        var keys: [[UInt8]] = []
        for index in 0..<count {
            let vault = try Vault.create(at: folder + "/device-\(index).flare", passphrase: "bench", joining: secret, parameters: .minimumForTests)
            try Converge.fill(vault, count: 10)
            _ = try await SyncClient().sync(vault, relay: relay)
            unlocks.append(vault.unlock)
            keys.append(vault.deviceKey.publicKey)
            try vault.close()
        }
        // Device 0 revokes the last one; the others stay connected.
        let watching = 1..<(count - 1)
        let unlocked = unlocks
        let clock = ContinuousClock()
        let synced = NIOLockedValueBox(Set<Int>())
        let learnt = NIOLockedValueBox([Int: ContinuousClock.Instant]())
        let watchers = watching.map { index in
            Task {
                try? await SyncClient().watch(vaultAt: folder + "/device-\(index).flare", unlock: unlocked[index], relay: relay) { event in
                    guard case .synced(let report) = event else { return }
                    synced.withLockedValue { _ = $0.insert(index) }
                    if report.newEpochs.contains(where: { $0.epoch == 1 }) { learnt.withLockedValue { $0[index] = clock.now } }
                }
            }
        }
        while synced.withLockedValue({ $0.count }) < watching.count { try await Task.sleep(for: .milliseconds(5)) }
        let revoker = try Vault.open(at: folder + "/device-0.flare", unlock: unlocks[0])
        let start = clock.now
        let revocation = try await SyncClient().revoke([keys[count - 1]], in: revoker)
        let stored = clock.now
        while learnt.withLockedValue({ $0.count }) < watching.count, clock.now - start < .seconds(30) { try await Task.sleep(for: .milliseconds(1)) }
        let delivered = learnt.withLockedValue { $0.values.max() }
        for watcher in watchers { watcher.cancel() }
        for watcher in watchers { _ = await watcher.value }
        try revoker.close()
        printJSON([
            "benchmark": "revoke", "run": run, "devices": count, "connected": watching.count, "epoch": revocation.epoch,
            "relay_updated_seconds": seconds(stored - start),
            "delivered_to_all_connected_seconds": delivered.map { seconds($0 - start) } ?? -1,
            "delivered_to": learnt.withLockedValue { $0.count },
        ])
        guard revocation.epoch == 1, learnt.withLockedValue({ $0.count }) == watching.count else {
            FileHandle.standardError.write(Data("the new epoch did not reach every connected device\n".utf8))
            exit(1)
        }
    }
}

/// Many connected devices: pushers push one small envelope at a time; each pusher's listener,
/// in the same vault, is notified. The envelopes are random bytes (the relay never opens them).
enum Fanout {
    final class Shared: Sendable {
        let running = NIOLockedValueBox(false)
        let latencies = NIOLockedValueBox([Double]())
        let acks = NIOLockedValueBox(0)
        let welcomed = NIOLockedValueBox(0)
        let refused = NIOLockedValueBox(0)
    }

    final class Pair: Sendable {
        let keys = VaultSecret.random().keys()
        /// When each push (by its server seq) was sent.
        let sent = NIOLockedValueBox([UInt64: NIODeadline]())
        var vault: WireID { WireID(keys.vaultID.bytes)! }
    }

    /// Tells a pusher to start.
    struct Start {}

    final class Client: ChannelInboundHandler {
        typealias InboundIn = [UInt8]
        typealias OutboundOut = ByteBuffer
        let pair: Pair
        let pusher: Bool
        let shared: Shared
        let deviceKey = SigningKey.random()
        let replica = WireID(Random.bytes(16))!
        let nonce = Random.bytes(32)
        var seq: UInt64 = 0

        let rate: Double
        var waiting = false
        var timer: RepeatedTask?

        init(pair: Pair, pusher: Bool, shared: Shared, rate: Double) {
            self.pair = pair
            self.pusher = pusher
            self.shared = shared
            self.rate = rate
        }

        func channelActive(context: ChannelHandlerContext) {
            send(.hello(
                lowestVersion: FlareRelease.protocolVersions.lowerBound, highestVersion: FlareRelease.protocolVersions.upperBound, vault: pair.vault, deviceKey: deviceKey.publicKey, nonce: nonce, replica: replica), context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let message = try? Message.decode(unwrapInboundIn(data)) else { return }
            switch message {
            case .challenge(let version, let relayNonce, let session, _, _):
                let transcript = Transcript.auth(
                    vault: pair.vault, deviceKey: deviceKey.publicKey, replica: replica, deviceNonce: nonce, relayNonce: relayNonce, session: session, version: version)
                let admission = pair.keys.authKey.signature(for: Transcript.admission(vault: pair.vault, deviceKey: deviceKey.publicKey, replica: replica))
                send(.join(vaultAuthKey: pair.keys.authKey.publicKey, admission: admission, invite: "", signature: deviceKey.signature(for: transcript)), context)
            case .welcome:
                shared.welcomed.withLockedValue { $0 += 1 }
            case .ack:
                shared.acks.withLockedValue { $0 += 1 }
                waiting = false
                if rate == 0 { pushNext(context) }
            case .notify(let latest):
                if let sent = pair.sent.withLockedValue({ $0.removeValue(forKey: latest) }) {
                    let latency = Double((NIODeadline.now() - sent).nanoseconds) / 1e6
                    shared.latencies.withLockedValue { $0.append(latency) }
                }
            case .error(let code, let text):
                shared.refused.withLockedValue { $0 += 1 }
                FileHandle.standardError.write(Data("relay error \(code): \(text)\n".utf8))
            default: break
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard event is Start else { return }
            guard rate > 0 else { return pushNext(context) }
            // Open loop: a push every 1/rate s (after a random start), skipped while one is unanswered.
            let every = TimeAmount.nanoseconds(Int64(1e9 / rate))
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .nanoseconds(Int64.random(in: 0..<every.nanoseconds)), delay: every) { task in
                let (client, context) = bound.value
                guard client.shared.running.withLockedValue({ $0 }) else { return task.cancel() }
                if !client.waiting { client.pushNext(context) }
            }
        }

        private func pushNext(_ context: ChannelHandlerContext) {
            guard pusher, shared.running.withLockedValue({ $0 }) else { return }
            seq += 1
            waiting = true
            // Only this device pushes in its vault, so push n gets server seq n.
            let serverSeq = seq
            pair.sent.withLockedValue { $0[serverSeq] = .now() }
            send(.push([try! Envelope(replica: replica, firstSeq: seq, lastSeq: seq, sealed: Random.bytes(300))]), context)
        }

        private func send(_ message: Message, _ context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.frame(message)), promise: nil)
        }
    }

    static func run(clients: Int, seconds duration: Double, rate: Double) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flare-sync-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("flare-relay").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            FileHandle.standardError.write(Data("build flare-relay first: swift build -c release --product flare-relay\n".utf8))
            exit(66)
        }
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: binary)
        relay.arguments = ["serve", "--listen", "127.0.0.1:0", "--data", folder, "--open", "--max-connections", "\(clients + 100)"]
        // The relay logs to a file: a pipe nobody drains would stop it once full.
        let logPath = folder + ".log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            FileHandle.standardError.write(Data("cannot create \(logPath)\n".utf8))
            exit(73)
        }
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        relay.standardError = log
        relay.standardOutput = log
        try relay.run()
        defer { if relay.isRunning { relay.terminate() } }
        var text = ""
        while !text.contains("listening") {
            try await Task.sleep(for: .milliseconds(50))
            text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        }
        let port = Int(text.split(separator: " ").first { $0.hasPrefix("address=") }!.split(separator: ":").last!)!
        let pid = "\(relay.processIdentifier)"
        try await Task.sleep(for: .milliseconds(300))
        let idleMegabytes = residentMegabytes("VmRSS:", process: pid)

        let shared = Shared()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var pushers: [any Channel] = []
        var channels: [any Channel] = []
        let pairs = (0..<(clients / 2)).map { _ in Pair() }
        for pair in pairs {
            // The listener first, so it is connected before its pusher pushes.
            for pusher in [false, true] {
                let channel = try await ClientBootstrap(group: group)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandlers([
                                ByteToMessageHandler(FrameDecoder()), Client(pair: pair, pusher: pusher, shared: shared, rate: rate),
                            ])
                        }
                    }
                    .connect(host: "127.0.0.1", port: port).get()
                channels.append(channel)
                if pusher { pushers.append(channel) }
            }
        }
        // Every connection is welcomed, or the run ends: a refused one would be waited for forever.
        let deadline = ContinuousClock.now + .seconds(120)
        while shared.welcomed.withLockedValue({ $0 }) < channels.count {
            guard shared.refused.withLockedValue({ $0 }) == 0, ContinuousClock.now < deadline else {
                FileHandle.standardError.write(Data("only \(shared.welcomed.withLockedValue { $0 }) of \(channels.count) connections were welcomed\n".utf8))
                exit(1)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(500))
        let connectedMegabytes = residentMegabytes("VmRSS:", process: pid)

        shared.running.withLockedValue { $0 = true }
        let clock = ContinuousClock()
        let start = clock.now
        for channel in pushers { channel.pipeline.fireUserInboundEventTriggered(Start()) }
        try await Task.sleep(for: .seconds(duration))
        shared.running.withLockedValue { $0 = false }
        let elapsed = seconds(clock.now - start)
        let acks = shared.acks.withLockedValue { $0 }
        let loadedMegabytes = residentMegabytes("VmRSS:", process: pid)
        try await Task.sleep(for: .milliseconds(500))
        let latencies = shared.latencies.withLockedValue { $0 }
        for channel in channels { try? await channel.close() }
        try await group.shutdownGracefully()
        relay.terminate()
        relay.waitUntilExit()
        guard acks > 0, !latencies.isEmpty else {
            FileHandle.standardError.write(Data("no envelope went through the relay\n".utf8))
            exit(1)
        }
        printJSON([
            "benchmark": "fanout", "connections": channels.count, "pushers": pushers.count, "seconds": elapsed,
            "pushes_per_second_per_pusher": rate == 0 ? "as fast as acknowledged" : "\(rate)",
            "envelopes_per_second": Double(acks) / elapsed, "envelopes": acks, "notifies_timed": latencies.count,
            "push_to_notify_ms_p50": latencies.isEmpty ? 0 : percentile(latencies, 0.5),
            "push_to_notify_ms_p99": latencies.isEmpty ? 0 : percentile(latencies, 0.99),
            "relay_rss_idle_mb": idleMegabytes, "relay_rss_connected_mb": connectedMegabytes, "relay_rss_loaded_mb": loadedMegabytes,
            "relay_kb_per_connection": (connectedMegabytes - idleMegabytes) * 1024 / Double(channels.count),
        ])
    }
}
