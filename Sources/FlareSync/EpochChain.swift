import FlareBytes
import FlareCrypto
import FlareStore
import FlareWire

/// Making and checking key epoch records (Protocol/CRYPTO.md §13): how a device that revokes
/// others moves the vault to a new epoch secret, how a device that stays learns it, and how a
/// device given only the newest secret walks back to every older one. Pure functions: the
/// relay delivers the records, the vault keeps the secrets.
public enum EpochChain {
    /// The plaintext sealed to each remaining device: label, vault, epoch, then the secret,
    /// so a box cannot be replayed for another vault or epoch (sealed boxes carry no
    /// associated data).
    static func memberPlaintext(vault: VaultID, epoch: UInt64, secret: VaultSecret) -> SecretBytes {
        SecretBytes(joining: [SecretBytes(copying: memberPrefix(vault: vault, epoch: epoch)), secret.secret])
    }

    private static func memberPrefix(vault: VaultID, epoch: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/epoch-secret/v1")
        writer.raw(vault.bytes)
        writer.varint(epoch)
        return writer.bytes
    }

    /// The associated data of the previous epoch's secret, sealed under the new data key.
    static func chainData(vault: VaultID, epoch: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/epoch-chain/v1")
        writer.raw(vault.bytes)
        writer.varint(epoch)
        return writer.bytes
    }

    /// The record moving `epochs` to the next epoch with `secret`, made by `revoker`: it
    /// revokes `revoking` and seals `secret` to each of `keeping` (which holds the revoker).
    public static func record(
        after epochs: KeyEpochs, secret: VaultSecret = .random(), revoker: SigningKey, revoking: [[UInt8]], keeping: [[UInt8]], time: UInt64
    ) throws -> EpochRecord {
        let epoch = epochs.current + 1
        let keys = secret.keys()
        let plaintext = memberPlaintext(vault: epochs.vault, epoch: epoch, secret: secret)
        let members = try keeping.map { key in EpochRecord.Member(deviceKey: key, sealedSecret: try DeviceSealing.seal(plaintext, to: key)) }
        let sealedPrevious = keys.dataKey.seal(epochs.currentSecret.secret, associatedData: chainData(vault: epochs.vault, epoch: epoch))
        let vault = WireID(epochs.vault.bytes)!
        let signed = EpochRecord.signedBytes(
            vault: vault, epoch: epoch, authKey: keys.authKey.publicKey, revoker: revoker.publicKey, time: time, revoked: revoking, members: members,
            sealedPrevious: sealedPrevious)
        return try EpochRecord(
            vault: vault, epoch: epoch, authKey: keys.authKey.publicKey, revoker: revoker.publicKey, time: time, revoked: revoking, members: members,
            sealedPrevious: sealedPrevious, parentSignature: epochs.currentKeys.authKey.signature(for: signed),
            revokerSignature: revoker.signature(for: signed))
    }

    /// The epochs after `record`, for a device that holds every epoch before it and is kept
    /// by it. Throws `revokedHere` when the record does not keep `device`, and
    /// `badEpochRecord` for a record of another vault or epoch, a signature that does not
    /// verify, or secrets that do not fit together.
    public static func advance(_ epochs: KeyEpochs, by record: EpochRecord, as device: SigningKey) throws(SyncError) -> KeyEpochs {
        let epoch = record.epoch
        guard record.vault.bytes == epochs.vault.bytes, epoch == epochs.current + 1 else {
            throw .badEpochRecord(epoch, "it is not the next epoch of this vault (this device holds epoch \(epochs.current))")
        }
        try checkSignatures(record, parent: epochs.currentKeys.authKey.publicKey)
        guard let member = record.members.first(where: { $0.deviceKey == device.publicKey }) else {
            throw .revokedHere(epoch: epoch)
        }
        let prefix = memberPrefix(vault: epochs.vault, epoch: epoch)
        guard let plaintext = try? DeviceSealing.open(member.sealedSecret, with: device),
            plaintext.count == prefix.count + VaultSecret.byteCount,
            plaintext.slice(0..<prefix.count).withUnsafeBytes({ Array($0) }) == prefix,
            let secret = try? VaultSecret(plaintext.slice(prefix.count..<plaintext.count))
        else { throw .badEpochRecord(epoch, "the secret sealed to this device does not open") }
        // Every member opens the same secret: the one whose auth key the record names.
        guard secret.keys().authKey.publicKey == record.authKey else {
            throw .badEpochRecord(epoch, "the secret sealed to this device is not the one the record's auth key comes from")
        }
        let previous = try previousSecret(in: record, under: secret, vault: epochs.vault)
        guard previous.secret == epochs.currentSecret.secret else {
            throw .badEpochRecord(epoch, "it does not chain to epoch \(epochs.current)'s secret")
        }
        do {
            return try epochs.appending(secret)
        } catch {
            throw .badEpochRecord(epoch, "\(error)")
        }
    }

    /// Every epoch of `vault` from the newest secret alone: `records` are epochs 1 to n in
    /// order and `secret` is epoch n's (epoch 0's when there are none). Each record's sealed
    /// previous secret gives the one before, down to the vault secret, whose auth key must
    /// hash to the vault id. Throws `badEpochRecord` where the chain breaks.
    public static func recover(vault: VaultID, secret: VaultSecret, records: [EpochRecord]) throws(SyncError) -> KeyEpochs {
        var secrets = [secret]
        for (offset, record) in records.enumerated().reversed() {
            let epoch = UInt64(offset + 1)
            guard record.epoch == epoch, record.vault.bytes == vault.bytes else {
                throw .badEpochRecord(record.epoch, "the relay's records are not epochs 1 to \(records.count) of this vault")
            }
            let current = secrets[0]
            guard current.keys().authKey.publicKey == record.authKey else {
                throw .badEpochRecord(epoch, "its auth key is not the one of the secret this device holds")
            }
            let previous = try previousSecret(in: record, under: current, vault: vault)
            try checkSignatures(record, parent: previous.keys().authKey.publicKey)
            secrets.insert(previous, at: 0)
        }
        do {
            return try KeyEpochs(vault: vault, secrets: secrets)
        } catch {
            throw .badEpochRecord(0, "the chain does not lead back to this vault's secret")
        }
    }

    /// The relay's checks, made again by each device: the previous epoch's auth key and the
    /// revoker both signed the record.
    private static func checkSignatures(_ record: EpochRecord, parent: [UInt8]) throws(SyncError) {
        let signed = record.signedBytes
        guard SigningKey.isValid(signature: record.parentSignature, for: signed, publicKey: parent) else {
            throw .badEpochRecord(record.epoch, "it is not signed by the previous epoch's auth key")
        }
        guard SigningKey.isValid(signature: record.revokerSignature, for: signed, publicKey: record.revoker) else {
            throw .badEpochRecord(record.epoch, "it is not signed by the device that made it")
        }
    }

    private static func previousSecret(in record: EpochRecord, under secret: VaultSecret, vault: VaultID) throws(SyncError) -> VaultSecret {
        guard let opened = try? secret.keys().dataKey.openSecret(record.sealedPrevious, associatedData: chainData(vault: vault, epoch: record.epoch)),
            let previous = try? VaultSecret(opened)
        else { throw .badEpochRecord(record.epoch, "the previous epoch's secret does not open under its data key") }
        return previous
    }
}
