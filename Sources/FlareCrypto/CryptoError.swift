/// Why a cryptographic operation was refused.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sealed box did not open: wrong key, altered bytes, or different associated data.
    case authenticationFailed
    /// The bytes are too short to be a sealed box, or opened but carry invalid padding.
    case malformedSealedBox
    /// A key or seed has the wrong number of bytes.
    case invalidKeyLength(expected: Int, actual: Int)
    /// An Ed25519 public key that libsodium does not convert to X25519: not a point of the curve,
    /// of small order, or outside the main subgroup.
    case invalidPublicKey
    /// Argon2id failed, which in practice means it could not get the memory its parameters ask for.
    case passphraseHashingFailed
    /// Argon2id parameters or salt outside what libsodium accepts; the reason says which.
    case invalidPassphraseParameters(String)
    /// A pairing code was refused before any disk or network work.
    case invalidPairingCode(PairingCodeProblem)
    /// `sodium_init` failed. Operations that cannot throw stop the process instead.
    case sodiumUnavailable

    public var description: String {
        switch self {
        case .authenticationFailed:
            return "the sealed box does not open with this key and associated data (wrong key, altered bytes or different context)"
        case .malformedSealedBox: return "the bytes are not a well-formed sealed box"
        case .invalidKeyLength(let expected, let actual):
            return "a key of \(expected) bytes was expected, but it has \(actual)"
        case .invalidPublicKey: return "the public key is not a valid Ed25519 key (not a point of the curve's main subgroup)"
        case .passphraseHashingFailed:
            return "Argon2id could not derive a key from the passphrase (not enough memory for its parameters)"
        case .invalidPassphraseParameters(let reason): return "invalid Argon2id parameters: \(reason)"
        case .invalidPairingCode(let problem): return "this pairing code cannot be used: \(problem)"
        case .sodiumUnavailable: return "libsodium could not be initialised"
        }
    }
}

/// What is wrong with a typed pairing code. Positions count every character as typed, from 1,
/// including spaces and hyphens.
public enum PairingCodeProblem: Equatable, Sendable, CustomStringConvertible {
    /// The code has `actual` symbols instead of `expected` (spaces and hyphens do not count).
    case wrongLength(expected: Int, actual: Int)
    /// A character that no pairing code contains.
    case invalidCharacter(Character, position: Int)
    /// The code does not check out: a typo somewhere.
    case checksumMismatch
    /// A well-formed code of a version this build cannot read.
    case unsupportedVersion(UInt8)
    /// A valid code of another kind than the one asked for, such as an invite code where the
    /// vault secret's code was expected.
    case wrongKind(expected: PairingCodeKind, actual: PairingCodeKind)

    public var description: String {
        switch self {
        case .wrongLength(let expected, let actual):
            return "it has \(actual) letters and digits, but a pairing code has \(expected)"
        case .invalidCharacter(let character, let position):
            return "“\(character)” at position \(position) does not occur in pairing codes"
        case .checksumMismatch: return "it does not check out, so there is a typo somewhere"
        case .unsupportedVersion(let version):
            return "it is a version \(version) code, which this version of Flare cannot read"
        case .wrongKind(let expected, let actual): return "it is \(actual), not \(expected)"
        }
    }
}
