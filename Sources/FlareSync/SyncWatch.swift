import FlareStore
import FlareWire
import Foundation
import NIOCore

extension SyncClient {
    /// What a watch reports as it goes.
    public enum WatchEvent: Sendable {
        /// A sync finished (on connecting, when another device pushed, or when this vault changed).
        case synced(SyncReport)
        /// The connection failed or was cut; the watch tries again after `retryIn`.
        case disconnected(SyncError, retryIn: Duration)
    }

    /// Stays connected to the relay and syncs whenever another device pushes (`notify`) or the
    /// vault file changes (another `flare` command wrote to it), until the task is cancelled.
    ///
    /// The vault is opened only while a sync runs (with `unlock`, so without the KDF), so other
    /// commands can use it in between; if one has it open, the sync waits for the next tick. A
    /// lost connection is retried with a growing pause (up to 30 s); a refusal that waiting
    /// cannot fix (a wrong key, an unknown vault) ends the watch with that error.
    public func watch(
        vaultAt path: String, unlock: VaultUnlock, relay: RelayAddress? = nil, tick: Duration = .seconds(1),
        _ report: @Sendable (WatchEvent) async -> Void
    ) async throws {
        var address = relay
        var invite = self.invite
        var pause = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                let client = SyncClient(copying: self, invite: invite)
                try await client.watchConnection(vaultAt: path, unlock: unlock, relay: &address, tick: tick, report)
            } catch let error as SyncError {
                if Task.isCancelled { return }
                switch error {
                case .unreachable, .cut, .refused(.shuttingDown, _), .refused(.rateLimited, _), .refused(.internal, _), .refused(.seqGap, _),
                    .refused(.staleEpoch, _):
                    await report(.disconnected(error, retryIn: pause))
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(30))
                    continue
                default:
                    throw error
                }
            }
            // An invite admits once; a reconnection authenticates.
            invite = nil
            pause = .seconds(1)
        }
    }

    init(copying other: SyncClient, invite: String?) {
        self = other
        self.invite = invite
    }

    /// One connection of a watch: handshake and a first sync, then a sync on every notify or
    /// vault change, and a ping when the connection has been quiet for half the relay's idle time.
    private func watchConnection(
        vaultAt path: String, unlock: VaultUnlock, relay: inout RelayAddress?, tick: Duration, _ report: @Sendable (WatchEvent) async -> Void
    ) async throws {
        let (identity, firstState) = try await Self.withVaultWhenFree(path, unlock: unlock) { vault in
            guard let state = try SyncState.load(from: vault, relay: relay) else { throw SyncError.noRelay }
            return (Identity(vault), state)
        }
        relay = firstState.relay
        try await RelayLink.connect(to: firstState.relay, group: group, timeout: timeout, ticks: tick) { link in
            var state = firstState
            let welcome = try await handshake(identity, state: &state, link: &link)
            var relayLatest = welcome.serverSeq
            var summary = SyncReport(relay: state.relay)
            relayLatest = try await Self.withVaultWhenFree(path, unlock: unlock) { vault in
                var current = try SyncState.load(from: vault, relay: state.relay) ?? state
                current.admitted = true
                try begin(welcome, state: &current, report: &summary, vault: vault)
                return try await exchange(vault, state: &current, report: &summary, link: &link, relayLatest: relayLatest, frameLimit: welcome.maximumFrame)
            }
            summary.count(link.traffic)
            await report(.synced(summary))
            var stamp = Self.stamp(path)
            var quietSince = ContinuousClock.now
            let pingEvery = Duration.seconds(max(1, Int64(clamping: welcome.idleSeconds) / 2))
            var due = false
            while !Task.isCancelled {
                let event = try await link.next(while: "waiting")
                switch event {
                case .notified: due = true
                case .tick: due = due || Self.stamp(path) != stamp
                case .message(let message): throw SyncError.protocolViolation("an unexpected message \(message.type) while waiting")
                }
                if due {
                    let before = link.traffic
                    var round = SyncReport(relay: state.relay)
                    let synced: UInt64? = try await Self.withVaultIfFree(path, unlock: unlock) { vault in
                        var current = try SyncState.load(from: vault, relay: state.relay) ?? state
                        return try await exchange(vault, state: &current, report: &round, link: &link, relayLatest: relayLatest, frameLimit: welcome.maximumFrame)
                    }
                    if let synced {
                        relayLatest = synced
                        due = false
                        stamp = Self.stamp(path)
                        round.count(link.traffic - before)
                        await report(.synced(round))
                    }
                }
                if ContinuousClock.now - quietSince >= pingEvery {
                    try await link.send(.ping(nonce: UInt32.random(in: 0...UInt32.max)))
                    quietSince = .now
                }
            }
        }
    }

    /// Opens the vault, runs `body`, closes it.
    private static func withVault<Result>(_ path: String, unlock: VaultUnlock, _ body: (Vault) async throws -> Result) async throws -> Result {
        try await Vault.open(at: path, unlock: unlock).closing(after: body)
    }

    /// `withVault`, waiting while another process (a `flare` command) has the vault open.
    private static func withVaultWhenFree<Result>(_ path: String, unlock: VaultUnlock, _ body: (Vault) async throws -> Result) async throws -> Result {
        while true {
            if let result = try await withVaultIfFree(path, unlock: unlock, body) { return result }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// `withVault`, or nil when another process has the vault open (try again later).
    private static func withVaultIfFree<Result>(_ path: String, unlock: VaultUnlock, _ body: (Vault) async throws -> Result) async throws -> Result? {
        do {
            return try await withVault(path, unlock: unlock, body)
        } catch StoreError.locked {
            return nil
        }
    }

    /// When the vault's files last changed, and their sizes: another process wrote to it.
    static func stamp(_ path: String) -> [String] {
        ["", "-wal"].map { suffix in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix)
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(modified) \((attributes?[.size] as? Int) ?? 0)"
        }
    }
}
