import FlareBytes
import FlareCrypto
import FlareStore
import FlareWire
import Foundation
import Testing

@testable import FlareSync

/// The `epoch` entry of Protocol/vectors/crypto.json (CRYPTO.md §9, §13): a key epoch record
/// made once from fixed inputs. Its boxes hold random nonces and ephemeral keys, so the record's
/// bytes are stored as they were produced, and this test checks them against the inputs and the
/// documented formats: the record decodes to the inputs, both signatures verify, each member's
/// box opens with its seed to the documented plaintext, the chain box opens under the new data
/// key to the old secret, `EpochChain.advance` and `.recover` give the expected secrets, and the
/// envelope associated data of both layouts is byte-exact.
///
/// `FLARE_WRITE_EPOCH_VECTOR=1 swift test --scratch-path .build --filter EpochVectorTests` makes
/// a new record and rewrites only this entry (after a deliberate change of format, which must
/// also change a label's version).
@Suite struct EpochVectorTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors/crypto.json")

    static func counting(_ count: Int, from start: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: start + $0) }
    }

    // The inputs: the vault secret and the epoch secret of the `vault` and `recovery` entries,
    // so that the `recovery` entry's code is this epoch's.
    static let vaultSecret = counting(32)
    static let epochSecret = counting(32, from: 0x60)
    static let revokerSeed = counting(32, from: 0x20)
    static let memberSeed = counting(32, from: 0x40)
    static let revokedSeed = counting(32, from: 0xC0)
    static let time: UInt64 = 1_796_000_000
    static let replica = counting(16, from: 0xB0)
    static let firstSeq: UInt64 = 5
    static let lastSeq: UInt64 = 9

    static func secret(_ bytes: [UInt8]) throws -> VaultSecret { try VaultSecret(SecretBytes(copying: bytes)) }
    static func key(_ seed: [UInt8]) throws -> SigningKey { try SigningKey(seed: SecretBytes(copying: seed)) }
    static func bytes(_ secret: SecretBytes) -> [UInt8] { secret.withUnsafeBytes { Array($0) } }

    /// The entry's values that follow from the inputs alone, and the record (made now, or read
    /// from the file).
    static func entry(record: [UInt8]) throws -> [String: Any] {
        let vault = try secret(vaultSecret)
        let epoch = try secret(epochSecret)
        let vaultKeys = vault.keys()
        let epochKeys = epoch.keys()
        let replica = WireID(Self.replica)!
        return [
            "vault_secret_hex": Hex.encode(vaultSecret),
            "vault_id_hex": vaultKeys.vaultID.hex,
            "parent_auth_public_key_hex": Hex.encode(vaultKeys.authKey.publicKey),
            "epoch": 1,
            "epoch_secret_hex": Hex.encode(epochSecret),
            "epoch_data_key_hex": Hex.encode(bytes(epochKeys.dataKey.secret)),
            "epoch_auth_public_key_hex": Hex.encode(epochKeys.authKey.publicKey),
            "time": time,
            "revoker_seed_hex": Hex.encode(revokerSeed),
            "revoker_public_key_hex": Hex.encode(try key(revokerSeed).publicKey),
            "member_seed_hex": Hex.encode(memberSeed),
            "member_public_key_hex": Hex.encode(try key(memberSeed).publicKey),
            "revoked_seed_hex": Hex.encode(revokedSeed),
            "revoked_public_key_hex": Hex.encode(try key(revokedSeed).publicKey),
            "member_plaintext_hex": Hex.encode(bytes(EpochChain.memberPlaintext(vault: vaultKeys.vaultID, epoch: 1, secret: epoch))),
            "chain_associated_data_hex": Hex.encode(EpochChain.chainData(vault: vaultKeys.vaultID, epoch: 1)),
            "record_hex": Hex.encode(record),
            "signed_bytes_hex": Hex.encode(try EpochRecord.decode(record).signedBytes),
            "envelope": [
                "replica_hex": Hex.encode(Self.replica),
                "first_seq": firstSeq,
                "last_seq": lastSeq,
                "associated_data_hex": Hex.encode(
                    EnvelopeSealing.associatedData(vault: vaultKeys.vaultID, epoch: 1, replica: replica, first: firstSeq, last: lastSeq)),
                "epoch_0_associated_data_hex": Hex.encode(
                    EnvelopeSealing.associatedData(vault: vaultKeys.vaultID, epoch: 0, replica: replica, first: firstSeq, last: lastSeq)),
            ] as [String: Any],
        ]
    }

    /// A new record from the inputs: the revoker revokes one device and keeps itself and one other.
    static func makeRecord() throws -> [UInt8] {
        let vault = try secret(vaultSecret)
        let epochs = try KeyEpochs(vault: vault.keys().vaultID, secrets: [vault])
        let record = try EpochChain.record(
            after: epochs, secret: try secret(epochSecret), revoker: try key(revokerSeed), revoking: [try key(revokedSeed).publicKey],
            keeping: [try key(revokerSeed).publicKey, try key(memberSeed).publicKey], time: time)
        return record.encoded()
    }

    /// The bytes of a hex string in the file.
    static func hex(_ value: Any?) throws -> [UInt8] {
        let text = try #require(value as? String)
        return try #require(Hex.decode(text))
    }

    static func options() -> JSONSerialization.WritingOptions { [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] }

    @Test func theStoredEpochRecordChecksOut() throws {
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [String: Any])
        if ProcessInfo.processInfo.environment["FLARE_WRITE_EPOCH_VECTOR"] == "1" {
            document["epoch"] = try Self.entry(record: try Self.makeRecord())
            try JSONSerialization.data(withJSONObject: document, options: Self.options()).write(to: Self.file, options: .atomic)
        }
        let stored = try #require(document["epoch"] as? [String: Any], "crypto.json has no epoch entry")
        let recordBytes = try Self.hex(stored["record_hex"])

        // Everything but the record follows from the inputs.
        let expected = try Self.entry(record: recordBytes)
        let storedJSON = String(decoding: try JSONSerialization.data(withJSONObject: stored, options: Self.options()), as: UTF8.self)
        let expectedJSON = String(decoding: try JSONSerialization.data(withJSONObject: expected, options: Self.options()), as: UTF8.self)
        #expect(storedJSON == expectedJSON, "the epoch entry differs from what the code produces from its inputs")

        let vault = try Self.secret(Self.vaultSecret)
        let vaultID = vault.keys().vaultID
        let epochSecret = try Self.secret(Self.epochSecret)
        let revoker = try Self.key(Self.revokerSeed)
        let member = try Self.key(Self.memberSeed)
        let revoked = try Self.key(Self.revokedSeed)

        // The record decodes to the inputs, and encodes back to the same bytes.
        let record = try EpochRecord.decode(recordBytes)
        #expect(record.encoded() == recordBytes)
        #expect(record.vault.bytes == vaultID.bytes && record.epoch == 1 && record.time == Self.time)
        #expect(record.authKey == epochSecret.keys().authKey.publicKey && record.revoker == revoker.publicKey)
        #expect(record.revoked == [revoked.publicKey])
        #expect(record.members.map(\.deviceKey) == [revoker.publicKey, member.publicKey])
        #expect((EpochRecord.smallestEncoding...EpochRecord.longestEncoding).contains(recordBytes.count))

        // Signed bytes: the label, then the record without its two signatures.
        var label = [UInt8(14)]
        label += Array("flare/epoch/v1".utf8)
        #expect(record.signedBytes == label + recordBytes.dropLast(128))
        #expect(Array(recordBytes.suffix(128)) == record.parentSignature + record.revokerSignature)
        #expect(SigningKey.isValid(signature: record.parentSignature, for: record.signedBytes, publicKey: vault.keys().authKey.publicKey))
        #expect(SigningKey.isValid(signature: record.revokerSignature, for: record.signedBytes, publicKey: revoker.publicKey))

        // Each member's box opens with its own key to the documented plaintext, and no other.
        let plaintext = try Self.hex(stored["member_plaintext_hex"])
        var prefix = [UInt8(21)] + Array("flare/epoch-secret/v1".utf8) + vaultID.bytes
        prefix.append(1)
        #expect(plaintext == prefix + Self.epochSecret)
        for (box, key) in zip(record.members.map(\.sealedSecret), [revoker, member]) {
            #expect(box.count == DeviceSealing.overheadByteCount + plaintext.count)
            #expect(Self.bytes(try DeviceSealing.open(box, with: key)) == plaintext)
            #expect(throws: CryptoError.self) { try DeviceSealing.open(box, with: revoked) }
        }

        // The chain box opens under epoch 1's data key to epoch 0's secret.
        var chainData = [UInt8(20)] + Array("flare/epoch-chain/v1".utf8) + vaultID.bytes
        chainData.append(1)
        #expect(chainData == EpochChain.chainData(vault: vaultID, epoch: 1))
        #expect(record.sealedPrevious.count == 24 + 36 + 16)
        #expect(Self.bytes(try epochSecret.keys().dataKey.openSecret(record.sealedPrevious, associatedData: chainData)) == Self.vaultSecret)
        #expect(throws: CryptoError.self) { try vault.keys().dataKey.openSecret(record.sealedPrevious, associatedData: chainData) }

        // A kept device advances to epoch 1; the revoked one is told it was revoked.
        let epochZero = try KeyEpochs(vault: vaultID, secrets: [vault])
        for device in [revoker, member] {
            let advanced = try EpochChain.advance(epochZero, by: record, as: device)
            #expect(advanced.current == 1 && Self.bytes(advanced.currentSecret.secret) == Self.epochSecret)
        }
        #expect(throws: SyncError.revokedHere(epoch: 1)) { try EpochChain.advance(epochZero, by: record, as: revoked) }
        // A bit changed in the signed part (the time's first byte: vault, epoch, auth key and
        // revoker come before it) is refused.
        var altered = recordBytes
        altered[16 + 1 + 32 + 32] ^= 1
        let forged = try EpochRecord.decode(altered)
        #expect(throws: SyncError.self) { try EpochChain.advance(epochZero, by: forged, as: member) }

        // A device given only epoch 1's secret walks back to epoch 0.
        let recovered = try EpochChain.recover(vault: vaultID, secret: epochSecret, records: [record])
        #expect(recovered.current == 1)
        #expect(Self.bytes(try #require(recovered.keys(of: 0)).dataKey.secret) == Self.bytes(vault.keys().dataKey.secret))
        #expect(Self.bytes(recovered.currentSecret.secret) == Self.epochSecret)

        // The envelope associated data of both layouts.
        let envelope = try #require(stored["envelope"] as? [String: Any])
        let replica = Self.replica
        var v2 = [UInt8(17)] + Array("flare/envelope/v2".utf8) + vaultID.bytes
        v2 += [1] + replica + [UInt8(Self.firstSeq), UInt8(Self.lastSeq)]
        var v1 = [UInt8(17)] + Array("flare/envelope/v1".utf8) + vaultID.bytes
        v1 += replica + [UInt8(Self.firstSeq), UInt8(Self.lastSeq)]
        #expect(try Self.hex(envelope["associated_data_hex"]) == v2)
        #expect(try Self.hex(envelope["epoch_0_associated_data_hex"]) == v1)
    }
}
