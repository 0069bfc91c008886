import FlareCrypto

/// What a passphrase unlocks a vault with: the key derived from it (Argon2id) for the salt and
/// parameters it was derived with. A long-running process (such as `flare sync --watch`) keeps
/// it to reopen its vault between uses without running the KDF again, so the vault need not
/// stay open, and locked, the whole time. It is key material: keep it in memory only.
public struct VaultUnlock: Sendable {
    let salt: [UInt8]
    let parameters: PassphraseParameters
    let key: SealingKey

    /// Derives the key for the vault at `path` from `passphrase` (the KDF runs here).
    public static func derive(forVaultAt path: String, passphrase: String) throws -> VaultUnlock {
        try VaultUnlock(Vault.readStoredKeyring(at: path), passphrase: passphrase)
    }

    /// Derives the key for a vault row as stored.
    init(_ stored: StoredKeyring, passphrase: String) throws {
        salt = stored.salt
        parameters = stored.parameters
        key = try Vault.wrappingKey(passphrase: passphrase, salt: stored.salt, parameters: stored.parameters)
    }
}
