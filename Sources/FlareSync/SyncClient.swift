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

    private func session(_ vault: Vault, state: inout SyncState, report: inout SyncReport, link: inout RelayLink) async throws {
        let welcome = try await handshake(Identity(vault), state: &state, link: &link)
        try begin(welcome, state: &state, report: &report, vault: vault)
        try await catchUp(vault, to: welcome.epoch, report: &report, link: &link)
        _ = try await exchange(vault, state: &state, report: &report, link: &link, relayLatest: welcome.serverSeq, frameLimit: welcome.maximumFrame)
    }
}
