import CSodium

/// Argon2id cost parameters (`crypto_pwhash` with `crypto_pwhash_ALG_ARGON2ID13`, one lane),
/// stored next to the salt so that they can be raised later without losing old keys.
public struct PassphraseParameters: Codable, Hashable, Sendable {
    /// Passes over memory (`opslimit`).
    public var opsLimit: UInt64
    /// Memory in bytes (`memlimit`); Argon2id uses whole KiB of it.
    public var memLimitBytes: UInt64

    /// Validates against libsodium's limits: `crypto_pwhash_argon2id_opslimit_min()`…`_max()`
    /// (1 … 2³² − 1) and `crypto_pwhash_argon2id_memlimit_min()`…`_max()` (8 KiB … 4 TiB on 64-bit).
    public init(opsLimit: UInt64, memLimitBytes: UInt64) throws(CryptoError) {
        let ops = UInt64(crypto_pwhash_argon2id_opslimit_min())...UInt64(crypto_pwhash_argon2id_opslimit_max())
        let memory = UInt64(crypto_pwhash_argon2id_memlimit_min())...UInt64(crypto_pwhash_argon2id_memlimit_max())
        guard ops.contains(opsLimit) else {
            throw .invalidPassphraseParameters("opsLimit \(opsLimit) is outside \(ops.lowerBound)…\(ops.upperBound)")
        }
        guard memory.contains(memLimitBytes) else {
            throw .invalidPassphraseParameters("memLimitBytes \(memLimitBytes) is outside \(memory.lowerBound)…\(memory.upperBound)")
        }
        self.init(checkedOpsLimit: opsLimit, memLimitBytes: memLimitBytes)
    }

    private init(checkedOpsLimit: UInt64, memLimitBytes: UInt64) {
        self.opsLimit = checkedOpsLimit
        self.memLimitBytes = memLimitBytes
    }

    /// 3 passes over 256 MiB, libsodium's `OPSLIMIT_MODERATE` and `MEMLIMIT_MODERATE`: about
    /// 0.4 s per derivation on the project's machines (measurements in Protocol/CRYPTO.md).
    public static let recommended = PassphraseParameters(
        checkedOpsLimit: UInt64(crypto_pwhash_argon2id_OPSLIMIT_MODERATE),
        memLimitBytes: UInt64(crypto_pwhash_argon2id_MEMLIMIT_MODERATE))

    /// libsodium's minimums (1 pass over 8 KiB). Fast and weak: for tests only, never for a real passphrase.
    public static let minimumForTests = PassphraseParameters(
        checkedOpsLimit: UInt64(crypto_pwhash_argon2id_OPSLIMIT_MIN),
        memLimitBytes: UInt64(crypto_pwhash_argon2id_MEMLIMIT_MIN))

    /// Whether the parameters are at most 16 passes over 1 GiB (libsodium's `SENSITIVE` memory):
    /// more than Flare ever writes. Parameters are read from a vault before anything in it is
    /// authenticated, so a tampered file could otherwise make opening it run for hours or
    /// exhaust memory; parameters beyond this are refused as damage.
    public var isWithinCeiling: Bool {
        opsLimit <= 16 && memLimitBytes <= UInt64(crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE)
    }

    /// Salt length in bytes (`crypto_pwhash_SALTBYTES`, 16).
    public static let saltByteCount = Int(crypto_pwhash_SALTBYTES)

    /// A fresh random salt.
    public static func newSalt() -> [UInt8] { Random.bytes(saltByteCount) }

    private enum CodingKeys: String, CodingKey { case opsLimit, memLimitBytes }

    /// Decodes and validates like `init(opsLimit:memLimitBytes:)`, so stored parameters that
    /// libsodium would refuse fail when read.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(opsLimit: container.decode(UInt64.self, forKey: .opsLimit),
                          memLimitBytes: container.decode(UInt64.self, forKey: .memLimitBytes))
        } catch let error as CryptoError {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }
}
