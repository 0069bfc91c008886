import FlareBytes
import FlareCrypto
import FlareStore
import FlareWire
import NIOCore

/// One-time invite codes (PROTOCOL.md §5, "Invitations"; CRYPTO.md §7): a device of the vault
/// leaves the current key epoch's secret at the relay, sealed under a key only the code gives, and a new
/// device takes it once with the code, so the long-lived secret is never typed or shown.
extension SyncClient {
    /// The associated data an invitation is sealed under: it binds the box to its vault,
    /// lookup id and expiry, so the relay cannot serve it for another code or stretch its life.
    static func invitationData(vault: VaultID, lookup: [UInt8], expires: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/invitation/v1")
        writer.raw(vault.bytes)
        writer.raw(lookup)
        writer.varint(expires)
        return writer.bytes
    }

    /// Leaves an invitation for a new device at the relay this vault syncs with, good once
    /// until `expires` (seconds since 1970); returns its invite code and the relay that keeps it.
    public func invite(_ vault: Vault, expires: UInt64, relay: RelayAddress? = nil) async throws -> (code: String, relay: RelayAddress) {
        guard var state = try SyncState.load(from: vault, relay: relay) else { throw SyncError.noRelay }
        let token = InviteToken.random()
        let lookup = token.lookupID
        var report = SyncReport(relay: state.relay)
        try await RelayLink.connect(to: state.relay, group: group, timeout: timeout) { link in
            let welcome = try await handshake(Identity(vault), state: &state, link: &link)
            // The invitation carries the vault's current epoch secret: learn it first.
            try await catchUp(vault, to: welcome.epoch, report: &report, link: &link)
            guard let epochs = vault.keyEpochs else { throw SyncError.badEpochRecord(0, "this device has not learnt its key epoch") }
            let sealed = token.sealingKey.seal(
                epochs.currentSecret.secret, associatedData: Self.invitationData(vault: vault.vaultID, lookup: lookup, expires: expires))
            try await link.send(.invitePut(lookup: WireID(lookup)!, expires: expires, sealed: sealed))
            guard case .inviteStored = try await link.receive(while: "leaving the invitation") else {
                throw SyncError.protocolViolation("the relay did not answer invite put with invite stored")
            }
        }
        try vault.setLocalState(SyncState.name, to: state.encoded())
        return (PairingCodeContent.invite(vault: vault.vaultID, token: token).code, state.relay)
    }

    /// Takes the invitation of an invite code from `relay` (spending it) and returns the
    /// secret it holds. The connection presents a throwaway key: nothing is admitted.
    public func redeem(vault: VaultID, token: InviteToken, at relay: RelayAddress) async throws -> VaultSecret {
        let lookup = token.lookupID
        let (sealed, expires) = try await RelayLink.connect(to: relay, group: group, timeout: timeout) { link in
            try await link.send(.hello(
                lowestVersion: FlareRelease.protocolVersions.lowerBound, highestVersion: FlareRelease.protocolVersions.upperBound,
                vault: WireID(vault.bytes)!, deviceKey: SigningKey.random().publicKey, nonce: Random.bytes(32), replica: WireID(Random.bytes(16))!))
            guard case .challenge = try await link.receive(while: "saying hello") else {
                throw SyncError.protocolViolation("the relay did not answer hello with a challenge")
            }
            try await link.send(.inviteTake(lookup: WireID(lookup)!))
            do {
                guard case .invitation(let sealed, let expires) = try await link.receive(while: "taking the invitation") else {
                    throw SyncError.protocolViolation("the relay did not answer invite take with an invitation")
                }
                return (sealed, expires)
            } catch SyncError.refused(.badInvite, _) {
                throw SyncError.inviteSpent
            }
        }
        let secret: VaultSecret
        do {
            secret = try VaultSecret(
                token.sealingKey.openSecret(sealed, associatedData: Self.invitationData(vault: vault, lookup: lookup, expires: expires)))
        } catch {
            throw SyncError.protocolViolation("the invitation does not open with this code (altered, or not the one left for it)")
        }
        // The associated data binds the box to `vault`; the secret is the vault's current key
        // epoch's, which the first sync places (and checks back to the vault id).
        return secret
    }
}
