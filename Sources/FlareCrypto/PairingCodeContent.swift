/// What a pairing code carries: one of three kinds, told apart by the version byte at its start.
/// Codes are Crockford base32 symbols in groups of four; Protocol/CRYPTO.md §7 has the format.
public enum PairingCodeContent: Sendable {
    /// Version 1, 56 symbols: the vault secret, from which the vault's keys and id follow.
    case vaultSecret(VaultSecret)
    /// Version 2, 56 symbols: a one-time, short-lived invitation. The new device fetches the
    /// vault's keys from the relay with the token, so the long-lived secret is not typed around.
    case invite(vault: VaultID, token: InviteToken)
    /// Version 3, 82 symbols: the vault secret of a later key epoch. After a device is revoked
    /// the vault id no longer follows from the secret, so the code carries it.
    case recovery(vault: VaultID, secret: VaultSecret)

    /// Reads a code as typed: any case, I and L as 1, O as 0, spaces and hyphens ignored. Throws
    /// `invalidPairingCode` naming the problem. Cheap, so it runs before any disk or network work.
    public init(code: String) throws(CryptoError) {
        let (kind, body) = try PairingCode.decode(code)
        switch kind {
        case .vaultSecret: self = .vaultSecret(VaultSecret(checked: body))
        case .invite:
            let (vault, token) = Self.split(body)
            self = .invite(vault: vault, token: InviteToken(checked: token))
        case .recovery:
            let (vault, secret) = Self.split(body)
            self = .recovery(vault: vault, secret: VaultSecret(checked: secret))
        }
    }

    /// Which of the three kinds this is.
    public var kind: PairingCodeKind {
        switch self {
        case .vaultSecret: .vaultSecret
        case .invite: .invite
        case .recovery: .recovery
        }
    }

    /// The code: 56 or 82 symbols (`kind.symbolCount`) in groups of four joined by hyphens,
    /// carrying the version, the content, a hash checksum and a check symbol.
    public var code: String {
        let body = switch self {
        case .vaultSecret(let secret): secret.secret
        case .invite(let vault, let token): SecretBytes(joining: [SecretBytes(copying: vault.bytes), token.secret])
        case .recovery(let vault, let secret): SecretBytes(joining: [SecretBytes(copying: vault.bytes), secret.secret])
        }
        return PairingCode.encode(body, version: kind.rawValue)
    }

    /// The vault id at the start of an invite's or a recovery code's body, and the secret after it.
    private static func split(_ body: SecretBytes) -> (VaultID, SecretBytes) {
        (VaultID(checked: body.withUnsafeBytes { Array($0[..<VaultID.byteCount]) }), body.slice(VaultID.byteCount..<body.count))
    }
}

/// The kinds of pairing code; the raw value is the version byte.
public enum PairingCodeKind: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// Version 1: the vault secret (32 bytes).
    case vaultSecret = 1
    /// Version 2: vault id (16 bytes) ‖ invite token (16 bytes).
    case invite = 2
    /// Version 3: vault id (16 bytes) ‖ vault secret of a later key epoch (32 bytes).
    case recovery = 3

    /// The number of symbols in a code of this kind, the check symbol included.
    public var symbolCount: Int { PairingCode.symbolCount(bodyByteCount: bodyByteCount) }

    /// The bytes after the version byte.
    var bodyByteCount: Int {
        switch self {
        case .vaultSecret: VaultSecret.byteCount
        case .invite: VaultID.byteCount + InviteToken.byteCount
        case .recovery: VaultID.byteCount + VaultSecret.byteCount
        }
    }

    /// The kind as a person would name it, with its article.
    public var description: String {
        switch self {
        case .vaultSecret: "a vault secret code"
        case .invite: "an invite code"
        case .recovery: "a recovery code"
        }
    }
}
