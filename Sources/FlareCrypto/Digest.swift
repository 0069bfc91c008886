import CSodium

/// Hashing with BLAKE2b (libsodium `crypto_generichash`).
public enum Digest: Sendable {
    /// BLAKE2b of `bytes` with a `length`-byte output (16…64), keyed when `key` is not empty
    /// (16…64 bytes). Lengths outside those ranges are programming errors and stop the process.
    public static func blake2b(_ bytes: [UInt8], length: Int = 32, key: [UInt8] = []) -> [UInt8] {
        Sodium.require()
        checkLengths(output: length, key: key.count)
        var output = [UInt8](repeating: 0, count: length)
        _ = crypto_generichash(&output, length, bytes, UInt64(bytes.count), key.isEmpty ? nil : key, key.count)
        return output
    }

    /// Unkeyed BLAKE2b with a zero salt and the 16-byte personalisation `personal`
    /// (`crypto_generichash_blake2b_salt_personal`), for domain-separated names such as `VaultID`.
    static func blake2b(_ bytes: [UInt8], length: Int, personal: [UInt8]) -> [UInt8] {
        Sodium.require()
        checkLengths(output: length, key: 0)
        precondition(personal.count == Int(crypto_generichash_blake2b_PERSONALBYTES), "a personalisation has 16 bytes")
        var output = [UInt8](repeating: 0, count: length)
        _ = crypto_generichash_blake2b_salt_personal(&output, length, bytes, UInt64(bytes.count), nil, 0, nil, personal)
        return output
    }

    private static func checkLengths(output: Int, key: Int) {
        precondition((Int(crypto_generichash_BYTES_MIN)...Int(crypto_generichash_BYTES_MAX)).contains(output),
                     "a BLAKE2b output has 16 to 64 bytes, not \(output)")
        precondition(key == 0 || (Int(crypto_generichash_KEYBYTES_MIN)...Int(crypto_generichash_KEYBYTES_MAX)).contains(key),
                     "a BLAKE2b key has 16 to 64 bytes, not \(key)")
    }
}
