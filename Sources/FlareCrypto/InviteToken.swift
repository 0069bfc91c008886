/// The secret of a one-time invitation into a vault: 16 random bytes, carried by an invite code
/// (`PairingCodeContent.invite`). The relay keeps the invitation under `lookupID`, sealed under
/// `sealingKey`, so the holder of the code can fetch and open it while the relay, which sees
/// only the lookup id, cannot.
///
/// Both follow from the token by keyed BLAKE2b (`crypto_generichash_blake2b_salt_personal`: the
/// token as the 16-byte key, empty input, a zero salt), told apart by the personalisation, the 16
/// ASCII bytes `Flare.InviteID.1` for the 16-byte lookup id and `Flare.InviteKey1` for the
/// 32-byte key. Keyed BLAKE2b is a pseudorandom function of the token, so the lookup id says
/// nothing about the key.
public struct InviteToken: Sendable {
    /// Length in bytes.
    public static let byteCount = 16
    /// Length of the lookup id in bytes.
    public static let lookupIDByteCount = 16
    static let lookupIDPersonal = Array("Flare.InviteID.1".utf8)
    static let sealingKeyPersonal = Array("Flare.InviteKey1".utf8)

    /// The 16 secret bytes.
    public let secret: SecretBytes

    /// Uses `secret` as a token; throws `invalidKeyLength` unless it has 16 bytes.
    public init(_ secret: SecretBytes) throws(CryptoError) {
        guard secret.count == Self.byteCount else {
            throw .invalidKeyLength(expected: Self.byteCount, actual: secret.count)
        }
        self.secret = secret
    }

    /// For tokens that are 16 bytes by construction.
    init(checked secret: SecretBytes) {
        self.secret = secret
    }

    /// A fresh random token.
    public static func random() -> InviteToken {
        InviteToken(checked: SecretBytes(randomCount: byteCount))
    }

    /// The 16 bytes the relay keeps the invitation under. Public: they do not lead back to the
    /// token or to `sealingKey`.
    public var lookupID: [UInt8] {
        var id = [UInt8](repeating: 0, count: Self.lookupIDByteCount)
        id.withUnsafeMutableBytes { Digest.blake2b([], into: $0, key: secret, personal: Self.lookupIDPersonal) }
        return id
    }

    /// The key that seals the invitation.
    public var sealingKey: SealingKey {
        SealingKey(checked: SecretBytes(count: SealingKey.byteCount) { key in
            Digest.blake2b([], into: key, key: secret, personal: Self.sealingKeyPersonal)
        })
    }
}
