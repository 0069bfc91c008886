import CSodium

/// Keys derived from a passphrase with Argon2id: the key-encryption key that wraps a device's
/// keyring on disk.
public enum PassphraseKey: Sendable {
    /// Derives a 32-byte `SealingKey` from the UTF-8 bytes of `passphrase`, exactly as given (no
    /// Unicode normalisation), with `crypto_pwhash` and `crypto_pwhash_ALG_ARGON2ID13`.
    ///
    /// Throws `invalidPassphraseParameters` for a salt that is not 16 bytes and
    /// `passphraseHashingFailed` when Argon2id cannot run with `parameters`.
    public static func derive(passphrase: String, salt: [UInt8], parameters: PassphraseParameters) throws(CryptoError) -> SealingKey {
        // Checked here because making the guarded output buffer would otherwise stop the process.
        try Sodium.ready()
        let secret = try SecretBytes(count: SealingKey.byteCount) { (output) throws(CryptoError) in
            try argon2id(into: output, password: passphrase, passwordCount: passphrase.utf8.count,
                         salt: salt, parameters: parameters)
        }
        return SealingKey(checked: secret)
    }

    /// Argon2id of any password bytes into `output`; `derive` and the known-answer tests share it.
    static func argon2id(into output: UnsafeMutableRawBufferPointer, password: UnsafePointer<CChar>, passwordCount: Int,
                         salt: [UInt8], parameters: PassphraseParameters) throws(CryptoError) {
        try Sodium.ready()
        guard salt.count == PassphraseParameters.saltByteCount else {
            throw .invalidPassphraseParameters("a salt has \(PassphraseParameters.saltByteCount) bytes, not \(salt.count)")
        }
        let status = crypto_pwhash(
            output.bindMemory(to: UInt8.self).baseAddress!, UInt64(output.count), password, UInt64(passwordCount),
            salt, parameters.opsLimit, Int(parameters.memLimitBytes), crypto_pwhash_ALG_ARGON2ID13)
        guard status == 0 else { throw .passphraseHashingFailed }
    }
}
