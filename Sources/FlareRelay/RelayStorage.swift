import FlareWire

/// Why the relay refused a request; each maps to a protocol error code.
public enum RelayError: Error, Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    case unknownVault(WireID)
    case badInvite
    case seqGap(replica: WireID, held: UInt64, first: UInt64)
    case quotaExceeded(String)
    /// The relay's disk (or its storage's space) is full: nothing of the request was stored.
    /// `cause` is the storage's own error, for the relay's log; the device hears only the code.
    case storageFull(cause: String)
    /// The relay's storage holds a value it could not have written (damage on disk).
    case damagedStorage(String)
    /// A device key and a replica that do not belong together: the key is bound to another
    /// replica, or the replica to another key.
    case replicaTaken(replica: WireID)
    /// An invitation the relay will not keep (why, in words).
    case badInvitation(String)
    /// The device key was revoked by key epoch `epoch`'s record.
    case revoked(epoch: UInt64)
    /// Envelopes sealed under key epoch `envelope` while the vault is at `vault`.
    case staleEpoch(vault: UInt64, envelope: UInt64)
    /// An epoch record that does not follow the vault's current epoch and devices (why).
    case epochConflict(String)
    /// An admission by an auth key that is not the vault's current one; from epoch 1 on, most
    /// likely one from before a revocation.
    case staleAuthKey(epoch: UInt64)

    /// The code sent to the device (Protocol/PROTOCOL.md §6).
    public var code: ErrorCode {
        switch self {
        case .unknownVault: return .unknownVault
        case .badInvite: return .badInvite
        case .seqGap: return .seqGap
        case .quotaExceeded: return .quotaExceeded
        case .storageFull: return .storageFull
        case .damagedStorage: return .internal
        case .replicaTaken: return .forbidden
        case .badInvitation: return .badInvite
        case .revoked: return .revoked
        case .staleEpoch: return .staleEpoch
        case .epochConflict: return .epochConflict
        case .staleAuthKey: return .authFailed
        }
    }

    public var description: String {
        switch self {
        case .unknownVault(let vault): return "vault \(vault) is not admitted on this relay"
        case .badInvite: return "the invite token is unknown or already used"
        case .seqGap(let replica, let held, let first):
            return "an envelope of replica \(replica) starts at \(first), but the relay holds up to \(held)"
        case .quotaExceeded(let what): return "the vault's quota is full (\(what))"
        case .storageFull: return "the relay's disk is full; nothing of the request was stored"
        case .damagedStorage(let what): return "the relay's storage is damaged (\(what)); nothing of the request was stored"
        case .badInvitation(let why): return "the relay does not keep this invitation: \(why)"
        case .revoked(let epoch):
            return "this device key was revoked from the vault (key epoch \(epoch)); it is not admitted again, by any code"
        case .staleEpoch(let vault, let envelope):
            return "the vault is at key epoch \(vault), and an envelope is sealed under epoch \(envelope); nothing of the push was stored. "
                + "Fetch the new epoch (epochs get) and seal again"
        case .epochConflict(let why): return "the epoch record does not fit: \(why)"
        case .staleAuthKey(0): return "that auth key is not this vault's"
        case .staleAuthKey(let epoch):
            return "the vault has moved to key epoch \(epoch) since that code was made (a device was revoked), so it admits no one; "
                + "ask a device of the vault for a new invite"
        case .replicaTaken(let replica):
            return "replica \(replica) belongs to another device key of this vault, or this key to another replica"
        }
    }

    /// For the relay's own log: the description, with the storage's words for a full disk.
    public var debugDescription: String {
        if case .storageFull(let cause) = self { return "\(description): \(cause)" }
        return description
    }
}

/// The bounds a relay keeps invitations in.
public enum Invitation {
    /// The longest an invitation is kept: a week.
    public static let longestLifetime: UInt64 = 7 * 86_400
    /// Live invitations per vault.
    public static let mostPerVault = 16
}

extension RelayStorage {
    /// Every admitted device key of the vault, in the order they were admitted.
    public func devices(of vault: WireID) throws -> [AdmittedDevice] {
        try devices(of: vault, from: 0, limit: Int(Int64.max) - 1).devices
    }
}

/// How much one vault may store on a relay.
public struct Quota: Sendable {
    public var maximumBytes: Int
    public var maximumEnvelopes: Int

    public init(maximumBytes: Int = 1 << 30, maximumEnvelopes: Int = 1_000_000) {
        self.maximumBytes = maximumBytes
        self.maximumEnvelopes = maximumEnvelopes
    }
}

/// What `append` did: per replica the highest seq now held, how many envelopes were stored
/// (their server seqs are the last `stored` up to `serverSeq`), and the latest server seq.
public struct Appended: Sendable {
    public let held: HighWaterMarks
    public let stored: UInt64
    public let serverSeq: UInt64
}

/// Where a vault's envelopes stand on a relay. `store` is random, made when the vault is
/// admitted: a new one means the relay lost or forgot the envelopes a device may have seen.
public struct StorePosition: Sendable, Equatable {
    public let store: WireID
    public let serverSeq: UInt64
    /// The vault's current key epoch.
    public let epoch: UInt64
}

/// Where a relay keeps vaults, admitted device keys, invites, envelopes and snapshots. SQLite
/// by default (`SQLiteRelayStorage`); a PostgreSQL backend can implement the same protocol.
///
/// The storage knows nothing of what envelopes hold: it sees replica ids, seq ranges and
/// sealed bytes.
public protocol RelayStorage: AnyObject, Sendable {
    /// A new single-use invite token.
    func createInvite() throws -> String
    /// The vault's auth public key, if the vault is admitted.
    func authKey(of vault: WireID) throws -> [UInt8]?
    /// Admits a vault with its auth public key, consuming `invite` unless `open` (a relay run
    /// with `--open`). Admitting a vault again with its current key changes nothing; another
    /// key is refused with `staleAuthKey`.
    func admitVault(_ vault: WireID, authKey: [UInt8], invite: String?, open: Bool) throws
    /// Records a device key as admitted to a vault, bound to `replica`, and as seen now.
    /// Admitting a key again changes nothing but the time seen. Throws `replicaTaken` when
    /// the key is bound to another replica or the replica to another key, and `revoked` for
    /// a revoked key.
    func admitDevice(_ key: [UInt8], replica: WireID, to vault: WireID) throws
    /// Whether the key is admitted to the vault; if so, binds it to `replica` (a key admitted
    /// by protocol version 1 has none yet) and records that it was seen now. Throws
    /// `replicaTaken` and `revoked` as `admitDevice` does.
    func authenticate(_ key: [UInt8], replica: WireID, in vault: WireID) throws -> Bool
    /// The vault's admitted device keys in the order they were admitted, at most `limit` from
    /// the `start`th (0-based) on, and whether more follow.
    func devices(of vault: WireID, from start: Int, limit: Int) throws -> (devices: [AdmittedDevice], more: Bool)
    /// Per replica, the highest seq held for the vault.
    func held(in vault: WireID) throws -> HighWaterMarks
    /// Stores envelopes that continue their replicas' runs, all or none; envelopes already held
    /// are skipped. Throws `seqGap` for one that leaves a gap or overlaps in part,
    /// `staleEpoch` for one not sealed under the vault's current key epoch, and
    /// `quotaExceeded` when the vault would pass its quota.
    func append(_ envelopes: [Envelope], to vault: WireID) throws -> Appended
    /// Envelopes after `serverSeq`, in order, up to `maximumBytes` counting each envelope's
    /// sealed bytes plus `Envelope.headerAllowance` (always at least one), and whether more follow.
    func envelopes(of vault: WireID, after serverSeq: UInt64, maximumBytes: Int) throws -> (items: [(serverSeq: UInt64, envelope: Envelope)], more: Bool)
    /// The vault's store id and latest server seq (0 when empty).
    func position(of vault: WireID) throws -> StorePosition
    func putSnapshot(_ sealed: [UInt8], covering: HighWaterMarks, of vault: WireID) throws
    func snapshot(of vault: WireID) throws -> (covers: HighWaterMarks, sealed: [UInt8])?
    /// Keeps a device's sealed invitation under `lookup` until `expires` (seconds since 1970).
    /// Throws `badInvitation` for an expiry in the past or more than
    /// `Invitation.longestLifetime` ahead, a lookup id already in use, or a vault holding
    /// `Invitation.mostPerVault` live invitations.
    func putInvitation(_ sealed: [UInt8], lookup: WireID, expires: UInt64, in vault: WireID) throws
    /// Takes the invitation under `lookup`, deleting it (it serves once); throws `badInvite`
    /// when there is none or it has expired.
    func takeInvitation(_ lookup: WireID, in vault: WireID) throws -> (sealed: [UInt8], expires: UInt64)
    /// Moves the vault to `record`'s epoch, all or nothing: marks the keys it revokes, makes its
    /// auth key the vault's, keeps the record and drops every invitation (they hold the old
    /// epoch's secret). Throws `epochConflict` unless the record is the epoch after the
    /// current one, whose auth key is still `parentKey`, revokes only admitted keys and keeps
    /// exactly the other admitted ones. The caller has checked both signatures (the parent's
    /// under `parentKey`).
    func advanceEpoch(_ record: EpochRecord, parentKey: [UInt8], in vault: WireID) throws
    /// Epoch records after `epoch`, in order, up to `maximumBytes` (always at least one), and
    /// whether more follow.
    func epochRecords(of vault: WireID, after epoch: UInt64, maximumBytes: Int) throws -> (records: [EpochRecord], more: Bool)
    /// Deletes everything of the vault.
    func forget(_ vault: WireID) throws
    /// Every admitted vault with its envelope count and bytes.
    func vaults() throws -> [(vault: WireID, envelopes: Int, bytes: Int)]
}
