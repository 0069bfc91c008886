import FlareCrypto

/// The device's secrets, kept on disk only sealed under a key derived from its passphrase:
/// the vault secret (shared by the vault's devices), the device's own Ed25519 signing seed,
/// and the storage key that seals every other row of this device's file.
///
/// The storage key is random per device, not derived from the vault secret, so someone who
/// learns the pairing code still cannot read a device's file without its passphrase.
struct Keyring: Sendable {
    let vaultSecret: VaultSecret
    let deviceKey: SigningKey
    let storageKey: SealingKey

    static let byteCount = 96

    static func random(vaultSecret: VaultSecret) -> Keyring {
        Keyring(vaultSecret: vaultSecret, deviceKey: .random(), storageKey: .random())
    }

    /// Seals the three secrets, concatenated in guarded memory, under `wrappingKey`.
    func sealed(with wrappingKey: SealingKey, associatedData: [UInt8]) -> [UInt8] {
        let joined = SecretBytes(joining: [vaultSecret.secret, deviceKey.seed, storageKey.secret])
        return wrappingKey.seal(joined, associatedData: associatedData)
    }

    /// Opens a sealed keyring; a wrong wrapping key (a wrong passphrase) fails authentication.
    static func open(_ sealed: [UInt8], with wrappingKey: SealingKey, associatedData: [UInt8]) throws -> Keyring {
        let joined = try wrappingKey.openSecret(sealed, associatedData: associatedData)
        guard joined.count == byteCount else { throw CryptoError.malformedSealedBox }
        let parts = (0..<3).map { joined.slice(($0 * 32)..<($0 * 32 + 32)) }
        return Keyring(
            vaultSecret: try VaultSecret(parts[0]),
            deviceKey: try SigningKey(seed: parts[1]),
            storageKey: try SealingKey(parts[2])
        )
    }
}
