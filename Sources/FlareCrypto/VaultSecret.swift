import CSodium

/// The vault secret: 32 random bytes from which the vault's keys are derived, shown to the person
/// once as a pairing and recovery code.
public struct VaultSecret: Sendable {
    /// Length in bytes.
    public static let byteCount = Int(crypto_kdf_KEYBYTES)
    /// The 8-byte `crypto_kdf` context of every vault subkey.
    static let keyContext = "FlareKey"
    /// `crypto_kdf` subkey id of the data key.
    static let dataKeyID: UInt64 = 1
    /// `crypto_kdf` subkey id of the auth key's Ed25519 seed.
    static let authSeedID: UInt64 = 2

    /// The 32 secret bytes.
    public let secret: SecretBytes

    /// Uses `secret` as a vault secret; throws `invalidKeyLength` unless it has 32 bytes.
    public init(_ secret: SecretBytes) throws(CryptoError) {
        guard secret.count == Self.byteCount else {
            throw .invalidKeyLength(expected: Self.byteCount, actual: secret.count)
        }
        self.secret = secret
    }

    /// Reads a version 1 pairing code as typed (see `pairingCode`); throws `invalidPairingCode`
    /// naming the problem, `wrongKind` for an invite or recovery code (`PairingCodeContent` reads
    /// every kind). Cheap, so it runs before any disk or network work.
    public init(pairingCode: String) throws(CryptoError) {
        switch try PairingCodeContent(code: pairingCode) {
        case .vaultSecret(let secret): self = secret
        case let other: throw .invalidPairingCode(.wrongKind(expected: .vaultSecret, actual: other.kind))
        }
    }

    /// For secrets that are 32 bytes by construction.
    init(checked secret: SecretBytes) {
        self.secret = secret
    }

    /// A fresh random vault secret.
    public static func random() -> VaultSecret {
        VaultSecret(checked: SecretBytes(randomCount: byteCount))
    }

    /// The secret as a version 1 pairing code: 56 Crockford base32 symbols in groups of four,
    /// carrying the version, the secret, a hash checksum and a check symbol (format in
    /// Protocol/CRYPTO.md).
    public var pairingCode: String { PairingCodeContent.vaultSecret(self).code }

    /// The vault's keys, derived with `crypto_kdf_derive_from_key` under context `FlareKey`:
    /// subkey 1 is the data key, subkey 2 the auth key's seed; the vault id follows from the
    /// auth public key.
    public func keys() -> VaultKeys {
        let authKey = SigningKey(checkedSeed: subkey(Self.authSeedID))
        return VaultKeys(dataKey: SealingKey(checked: subkey(Self.dataKeyID)),
                         authKey: authKey,
                         vaultID: VaultID(authPublicKey: authKey.publicKey))
    }

    private func subkey(_ id: UInt64) -> SecretBytes {
        Self.subkey(of: secret, id: id, context: Self.keyContext, count: SealingKey.byteCount)
    }

    /// `crypto_kdf_derive_from_key`: subkey `id` of `count` bytes (16…64) under an 8-byte `context`.
    static func subkey(of key: SecretBytes, id: UInt64, context: String, count: Int) -> SecretBytes {
        Sodium.require()
        precondition(context.utf8.count == Int(crypto_kdf_CONTEXTBYTES), "a KDF context has 8 bytes")
        precondition((Int(crypto_kdf_BYTES_MIN)...Int(crypto_kdf_BYTES_MAX)).contains(count), "a subkey has 16 to 64 bytes")
        return SecretBytes(count: count) { output in
            key.withKeyPointer { key in
                _ = crypto_kdf_derive_from_key(output.bindMemory(to: UInt8.self).baseAddress!, output.count, id, context, key)
            }
        }
    }
}

/// The keys of one vault secret.
public struct VaultKeys: Sendable {
    /// Seals everything the person wrote (subkey 1).
    public let dataKey: SealingKey
    /// Proves membership of the vault at the relay (seed = subkey 2).
    public let authKey: SigningKey
    /// Names the vault; derived from `authKey.publicKey`.
    public let vaultID: VaultID
}
