import FlareCRDT
import FlareCrypto
import FlareStore
import FlareWire

/// How a connection starts (PROTOCOL.md §4): who this device is, and what the relay's welcome says.
extension SyncClient {
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
}
