import FlareCRDT
import FlareCrypto
import FlareStore
import FlareWire
import NIOCore
import NIOPosix

/// Syncs a vault with a relay (Protocol/PROTOCOL.md §4, §5): pulls the envelopes the device
/// lacks, then pushes the changes the relay lacks, so a sync costs O(changes missing).
///
/// Resumable: how far it has pulled is stored with what it pulled, in one transaction, and a
/// change counts as sent only once acknowledged; a cut connection loses nothing, and the next
/// sync goes on from there without applying anything twice.
public struct SyncClient: Sendable {
    /// An invite token from the relay's owner, for this device's first sync with a relay that
    /// does not know the vault yet.
    public var invite: String?
    /// Called as envelopes go out and come in; the sync waits for it.
    public var progress: (@Sendable (SyncProgress) async -> Void)?
    public var group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    /// How long to wait for the relay to connect or answer.
    public var timeout: TimeAmount = .seconds(30)
    /// Pushes sent before waiting for the first one's acknowledgement.
    public var pushWindow = 4

    public init(invite: String? = nil) {
        self.invite = invite
    }

    /// Syncs `vault` with `relay` (remembered for next time), or with the relay remembered.
    public func sync(_ vault: Vault, relay: RelayAddress? = nil) async throws -> SyncReport {
        guard var state = try SyncState.load(from: vault, relay: relay) else { throw SyncError.noRelay }
        var report = SyncReport(relay: state.relay)
        // A push refused for a gap means another device pushed the same replica's changes
        // meanwhile, and a refused auth that the relay forgot this device: both go again.
        for attempt in 1...3 {
            do {
                try await RelayLink.connect(to: state.relay, group: group, timeout: timeout) { link in
                    defer { report.count(link.traffic) }
                    try await session(vault, state: &state, report: &report, link: &link)
                }
                return report
            } catch SyncError.refused(let code, _) where attempt < 3 && (code == .seqGap || code == .staleEpoch) {
                // A stale epoch: another device revoked one meanwhile; the next connection
                // learns the new epoch and seals again.
                continue
            } catch SyncError.refused(let code, _) where attempt < 3 && state.admitted && (code == .authFailed || code == .unknownVault) {
                state.admitted = false
                continue
            }
        }
        return report
    }

    /// Deletes everything of the vault from the relay it syncs with (envelopes, snapshots,
    /// admitted device keys), authenticated by this device; the devices keep their data. This
    /// device forgets the relay's position, so a later sync starts afresh (with an invite, if
    /// the relay needs one).
    public func forget(_ vault: Vault, relay: RelayAddress? = nil) async throws -> RelayAddress {
        guard var state = try SyncState.load(from: vault, relay: relay) else { throw SyncError.noRelay }
        let identity = Identity(vault)
        try await RelayLink.connect(to: state.relay, group: group, timeout: timeout) { link in
            let welcome = try await handshake(identity, state: &state, link: &link)
            try await link.send(.forget(signature: identity.deviceKey.signature(for: Transcript.forget(vault: identity.vault, session: welcome.session))))
            guard case .forgotten = try await link.receive(while: "asking the relay to forget") else {
                throw SyncError.protocolViolation("the relay did not answer forget with forgotten")
            }
        }
        var fresh = SyncState(relay: state.relay)
        fresh.lastSyncMilliseconds = state.lastSyncMilliseconds
        try vault.setLocalState(SyncState.name, to: fresh.encoded())
        return state.relay
    }

    /// The device keys the relay admits to the vault, with the replica each is bound to and
    /// when each joined and last authenticated (PROTOCOL.md §5, "Devices"). Nothing is pulled
    /// or pushed.
    public func devices(_ vault: Vault, relay: RelayAddress? = nil) async throws -> [AdmittedDevice] {
        guard var state = try SyncState.load(from: vault, relay: relay) else { throw SyncError.noRelay }
        let identity = Identity(vault)
        return try await RelayLink.connect(to: state.relay, group: group, timeout: timeout) { link in
            _ = try await handshake(identity, state: &state, link: &link)
            return try await listDevices(&link)
        }
    }

    /// More devices than any vault of a person has: a relay listing more is not believed.
    static let mostDevicesListed = 10_000

    /// Who the device is to the relay: its own key and replica, the vault, and the auth key
    /// of the newest key epoch it holds (which admits it).
    struct Identity: Sendable {
        let deviceKey: SigningKey
        let replica: WireID
        let vault: WireID
        let authKey: SigningKey

        init(_ vault: Vault) {
            deviceKey = vault.deviceKey
            replica = WireID(vault.replicaID.bytes)!
            self.vault = WireID(vault.vaultID.bytes)!
            authKey = vault.currentKeys.authKey
        }
    }

    /// What the handshake learnt.
    struct Welcome {
        let session: WireID
        let maximumFrame: Int
        let idleSeconds: UInt64
        let store: WireID
        let serverSeq: UInt64
        let held: VersionVector
        let joined: Bool
        /// The vault's key epoch at the relay.
        let epoch: UInt64
    }

    /// Hello, challenge, then auth (or join, for a device not yet admitted or given an invite).
    func handshake(_ identity: Identity, state: inout SyncState, link: inout RelayLink) async throws -> Welcome {
        let deviceKey = identity.deviceKey
        let vaultWire = identity.vault
        let nonce = Random.bytes(32)
        try await link.send(.hello(
            lowestVersion: FlareRelease.protocolVersions.lowerBound, highestVersion: FlareRelease.protocolVersions.upperBound, vault: vaultWire,
            deviceKey: deviceKey.publicKey, nonce: nonce, replica: identity.replica))
        guard case .challenge(let version, let relayNonce, let session, let maximumFrame, let idleSeconds) = try await link.receive(while: "saying hello")
        else { throw SyncError.protocolViolation("the relay did not answer hello with a challenge") }
        guard FlareRelease.protocolVersions.contains(version) else { throw SyncError.protocolViolation("the relay chose version \(version), which this device did not offer") }
        let signature = deviceKey.signature(for: Transcript.auth(
            vault: vaultWire, deviceKey: deviceKey.publicKey, replica: identity.replica, deviceNonce: nonce, relayNonce: relayNonce, session: session,
            version: version))
        let joining = !state.admitted || invite != nil
        if joining {
            let authKey = identity.authKey
            let admission = authKey.signature(for: Transcript.admission(vault: vaultWire, deviceKey: deviceKey.publicKey, replica: identity.replica))
            try await link.send(.join(vaultAuthKey: authKey.publicKey, admission: admission, invite: invite ?? "", signature: signature))
        } else {
            try await link.send(.auth(signature: signature))
        }
        guard case .welcome(let store, let serverSeq, let held, let epoch) = try await link.receive(while: "authenticating") else {
            throw SyncError.protocolViolation("the relay did not answer with welcome")
        }
        state.admitted = true
        return Welcome(
            session: session, maximumFrame: Int(min(maximumFrame, UInt32(Frame.maximumLength))), idleSeconds: idleSeconds, store: store, serverSeq: serverSeq,
            held: try Self.vector(held), joined: joining, epoch: epoch)
    }

    /// Takes in what the welcome says: a new store means pulling from the start.
    func begin(_ welcome: Welcome, state: inout SyncState, report: inout SyncReport, vault: Vault) throws {
        report.joined = report.joined || welcome.joined
        if state.store != welcome.store {
            report.relayWasReset = report.relayWasReset || state.store != nil
            state.store = welcome.store
            state.pulledServerSeq = 0
            state.stuck = []
        }
        state.relayHolds = welcome.held
        try vault.setLocalState(SyncState.name, to: state.encoded())
    }

    private func session(_ vault: Vault, state: inout SyncState, report: inout SyncReport, link: inout RelayLink) async throws {
        let welcome = try await handshake(Identity(vault), state: &state, link: &link)
        try begin(welcome, state: &state, report: &report, vault: vault)
        try await catchUp(vault, to: welcome.epoch, report: &report, link: &link)
        _ = try await exchange(vault, state: &state, report: &report, link: &link, relayLatest: welcome.serverSeq, frameLimit: welcome.maximumFrame)
    }

    /// Pulls, then pushes, and goes round again while another device pushed meanwhile; then
    /// records the sync. Returns the relay's latest server seq as far as it is known.
    func exchange(
        _ vault: Vault, state: inout SyncState, report: inout SyncReport, link: inout RelayLink, relayLatest known: UInt64, frameLimit: Int
    ) async throws -> UInt64 {
        var relayLatest = known
        // How far this session has read: past the position recorded when an envelope stuck.
        var seen = state.pulledServerSeq
        for _ in 0..<4 {
            relayLatest = max(relayLatest, link.latestNotified)
            let held = vault.keyEpochs?.current ?? 0
            if link.latestEpoch > held || state.stuck.contains(where: { $0.epoch > held }) {
                // The vault moved to a new key epoch meanwhile: learn it (every epoch the relay
                // has, when only an envelope named it), then read again what was sealed under it.
                try await catchUp(vault, to: link.latestEpoch > held ? link.latestEpoch : nil, report: &report, link: &link)
                seen = min(seen, state.pulledServerSeq)
            }
            let pulled = relayLatest > seen
            if pulled {
                seen = try await pull(
                    after: seen, into: vault, state: &state, report: &report, link: &link, expected: relayLatest, frameLimit: frameLimit)
            }
            // A relay takes only this device's own replica from it (PROTOCOL.md §5): other
            // devices' changes reach it from them.
            let outbox = try Outbox(
                changes: try vault.changes(notIn: state.relayHolds, of: vault.replicaID), vault: vault.vaultID, key: vault.currentKeys.dataKey,
                epoch: vault.keyEpochs?.current ?? 0, frameLimit: frameLimit)
            if !outbox.pushes.isEmpty {
                relayLatest = max(relayLatest, try await push(outbox, from: vault, state: &state, report: &report, link: &link, seen: &seen))
            }
            if !pulled && outbox.pushes.isEmpty { break }
        }
        state.lastSyncMilliseconds = vault.wallClock()
        try vault.setLocalState(SyncState.name, to: state.encoded())
        return relayLatest
    }

    /// Records `envelope`, which did not open, as stuck (once), and keeps the pulled position
    /// before it so the next sync fetches it again.
    private func stick(_ envelope: Envelope, at serverSeq: UInt64, replica: ReplicaID, why: String, state: inout SyncState) {
        state.stuck.removeAll { $0.replica == replica && $0.firstSeq == envelope.firstSeq }
        state.stuck.append(StuckEnvelope(
            serverSeq: serverSeq, replica: replica, firstSeq: envelope.firstSeq, lastSeq: envelope.lastSeq, epoch: envelope.epoch, reason: why))
        state.stuck.sort { $0.serverSeq < $1.serverSeq }
        // Only the first holds the position back; later ones are fetched again and named again
        // anyway, so a relay serving endless damage cannot grow what the device keeps.
        if state.stuck.count > StuckEnvelope.kept { state.stuck.removeLast(state.stuck.count - StuckEnvelope.kept) }
    }

    /// Pulls every envelope after `after`, asking for the next page as soon as one arrives,
    /// and applies each page with the new position in one transaction. An envelope that does
    /// not open holds the recorded position before it (and is named in `state.stuck`): every
    /// later sync fetches it again, so a relay repaired, or another relay, can still deliver it.
    /// Returns the last server seq read.
    private func pull(
        after start: UInt64, into vault: Vault, state: inout SyncState, report: inout SyncReport, link: inout RelayLink, expected: UInt64,
        frameLimit: Int
    ) async throws -> UInt64 {
        let total = Int(clamping: expected - min(expected, start))
        var done = 0
        var read = start
        try await link.send(.pull(afterServerSeq: start, maximumBytes: UInt64(frameLimit)))
        while true {
            guard case .batch(let items, let more) = try await link.receive(while: "receiving") else {
                throw SyncError.protocolViolation("the relay did not answer pull with a batch")
            }
            guard let first = items.first?.serverSeq, let last = items.last?.serverSeq, first > read,
                zip(items, items.dropFirst()).allSatisfy({ $0.serverSeq < $1.serverSeq })
            else {
                if items.isEmpty && !more { return read }
                throw SyncError.protocolViolation("a batch out of server-seq order")
            }
            if more { try await link.send(.pull(afterServerSeq: last, maximumBytes: UInt64(frameLimit))) }
            var changes: [Change] = []
            for item in items {
                let envelope = item.envelope
                guard let replica = ReplicaID(bytes: envelope.replica.bytes) else { continue }
                // Envelopes this device already applied (its own, or sent on by others) are
                // not opened at all.
                if vault.replica.versionVector[replica] >= envelope.lastSeq {
                    state.relayHolds.raise(replica, to: envelope.lastSeq)
                    continue
                }
                guard let keys = vault.keyEpochs?.keys(of: envelope.epoch) else {
                    // Sealed under an epoch this device has not learnt yet: held back until it has.
                    stick(envelope, at: item.serverSeq, replica: replica, why: "sealed under key epoch \(envelope.epoch), not yet received here", state: &state)
                    continue
                }
                do {
                    changes += try EnvelopeSealing.open(envelope, vault: vault.vaultID, key: keys.dataKey)
                    state.relayHolds.raise(replica, to: envelope.lastSeq)
                    state.stuck.removeAll { $0.replica == replica && $0.firstSeq >= envelope.firstSeq && $0.lastSeq <= envelope.lastSeq }
                } catch {
                    report.problems.append(error.description)
                    stick(envelope, at: item.serverSeq, replica: replica, why: error.description, state: &state)
                }
            }
            read = last
            let stuckBefore = state.stuck.first?.serverSeq ?? .max
            state.pulledServerSeq = min(last, stuckBefore - 1)
            let received = try vault.receive(changes, settingLocalState: state.localState)
            state.stuck.removeAll { vault.replica.versionVector[$0.replica] >= $0.lastSeq }
            report.receivedEnvelopes += items.count
            report.appliedChanges += received.applied.count
            report.bufferedChanges += received.buffered.count
            report.problems += received.rejected.map { "Change \($0.change) was refused: \($0.reason)." }
            done += items.count
            await progress?(SyncProgress(phase: .receiving, envelopesDone: done, envelopesTotal: max(total, done), bytes: link.traffic.bytesReceived))
            if !more { return read }
        }
    }

    /// Sends the outbox with up to `pushWindow` pushes unacknowledged; returns the relay's
    /// latest server seq.
    private func push(
        _ outbox: Outbox, from vault: Vault, state: inout SyncState, report: inout SyncReport, link: inout RelayLink, seen: inout UInt64
    ) async throws -> UInt64 {
        let total = outbox.pushes.reduce(0) { $0 + $1.count }
        var acknowledged = 0
        var latest: UInt64 = 0
        var waiting: [[Envelope]] = []
        var next = outbox.pushes.makeIterator()
        while true {
            while waiting.count < pushWindow, let push = next.next() {
                try await link.send(.push(push))
                waiting.append(push)
            }
            guard !waiting.isEmpty else { break }
            guard case .ack(let held, let stored, let serverSeq) = try await link.receive(while: "sending") else {
                throw SyncError.protocolViolation("the relay did not answer push with ack")
            }
            let push = waiting.removeFirst()
            guard stored <= serverSeq else { throw SyncError.protocolViolation("an ack storing more envelopes than its server seq") }
            state.relayHolds.formUnion(try Self.vector(held))
            // The server seqs just stored are this device's own: nothing to pull there.
            if serverSeq - stored == state.pulledServerSeq { state.pulledServerSeq = serverSeq }
            if serverSeq - stored == seen { seen = serverSeq }
            latest = max(latest, serverSeq)
            try vault.setLocalState(SyncState.name, to: state.encoded())
            acknowledged += push.count
            report.sentEnvelopes += push.count
            report.sentChanges += push.reduce(0) { $0 + Int($1.lastSeq - $1.firstSeq + 1) }
            await progress?(SyncProgress(phase: .sending, envelopesDone: acknowledged, envelopesTotal: total, bytes: link.traffic.bytesSent))
        }
        return latest
    }

    static func vector(_ marks: HighWaterMarks) throws(SyncError) -> VersionVector {
        VersionVector(try marks.map { mark throws(SyncError) in
            guard let replica = ReplicaID(bytes: mark.replica.bytes) else { throw .protocolViolation("a replica id") }
            return (replica, mark.seq)
        })
    }
}
