import CSodium

/// A 32-byte XChaCha20-Poly1305-IETF key, sealing padded plaintexts under random 24-byte nonces.
///
/// A sealed box is `nonce (24) || ciphertext || tag (16)`, where the ciphertext is as long as
/// the padded plaintext (see `Padding`). The associated data is authenticated but not part of
/// the box: the opener must supply the same bytes.
public struct SealingKey: Sendable {
    /// Key length in bytes (`crypto_aead_xchacha20poly1305_ietf_KEYBYTES`).
    public static let byteCount = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    /// Nonce length in bytes (`crypto_aead_xchacha20poly1305_ietf_NPUBBYTES`).
    public static let nonceByteCount = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    /// Authentication tag length in bytes (`crypto_aead_xchacha20poly1305_ietf_ABYTES`).
    public static let tagByteCount = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)
    /// The smallest sealed box: nonce, a padded empty plaintext (the marker alone) and tag.
    public static let minimumSealedCount = nonceByteCount + 1 + tagByteCount

    /// The key bytes, for wrapping this key under another one.
    public let secret: SecretBytes

    /// Uses `secret` as the key; throws `invalidKeyLength` unless it has 32 bytes.
    public init(_ secret: SecretBytes) throws(CryptoError) {
        guard secret.count == Self.byteCount else {
            throw .invalidKeyLength(expected: Self.byteCount, actual: secret.count)
        }
        self.secret = secret
    }

    /// For keys that are 32 bytes by construction.
    init(checked secret: SecretBytes) {
        self.secret = secret
    }

    /// A fresh random key.
    public static func random() -> SealingKey {
        SealingKey(checked: SecretBytes(randomCount: byteCount))
    }

    /// Pads `plaintext` (PADMÉ length classes, ISO/IEC 7816-4 marker via `sodium_pad`), encrypts it
    /// under a random 24-byte nonce and returns `nonce || ciphertext || tag`.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        seal(plaintext, associatedData: associatedData, nonce: Random.bytes(Self.nonceByteCount))
    }

    /// `seal` with a chosen nonce, for byte-exact test vectors only: a nonce must never repeat
    /// under one key.
    @_spi(Testing) public func seal(_ plaintext: [UInt8], associatedData: [UInt8], nonce: [UInt8]) -> [UInt8] {
        plaintext.withUnsafeBytes { seal(padding: $0, associatedData: associatedData, nonce: nonce) }
    }

    /// Seals secret bytes, such as another key, like `seal(_:associatedData:)`. Outside guarded
    /// memory they pass only through a scratch buffer that is wiped before returning.
    public func seal(_ plaintext: SecretBytes, associatedData: [UInt8]) -> [UInt8] {
        plaintext.withUnsafeBytes { seal(padding: $0, associatedData: associatedData, nonce: Random.bytes(Self.nonceByteCount)) }
    }

    /// Opens a box made by `seal` with this key and the same associated data.
    ///
    /// Throws `malformedSealedBox` for fewer than `minimumSealedCount` bytes or invalid padding,
    /// `authenticationFailed` for a wrong key, altered bytes or different associated data.
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try open(sealed, associatedData: associatedData) { Array($0) }
    }

    /// Opens a box like `open(_:associatedData:)`, straight into guarded memory: for boxes that
    /// hold keys.
    public func openSecret(_ sealed: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> SecretBytes {
        try open(sealed, associatedData: associatedData) { SecretBytes(copying: $0) }
    }

    private func seal(padding plaintext: UnsafeRawBufferPointer, associatedData: [UInt8], nonce: [UInt8]) -> [UInt8] {
        precondition(nonce.count == Self.nonceByteCount, "a nonce has \(Self.nonceByteCount) bytes")
        var padded = Padding.pad(plaintext)
        defer { wipe(&padded) }
        return nonce + encrypt(padded, associatedData: associatedData, nonce: nonce)
    }

    /// Opens `sealed` and hands the unpadded plaintext to `extract` before the scratch copy is wiped.
    private func open<Plaintext>(_ sealed: [UInt8], associatedData: [UInt8],
                                 extract: (ArraySlice<UInt8>) -> Plaintext) throws(CryptoError) -> Plaintext {
        try Sodium.ready()
        guard sealed.count >= Self.minimumSealedCount else { throw .malformedSealedBox }
        let nonce = Array(sealed[..<Self.nonceByteCount])
        guard var padded = decrypt(Array(sealed[Self.nonceByteCount...]), associatedData: associatedData, nonce: nonce) else {
            throw .authenticationFailed
        }
        defer { wipe(&padded) }
        guard let count = Padding.unpaddedCount(padded) else { throw .malformedSealedBox }
        return extract(padded[..<count])
    }

    /// The bare AEAD, `crypto_aead_xchacha20poly1305_ietf_encrypt`: `ciphertext || tag`, no
    /// padding, no nonce in front.
    func encrypt(_ message: [UInt8], associatedData: [UInt8], nonce: [UInt8]) -> [UInt8] {
        Sodium.require()
        var output = [UInt8](repeating: 0, count: message.count + Self.tagByteCount)
        var written: UInt64 = 0
        secret.withKeyPointer { key in
            _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                &output, &written, message, UInt64(message.count),
                associatedData, UInt64(associatedData.count), nil, nonce, key)
        }
        return output
    }

    /// The bare AEAD, `crypto_aead_xchacha20poly1305_ietf_decrypt`; nil when the tag does not verify.
    func decrypt(_ ciphertextAndTag: [UInt8], associatedData: [UInt8], nonce: [UInt8]) -> [UInt8]? {
        Sodium.require()
        guard ciphertextAndTag.count >= Self.tagByteCount else { return nil }
        var output = [UInt8](repeating: 0, count: ciphertextAndTag.count - Self.tagByteCount)
        var written: UInt64 = 0
        let status = secret.withKeyPointer { key in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
                &output, &written, nil, ciphertextAndTag, UInt64(ciphertextAndTag.count),
                associatedData, UInt64(associatedData.count), nonce, key)
        }
        return status == 0 ? output : nil
    }
}
