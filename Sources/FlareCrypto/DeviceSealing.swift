import CSodium

/// Short secrets sealed to one device's Ed25519 key, so that only the holder of that device's
/// `SigningKey` can open them: libsodium's anonymous sealed box (`crypto_box_seal`) to the X25519
/// form of the device's public key (`crypto_sign_ed25519_pk_to_curve25519`), opened with the
/// X25519 form of its secret key (`crypto_sign_ed25519_sk_to_curve25519`, kept in guarded memory)
/// and `crypto_box_seal_open`.
///
/// A box is a fresh ephemeral X25519 public key (32 bytes), then the XSalsa20-Poly1305 tag
/// (16 bytes) and ciphertext: `overheadByteCount` more than the plaintext, unpadded. Anyone can
/// seal to a public key, so a box says nothing about who sealed it; and it has no associated
/// data, so callers put what binds the secret to its use (vault, key epoch, purpose) inside the
/// plaintext and check it after opening.
public enum DeviceSealing: Sendable {
    /// The bytes a box adds to its plaintext (`crypto_box_SEALBYTES`, 48).
    public static let overheadByteCount = crypto_box_sealbytes()

    /// Seals `plaintext` to the device whose Ed25519 public key is `devicePublicKey`.
    ///
    /// Throws `invalidKeyLength` for a key that is not 32 bytes and `invalidPublicKey` for one
    /// that does not convert to X25519.
    public static func seal(_ plaintext: SecretBytes, to devicePublicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        let publicKey = try x25519PublicKey(devicePublicKey)
        var sealed = [UInt8](repeating: 0, count: plaintext.count + overheadByteCount)
        plaintext.withKeyPointer { message in
            _ = crypto_box_seal(&sealed, message, UInt64(plaintext.count), publicKey)
        }
        return sealed
    }

    /// Opens a box sealed to `deviceKey`'s public key, straight into guarded memory.
    ///
    /// Throws `malformedSealedBox` for fewer than `overheadByteCount` bytes and
    /// `authenticationFailed` for a box sealed to another key or altered in any way.
    public static func open(_ sealed: [UInt8], with deviceKey: SigningKey) throws(CryptoError) -> SecretBytes {
        try Sodium.ready()
        guard sealed.count >= overheadByteCount else { throw .malformedSealedBox }
        // The device's own public key always converts: it was made from a seed.
        let publicKey = try x25519PublicKey(deviceKey.publicKey)
        let secretKey = x25519SecretKey(of: deviceKey)
        return try SecretBytes(count: sealed.count - overheadByteCount) { (plaintext) throws(CryptoError) in
            let status = secretKey.withKeyPointer { secretKey in
                crypto_box_seal_open(
                    plaintext.bindMemory(to: UInt8.self).baseAddress!, sealed, UInt64(sealed.count), publicKey, secretKey)
            }
            guard status == 0 else { throw .authenticationFailed }
        }
    }

    /// The X25519 public key of an Ed25519 public key (`crypto_sign_ed25519_pk_to_curve25519`:
    /// the Montgomery u = (1 + y) / (1 − y)). libsodium refuses points off the curve, of small
    /// order, or outside the main subgroup.
    @_spi(Testing) public static func x25519PublicKey(_ ed25519PublicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Sodium.ready()
        guard ed25519PublicKey.count == SigningKey.publicKeyByteCount else {
            throw .invalidKeyLength(expected: SigningKey.publicKeyByteCount, actual: ed25519PublicKey.count)
        }
        var publicKey = [UInt8](repeating: 0, count: crypto_box_publickeybytes())
        guard crypto_sign_ed25519_pk_to_curve25519(&publicKey, ed25519PublicKey) == 0 else { throw .invalidPublicKey }
        return publicKey
    }

    /// The X25519 secret key of `deviceKey` (`crypto_sign_ed25519_sk_to_curve25519`: the first
    /// 32 bytes of SHA-512 of the seed, clamped), in guarded memory.
    @_spi(Testing) public static func x25519SecretKey(of deviceKey: SigningKey) -> SecretBytes {
        Sodium.require()
        return SecretBytes(count: crypto_box_secretkeybytes()) { output in
            deviceKey.secretKey.withKeyPointer { secretKey in
                _ = crypto_sign_ed25519_sk_to_curve25519(output.bindMemory(to: UInt8.self).baseAddress!, secretKey)
            }
        }
    }
}
