import FlareCrypto
import Foundation
import GRDB

/// The secrets of a vault's key epochs that this device holds, from epoch 0 (the vault secret
/// the vault was made with) to the newest it has learnt (Protocol/CRYPTO.md §13). Each epoch's
/// secret gives that epoch's data key and auth key as `VaultSecret.keys()` does; changes are
/// sealed under the newest, and every older one still opens what was sealed under it.
///
/// Kept in the vault file as local state (sealed under the storage key, like every row) and
/// never synced: a device learns a new epoch from the relay, sealed to its own device key.
public struct KeyEpochs: Sendable {
    /// The vault they belong to: the id of epoch 0's auth key, whatever the epoch.
    public let vault: VaultID
    /// Secret and keys per epoch, epoch 0 first.
    private let epochs: [(secret: VaultSecret, keys: VaultKeys)]

    /// Epochs from their secrets, epoch 0 first. Throws `badKeyEpochs` unless epoch 0's
    /// secret is the vault's (its auth key hashes to `vault`).
    public init(vault: VaultID, secrets: [VaultSecret]) throws(StoreError) {
        guard let first = secrets.first, first.keys().vaultID == vault else {
            throw .badKeyEpochs("epoch 0's secret is not the vault's")
        }
        guard secrets.count - 1 <= Self.largestEpoch else { throw .badKeyEpochs("more than \(Self.largestEpoch) epochs") }
        self.vault = vault
        epochs = secrets.map { ($0, $0.keys()) }
    }

    /// The largest epoch number (as the sync protocol bounds it: 2^32 − 1).
    public static let largestEpoch = Int(UInt32.max)

    /// The newest epoch held: the one new changes are sealed under.
    public var current: UInt64 { UInt64(epochs.count - 1) }

    /// The newest epoch's keys.
    public var currentKeys: VaultKeys { epochs[epochs.count - 1].keys }

    /// The newest epoch's secret: what an invitation or a recovery code carries.
    public var currentSecret: VaultSecret { epochs[epochs.count - 1].secret }

    /// The keys of `epoch`, if this device holds it.
    public func keys(of epoch: UInt64) -> VaultKeys? {
        epoch <= current ? epochs[Int(epoch)].keys : nil
    }

    /// The epochs with `secret` as the next one's.
    public func appending(_ secret: VaultSecret) throws(StoreError) -> KeyEpochs {
        try KeyEpochs(vault: vault, secrets: epochs.map(\.secret) + [secret])
    }

    /// The name of the local state the epochs are kept under.
    static let stateName = "key-epochs"

    /// The count as 4 bytes (big-endian), then each secret's 32 bytes, in guarded memory.
    func encoded() -> SecretBytes {
        let count = UInt32(epochs.count)
        return SecretBytes(joining: [SecretBytes(copying: (0..<4).map { UInt8(truncatingIfNeeded: count >> (24 - 8 * UInt32($0))) })]
            + epochs.map(\.secret.secret))
    }

    static func decode(_ bytes: SecretBytes, vault: VaultID) throws(StoreError) -> KeyEpochs {
        let problem = StoreError.badKeyEpochs("the stored key epochs do not read")
        guard bytes.count >= 4 else { throw problem }
        let count = bytes.withUnsafeBytes { raw in raw.prefix(4).reduce(0) { $0 << 8 | Int($1) } }
        guard count >= 1, count - 1 <= largestEpoch, bytes.count == 4 + count * VaultSecret.byteCount else { throw problem }
        var secrets: [VaultSecret] = []
        for index in 0..<count {
            let from = 4 + index * VaultSecret.byteCount
            guard let secret = try? VaultSecret(bytes.slice(from..<(from + VaultSecret.byteCount))) else { throw problem }
            secrets.append(secret)
        }
        return try KeyEpochs(vault: vault, secrets: secrets)
    }
}

extension Vault {
    /// The key epochs kept in the file; without any, epoch 0 alone when the given secret is
    /// the vault secret.
    func loadKeyEpochs() throws -> KeyEpochs? {
        let key = keyring.storageKey
        let sealed = try Self.storageErrors {
            try database.read { db in
                try Data.fetchOne(db, sql: "SELECT sealed FROM local_state WHERE name = ?", arguments: [KeyEpochs.stateName])
            }
        }
        if let sealed {
            guard let bytes = try? key.openSecret([UInt8](sealed), associatedData: binding.localState(KeyEpochs.stateName)),
                let epochs = try? KeyEpochs.decode(bytes, vault: vaultID)
            else {
                throw StoreError.corrupted([CorruptRow(table: "local_state", key: KeyEpochs.stateName, problem: "it does not open or read as key epochs")])
            }
            return epochs
        }
        return keyring.vaultSecret.keys().vaultID == vaultID ? try KeyEpochs(vault: vaultID, secrets: [keyring.vaultSecret]) : nil
    }

    /// Keeps `epochs` (durably, sealed like every row) as the key epochs this device holds.
    /// Refuses epochs of another vault, or fewer than it holds.
    package func adopt(_ epochs: KeyEpochs) throws {
        guard epochs.vault == vaultID else { throw StoreError.badKeyEpochs("they belong to another vault") }
        guard epochs.current >= keyEpochs?.current ?? 0 else {
            throw StoreError.badKeyEpochs("this device holds epoch \(keyEpochs?.current ?? 0) already, not \(epochs.current)")
        }
        let sealed = keyring.storageKey.seal(epochs.encoded(), associatedData: binding.localState(KeyEpochs.stateName))
        try Self.storageErrors {
            try database.write { db in try Self.writeLocalState(db, name: KeyEpochs.stateName, sealed: sealed) }
        }
        keyEpochs = epochs
    }
}
