import FlareCrypto
import FlareWire

/// One device's connection as the relay sees it, without the network: messages in, replies
/// out (Protocol/PROTOCOL.md §4, §5). The server around it moves frames and fans `notify` out
/// to the vault's other connections when `Outcome.stored` is set.
public struct RelaySession: Sendable {
    /// What the relay tells the device about itself.
    public struct Settings: Sendable {
        public var maximumFrame: UInt32
        public var idleSeconds: UInt64
        /// Admit unknown vaults without an invite.
        public var open: Bool

        public init(maximumFrame: UInt32 = UInt32(Frame.maximumLength), idleSeconds: UInt64 = 60, open: Bool = false) {
            self.maximumFrame = maximumFrame
            self.idleSeconds = idleSeconds
            self.open = open
        }
    }

    /// What handling one message did.
    public struct Outcome: Sendable {
        public var replies: [Message] = []
        /// Close the connection after sending the replies.
        public var close = false
        /// Envelopes were stored: notify the vault's other connections.
        public var stored = false
        /// Why the relay failed, for its log: the device is told only the error code.
        public var failure: (any Error)?
        /// The vault moved to this record's epoch: tell its other connections, and close those
        /// of the keys it revoked.
        public var rekeyed: EpochRecord?
    }

    enum State {
        case awaitingHello
        case awaitingAuth(vault: WireID, deviceKey: [UInt8], replica: WireID, transcript: [UInt8], session: WireID)
        case authenticated(vault: WireID, deviceKey: [UInt8], replica: WireID, session: WireID)
        case closed
    }

    /// Room left in a batch frame for its type, count and flag, so that a page of envelopes
    /// (each counted with its own header, `Envelope.headerAllowance`) always fits.
    static let batchAllowance = 64

    /// The protocol versions this relay speaks.
    public static let versions: ClosedRange<UInt64> = FlareRelease.protocolVersions

    let storage: any RelayStorage
    let settings: Settings
    private(set) var state = State.awaitingHello

    public init(storage: any RelayStorage, settings: Settings = Settings()) {
        self.storage = storage
        self.settings = settings
    }

    /// The vault this connection is authenticated for, if it is.
    public var vault: WireID? {
        if case .authenticated(let vault, _, _, _) = state { return vault }
        return nil
    }

    /// The device key this connection authenticated with, if it did.
    public var deviceKey: [UInt8]? {
        if case .authenticated(_, let key, _, _) = state { return key }
        return nil
    }

    /// Handles one message from the device.
    public mutating func handle(_ message: Message) -> Outcome {
        do {
            return try dispatch(message)
        } catch let error as RelayError {
            switch error {
            // A key bound to another replica is refused like a failed signature: the connection ends.
            case .storageFull, .damagedStorage, .replicaTaken, .revoked, .staleAuthKey:
                state = .closed
                return Outcome(replies: [.error(error.code, message: error.description)], close: true, failure: error)
            default:
                return Outcome(replies: [.error(error.code, message: error.description)])
            }
        } catch {
            state = .closed
            return Outcome(replies: [.error(.internal, message: "the relay failed; nothing of the request was stored")], close: true, failure: error)
        }
    }

    /// The most devices one `devices` page lists: a page stays well under the smallest frame
    /// a relay may announce that can carry anything else (1 KiB at 50 bytes per device).
    static let devicesPerPage = 16

    /// Refuses and closes.
    private mutating func refuse(_ code: ErrorCode, _ message: String) -> Outcome {
        state = .closed
        return Outcome(replies: [.error(code, message: message)], close: true)
    }

    private mutating func dispatch(_ message: Message) throws -> Outcome {
        switch (state, message) {
        case (.awaitingHello, .hello(let lowest, let highest, let vault, let deviceKey, let deviceNonce, let replica)):
            let version = min(highest, Self.versions.upperBound)
            guard version >= lowest, Self.versions.contains(version), let replica else {
                return refuse(.unsupportedVersion, "this relay speaks versions \(Self.versions.lowerBound) to \(Self.versions.upperBound)")
            }
            let relayNonce = Random.bytes(32)
            let session = WireID(Random.bytes(16))!
            let transcript = Transcript.auth(
                vault: vault, deviceKey: deviceKey, replica: replica, deviceNonce: deviceNonce, relayNonce: relayNonce, session: session, version: version)
            state = .awaitingAuth(vault: vault, deviceKey: deviceKey, replica: replica, transcript: transcript, session: session)
            return Outcome(replies: [
                .challenge(version: version, nonce: relayNonce, session: session, maximumFrame: settings.maximumFrame, idleSeconds: settings.idleSeconds)
            ])

        case (.awaitingAuth(let vault, let deviceKey, let replica, let transcript, let session), .auth(let signature)):
            guard SigningKey.isValid(signature: signature, for: transcript, publicKey: deviceKey) else {
                return refuse(.authFailed, "the signature does not verify")
            }
            guard try storage.authKey(of: vault) != nil else { return refuse(.unknownVault, RelayError.unknownVault(vault).description) }
            guard try storage.authenticate(deviceKey, replica: replica, in: vault) else {
                return refuse(.authFailed, "this device is not admitted to the vault")
            }
            return try welcome(vault: vault, deviceKey: deviceKey, replica: replica, session: session)

        case (.awaitingAuth(let vault, let deviceKey, let replica, let transcript, let session), .join(let authKey, let admission, let invite, let signature)):
            // A vault new here is named by its first auth key; one already here has moved on
            // to its current epoch's auth key (checked as it is admitted).
            guard try storage.authKey(of: vault) != nil || VaultID(authPublicKey: authKey).bytes == vault.bytes else {
                return refuse(.authFailed, "the vault id is not the hash of that auth key")
            }
            guard SigningKey.isValid(signature: admission, for: Transcript.admission(vault: vault, deviceKey: deviceKey, replica: replica), publicKey: authKey),
                SigningKey.isValid(signature: signature, for: transcript, publicKey: deviceKey)
            else { return refuse(.authFailed, "the admission or the signature does not verify") }
            do {
                try storage.admitVault(vault, authKey: authKey, invite: invite.isEmpty ? nil : invite, open: settings.open)
            } catch let error as RelayError {
                return refuse(error.code, error.description)
            }
            try storage.admitDevice(deviceKey, replica: replica, to: vault)
            return try welcome(vault: vault, deviceKey: deviceKey, replica: replica, session: session)

        case (.authenticated(let vault, _, let replica, _), .push(let envelopes)):
            if let foreign = envelopes.first(where: { $0.replica != replica }) {
                return refuse(.forbidden, "a device pushes only its own replica's changes (this device's replica is \(replica)); "
                    + "an envelope of replica \(foreign.replica) was refused, and nothing of the push was stored")
            }
            if let unservable = envelopes.first(where: { $0.largestBatchPayload > Int(settings.maximumFrame) }) {
                return refuse(.frameTooLarge, "an envelope of \(unservable.encodedCount) bytes would not fit a batch within this relay's "
                    + "\(settings.maximumFrame)-byte frames, so it could not be served back; nothing of the push was stored")
            }
            let appended = try storage.append(envelopes, to: vault)
            return Outcome(
                replies: [.ack(held: appended.held, stored: appended.stored, serverSeq: appended.serverSeq)], stored: appended.stored > 0)

        case (.authenticated(let vault, _, _, _), .pull(let after, let maximumBytes)):
            // A batch must fit in one frame, whatever the device asks for.
            let limit = min(Int(clamping: maximumBytes), Int(settings.maximumFrame) - Self.batchAllowance)
            let page = try storage.envelopes(of: vault, after: after, maximumBytes: limit)
            return Outcome(replies: [.batch(page.items, more: page.more)])

        case (.authenticated(let vault, _, _, _), .snapshotPut(let covers, let sealed)):
            try storage.putSnapshot(sealed, covering: covers, of: vault)
            return Outcome(replies: [])

        case (.authenticated(let vault, _, _, _), .snapshotGet):
            let snapshot = try storage.snapshot(of: vault)
            return Outcome(replies: [.snapshot(covers: snapshot?.covers ?? [], sealed: snapshot?.sealed ?? [])])

        case (.awaitingAuth(let vault, _, _, _, _), .inviteTake(let lookup)):
            do {
                let taken = try storage.takeInvitation(lookup, in: vault)
                return Outcome(replies: [.invitation(sealed: taken.sealed, expires: taken.expires)])
            } catch RelayError.badInvite {
                return refuse(.badInvite, "this invite code is unknown, used or expired; ask for a new one (flare invite)")
            }

        case (.authenticated(let vault, _, _, _), .invitePut(let lookup, let expires, let sealed)):
            try storage.putInvitation(sealed, lookup: lookup, expires: expires, in: vault)
            return Outcome(replies: [.inviteStored])

        case (.authenticated(let vault, _, _, _), .devicesGet(let start)):
            // One page's rows are read, however many keys the vault has admitted.
            let page = try storage.devices(of: vault, from: Int(clamping: start), limit: Self.devicesPerPage)
            return Outcome(replies: [.devices(page.devices, more: page.more)])

        case (.authenticated(let vault, _, _, _), .epochsGet(let after)):
            let limit = Int(settings.maximumFrame) - Self.batchAllowance
            let page = try storage.epochRecords(of: vault, after: after, maximumBytes: limit)
            return Outcome(replies: [.epochs(page.records, more: page.more)])

        case (.authenticated(let vault, let deviceKey, _, _), .epochPut(let record)):
            guard record.vault == vault, record.revoker == deviceKey else {
                return refuse(.malformed, "an epoch record is made by the device that sends it, for its vault")
            }
            // The auth key before the epoch: if another record lands in between, the epoch no
            // longer follows and the record is refused as a conflict, not as a forgery.
            guard let authKey = try storage.authKey(of: vault) else { return refuse(.unknownVault, RelayError.unknownVault(vault).description) }
            let current = try storage.position(of: vault).epoch
            guard record.epoch == current + 1 else {
                throw RelayError.epochConflict("the vault is at key epoch \(current), so the next record is epoch \(current + 1), not \(record.epoch)")
            }
            let signed = record.signedBytes
            guard SigningKey.isValid(signature: record.parentSignature, for: signed, publicKey: authKey),
                SigningKey.isValid(signature: record.revokerSignature, for: signed, publicKey: deviceKey)
            else { return refuse(.authFailed, "the epoch record is not signed by the vault's current auth key and by this device") }
            guard record.encoded().count + Self.batchAllowance <= Int(settings.maximumFrame) else {
                return refuse(.frameTooLarge, "the epoch record would not fit this relay's \(settings.maximumFrame)-byte frames when served back")
            }
            try storage.advanceEpoch(record, parentKey: authKey, in: vault)
            return Outcome(replies: [.epochStored(epoch: record.epoch)], rekeyed: record)

        case (.authenticated(let vault, let deviceKey, _, let session), .forget(let signature)):
            guard SigningKey.isValid(signature: signature, for: Transcript.forget(vault: vault, session: session), publicKey: deviceKey) else {
                return refuse(.authFailed, "the signature does not verify")
            }
            try storage.forget(vault)
            state = .closed
            return Outcome(replies: [.forgotten], close: true)

        case (_, .ping(let nonce)):
            return Outcome(replies: [.pong(nonce: nonce)])

        case (_, .pong):
            return Outcome()

        case (.closed, _):
            return Outcome(close: true)

        default:
            return refuse(.malformed, "message \(message.type) is not expected now")
        }
    }

    private mutating func welcome(vault: WireID, deviceKey: [UInt8], replica: WireID, session: WireID) throws -> Outcome {
        state = .authenticated(vault: vault, deviceKey: deviceKey, replica: replica, session: session)
        let position = try storage.position(of: vault)
        return Outcome(replies: [
            .welcome(store: position.store, serverSeq: position.serverSeq, held: try storage.held(in: vault), epoch: position.epoch)
        ])
    }
}
