import CSodium

/// An Ed25519 key pair (libsodium `crypto_sign_*`), made from a 32-byte seed.
public struct SigningKey: Sendable {
    /// Seed length in bytes (`crypto_sign_SEEDBYTES`).
    public static let seedByteCount = Int(crypto_sign_SEEDBYTES)
    /// Public key length in bytes (`crypto_sign_PUBLICKEYBYTES`).
    public static let publicKeyByteCount = Int(crypto_sign_PUBLICKEYBYTES)
    /// Detached signature length in bytes (`crypto_sign_BYTES`).
    public static let signatureByteCount = Int(crypto_sign_BYTES)

    /// The 32-byte seed: everything needed to recreate the key pair.
    public let seed: SecretBytes
    /// The 32-byte public key.
    public let publicKey: [UInt8]
    /// libsodium's 64-byte secret key (seed and public key), kept so signing need not redo the
    /// scalar multiplication. `DeviceSealing` converts it to X25519.
    let secretKey: SecretBytes

    /// The key pair of `seed` (`crypto_sign_seed_keypair`); throws `invalidKeyLength` unless it has 32 bytes.
    public init(seed: SecretBytes) throws(CryptoError) {
        try Sodium.ready()
        guard seed.count == Self.seedByteCount else {
            throw .invalidKeyLength(expected: Self.seedByteCount, actual: seed.count)
        }
        self.init(checkedSeed: seed)
    }

    /// For seeds that are 32 bytes by construction.
    init(checkedSeed seed: SecretBytes) {
        var publicKey = [UInt8](repeating: 0, count: Self.publicKeyByteCount)
        secretKey = SecretBytes(count: Int(crypto_sign_SECRETKEYBYTES)) { secretKey in
            seed.withKeyPointer { seed in
                _ = crypto_sign_seed_keypair(&publicKey, secretKey.bindMemory(to: UInt8.self).baseAddress!, seed)
            }
        }
        self.seed = seed
        self.publicKey = publicKey
    }

    /// A key pair from a fresh random seed.
    public static func random() -> SigningKey {
        SigningKey(checkedSeed: SecretBytes(randomCount: seedByteCount))
    }

    /// The 64-byte detached signature of `message` (`crypto_sign_detached`; Ed25519 is deterministic).
    public func signature(for message: [UInt8]) -> [UInt8] {
        Sodium.require()
        var signature = [UInt8](repeating: 0, count: Self.signatureByteCount)
        secretKey.withKeyPointer { secretKey in
            _ = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
        }
        return signature
    }

    /// Whether `signature` is a valid signature of `message` by `publicKey`
    /// (`crypto_sign_verify_detached`). Wrong lengths are simply invalid.
    public static func isValid(signature: [UInt8], for message: [UInt8], publicKey: [UInt8]) -> Bool {
        Sodium.require()
        guard signature.count == signatureByteCount, publicKey.count == publicKeyByteCount else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
