import FlareCrypto

/// What a passphrase unlocks a vault with: the key derived from it (Argon2id) for the salt and
/// parameters it was derived with. A long-running process (such as `flare sync --watch`) keeps
/// it to reopen its vault between uses without running the KDF again, so the vault need not
/// stay open, and locked, the whole time; the unlock agent (`flare unlock`) keeps it for other
/// commands. It is key material: keep it in memory only.
public struct VaultUnlock: Sendable {
    /// The salt the key was derived with; a vault whose salt differs (its passphrase was
    /// changed since) does not open with it.
    public let salt: [UInt8]
    /// The Argon2id parameters the key was derived with.
    public let parameters: PassphraseParameters
    /// The key-encryption key that opens the vault's keyring.
    public let key: SealingKey

    /// Derives the key for the vault at `path` from `passphrase` (the KDF runs here).
    public static func derive(forVaultAt path: String, passphrase: String) throws -> VaultUnlock {
        try VaultUnlock(Vault.readStoredKeyring(at: path), passphrase: passphrase)
    }

    /// An unlock from its parts, as kept elsewhere (by the unlock agent) since it was derived.
    /// Whether it opens a vault is only known when `Vault.open(at:unlock:)` tries.
    public init(salt: [UInt8], parameters: PassphraseParameters, key: SealingKey) {
        self.salt = salt
        self.parameters = parameters
        self.key = key
    }

    /// Derives the key for a vault row as stored.
    init(_ stored: StoredKeyring, passphrase: String) throws {
        self.init(
            salt: stored.salt, parameters: stored.parameters,
            key: try Vault.wrappingKey(passphrase: passphrase, salt: stored.salt, parameters: stored.parameters))
    }
}
