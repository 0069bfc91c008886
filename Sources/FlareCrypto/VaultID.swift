import FlareBytes
/// The 128-bit name of a vault: BLAKE2b-128 of the vault's first auth public key.
///
/// Exactly: `crypto_generichash_blake2b_salt_personal` with a 16-byte output, no key, the salt
/// all zeros and the personalisation the 16 ASCII bytes `Flare.VaultID.v1`, over the 32-byte
/// Ed25519 public key. The personalisation keeps the id from equalling any other BLAKE2b use of
/// the same key bytes.
public struct VaultID: Hashable, Sendable, CustomStringConvertible {
    /// Length in bytes.
    public static let byteCount = 16
    /// The personalisation string of the hash.
    static let personal = Array("Flare.VaultID.v1".utf8)

    /// The 16 bytes.
    public let bytes: [UInt8]

    /// An id from exactly 16 bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// For bytes that are 16 by construction.
    init(checked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// An id from 32 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// The id of the vault whose first auth key has the 32-byte Ed25519 `authPublicKey`.
    public init(authPublicKey: [UInt8]) {
        precondition(authPublicKey.count == SigningKey.publicKeyByteCount, "an auth public key has 32 bytes")
        bytes = Digest.blake2b(authPublicKey, length: Self.byteCount, personal: Self.personal)
    }

    /// 32 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    /// The same as `hex`.
    public var description: String { hex }
}
