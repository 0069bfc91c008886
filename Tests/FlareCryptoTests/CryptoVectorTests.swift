@_spi(Testing) import FlareCrypto
import Foundation
import Testing

/// Byte-exact vectors in Protocol/vectors/crypto.json for everything Flare derives, seals and
/// encodes itself. The test checks both directions: the file equals what the code produces, and
/// the code reads back every input from the file's own values.
/// `FLARE_WRITE_VECTORS=1 swift test --scratch-path .build-crypto --filter FlareCryptoTests`
/// rewrites the file after a deliberate format change (which must also bump a version), all but
/// its `epoch` entry (EpochVectorTests in FlareSyncTests).
@Suite struct CryptoVectorTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors/crypto.json")

    static let sealKey = Fixture.counting(32, from: 0x80)
    static let sealNonce = Fixture.counting(24, from: 0x40)
    static let sealContext = Array("flare vector".utf8)
    static let sealLengths = [0, 1, 7, 8, 127, 128, 1000]
    static let padmeLengths = Array(0...40) + [63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024, 1025, 4096, 5000, 65_536, 100_000, 1_000_000]
    static let passphrase = "correct horse battery staple"
    static let passphraseSalt = Fixture.counting(16, from: 0xF0)
    static let inviteToken = Fixture.counting(16, from: 0xA0)
    static let epochSecret = Fixture.counting(32, from: 0x60)

    static func document() throws -> Data {
        let vault = try VaultSecret(SecretBytes(copying: Fixture.counting(32)))
        let keys = vault.keys()
        let sealKey = try SealingKey(SecretBytes(copying: Self.sealKey))
        let derived = try PassphraseKey.derive(passphrase: passphrase, salt: passphraseSalt, parameters: .minimumForTests)
        let token = try InviteToken(SecretBytes(copying: inviteToken))
        let epochSecret = try VaultSecret(SecretBytes(copying: epochSecret))
        let object: [String: Any] = [
            "description": "FlareCrypto byte-exact vectors; format in Protocol/CRYPTO.md",
            "vault": [
                "secret_hex": vault.secret.bytes.hex,
                "pairing_code": vault.pairingCode,
                "kdf_context": "FlareKey",
                "data_key_hex": keys.dataKey.secret.bytes.hex,
                "auth_seed_hex": keys.authKey.seed.bytes.hex,
                "auth_public_key_hex": keys.authKey.publicKey.hex,
                "vault_id_hex": keys.vaultID.hex,
            ],
            "invite": [
                "vault_id_hex": keys.vaultID.hex,
                "token_hex": inviteToken.hex,
                "code": PairingCodeContent.invite(vault: keys.vaultID, token: token).code,
                "lookup_id_personal": "Flare.InviteID.1",
                "lookup_id_hex": token.lookupID.hex,
                "sealing_key_personal": "Flare.InviteKey1",
                "sealing_key_hex": token.sealingKey.secret.bytes.hex,
            ],
            "recovery": [
                "vault_id_hex": keys.vaultID.hex,
                "epoch_secret_hex": epochSecret.secret.bytes.hex,
                "code": PairingCodeContent.recovery(vault: keys.vaultID, secret: epochSecret).code,
            ],
            "ed25519_to_x25519": [
                "ed25519_seed_hex": keys.authKey.seed.bytes.hex,
                "ed25519_public_key_hex": keys.authKey.publicKey.hex,
                "x25519_secret_key_hex": DeviceSealing.x25519SecretKey(of: keys.authKey).bytes.hex,
                "x25519_public_key_hex": try DeviceSealing.x25519PublicKey(keys.authKey.publicKey).hex,
            ],
            "seal": [
                "key_hex": Self.sealKey.hex,
                "nonce_hex": sealNonce.hex,
                "associated_data_hex": sealContext.hex,
                "cases": sealLengths.map { length -> [String: Any] in
                    let plaintext = Fixture.counting(length)
                    return [
                        "plaintext_hex": plaintext.hex,
                        "padded_length": Padding.padme(length + 1),
                        "sealed_hex": sealKey.seal(plaintext, associatedData: sealContext, nonce: sealNonce).hex,
                    ]
                },
            ],
            "padme": padmeLengths.map { [$0, Padding.padme($0)] },
            "passphrase": [
                "passphrase": passphrase,
                "salt_hex": passphraseSalt.hex,
                "ops_limit": PassphraseParameters.minimumForTests.opsLimit,
                "mem_limit_bytes": PassphraseParameters.minimumForTests.memLimitBytes,
                "key_hex": derived.secret.bytes.hex,
            ],
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The entry made and checked by FlareSyncTests' EpochVectorTests (a key epoch record needs
    /// FlareSync): kept as it is when this test rewrites the file, and not compared here.
    static let epochEntry = "epoch"

    /// One test, so that rewriting the file happens before it is read back.
    @Test func vectorsMatchInBothDirections() throws {
        let expected = try Self.document()
        if ProcessInfo.processInfo.environment["FLARE_WRITE_VECTORS"] == "1" {
            var rewritten = try #require(try JSONSerialization.jsonObject(with: expected) as? [String: Any])
            let old = try? JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [String: Any]
            rewritten[Self.epochEntry] = old?[Self.epochEntry]
            try JSONSerialization.data(withJSONObject: rewritten, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                .write(to: Self.file, options: .atomic)
        }
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [String: Any])
        let generated = try #require(try JSONSerialization.jsonObject(with: expected) as? [String: Any])
        #expect(NSDictionary(dictionary: stored.filter { $0.key != Self.epochEntry }).isEqual(to: generated), "crypto.json differs from what the code produces")

        let file = try Self.object(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)))

        let vault = try Self.object(file["vault"])
        let secret = try VaultSecret(pairingCode: try Self.value(vault["pairing_code"]))
        #expect(secret.secret.bytes == (try Self.bytes(vault["secret_hex"])))
        let keys = secret.keys()
        #expect(keys.dataKey.secret.bytes == (try Self.bytes(vault["data_key_hex"])))
        #expect(keys.authKey.seed.bytes == (try Self.bytes(vault["auth_seed_hex"])))
        let authPublicKey = try Self.bytes(vault["auth_public_key_hex"])
        #expect(keys.authKey.publicKey == authPublicKey)
        #expect(VaultID(authPublicKey: authPublicKey) == VaultID(hex: try Self.value(vault["vault_id_hex"])))

        let invite = try Self.object(file["invite"])
        guard case .invite(let inviteVault, let token) = try PairingCodeContent(code: try Self.value(invite["code"])) else {
            Issue.record("the invite vector's code is not an invite code")
            return
        }
        #expect(inviteVault == VaultID(hex: try Self.value(invite["vault_id_hex"])))
        #expect(token.secret.bytes == (try Self.bytes(invite["token_hex"])))
        let fileToken = try InviteToken(SecretBytes(copying: try Self.bytes(invite["token_hex"])))
        #expect(fileToken.lookupID == (try Self.bytes(invite["lookup_id_hex"])))
        #expect(fileToken.sealingKey.secret.bytes == (try Self.bytes(invite["sealing_key_hex"])))

        let recovery = try Self.object(file["recovery"])
        guard case .recovery(let recoveryVault, let epochSecret) = try PairingCodeContent(code: try Self.value(recovery["code"])) else {
            Issue.record("the recovery vector's code is not a recovery code")
            return
        }
        #expect(recoveryVault == VaultID(hex: try Self.value(recovery["vault_id_hex"])))
        #expect(epochSecret.secret.bytes == (try Self.bytes(recovery["epoch_secret_hex"])))

        let conversion = try Self.object(file["ed25519_to_x25519"])
        let deviceKey = try SigningKey(seed: SecretBytes(copying: try Self.bytes(conversion["ed25519_seed_hex"])))
        let devicePublicKey = try Self.bytes(conversion["ed25519_public_key_hex"])
        #expect(deviceKey.publicKey == devicePublicKey)
        #expect(DeviceSealing.x25519SecretKey(of: deviceKey).bytes == (try Self.bytes(conversion["x25519_secret_key_hex"])))
        #expect(try DeviceSealing.x25519PublicKey(devicePublicKey) == (try Self.bytes(conversion["x25519_public_key_hex"])))

        let seal = try Self.object(file["seal"])
        let key = try SealingKey(SecretBytes(copying: try Self.bytes(seal["key_hex"])))
        let context = try Self.bytes(seal["associated_data_hex"])
        let cases: [[String: Any]] = try Self.value(seal["cases"])
        #expect(cases.count == Self.sealLengths.count)
        for entry in cases {
            let sealed = try Self.bytes(entry["sealed_hex"])
            let paddedLength: Int = try Self.value(entry["padded_length"])
            #expect(try key.open(sealed, associatedData: context) == (try Self.bytes(entry["plaintext_hex"])))
            #expect(sealed.count == SealingKey.nonceByteCount + paddedLength + SealingKey.tagByteCount)
        }

        let padme: [[Int]] = try Self.value(file["padme"])
        for pair in padme { #expect(Padding.padme(pair[0]) == pair[1], "length \(pair[0])") }

        let passphrase = try Self.object(file["passphrase"])
        let parameters = try PassphraseParameters(opsLimit: try Self.value(passphrase["ops_limit"]),
                                                  memLimitBytes: try Self.value(passphrase["mem_limit_bytes"]))
        let derived = try PassphraseKey.derive(passphrase: try Self.value(passphrase["passphrase"]),
                                               salt: try Self.bytes(passphrase["salt_hex"]), parameters: parameters)
        #expect(derived.secret.bytes == (try Self.bytes(passphrase["key_hex"])))
    }

    static func value<T>(_ any: Any?) throws -> T { try #require(any as? T) }
    static func object(_ any: Any?) throws -> [String: Any] { try value(any) }
    static func bytes(_ any: Any?) throws -> [UInt8] { [UInt8](hex: try value(any) as String) }
}
