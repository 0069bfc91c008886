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
        var output = [UInt8](repeating: 0, count: length)
        output.withUnsafeMutableBytes { blake2b(bytes, into: $0, key: nil, personal: personal) }
        return output
    }

    /// BLAKE2b like `blake2b(_:length:personal:)`, keyed with `key` when there is one (16…64
    /// bytes), into `output` (16…64 bytes): a key derived this way goes straight into guarded
    /// memory.
    static func blake2b(_ bytes: [UInt8], into output: UnsafeMutableRawBufferPointer, key: SecretBytes?, personal: [UInt8]) {
        Sodium.require()
        checkLengths(output: output.count, key: key?.count ?? 0)
        precondition(personal.count == Int(crypto_generichash_blake2b_PERSONALBYTES), "a personalisation has 16 bytes")
        let outputBytes = output.bindMemory(to: UInt8.self).baseAddress!
        func hash(key keyBytes: UnsafePointer<UInt8>?) {
            _ = crypto_generichash_blake2b_salt_personal(
                outputBytes, output.count, bytes, UInt64(bytes.count), keyBytes, key?.count ?? 0, nil, personal)
        }
        if let key { key.withKeyPointer { hash(key: $0) } } else { hash(key: nil) }
    }

    private static func checkLengths(output: Int, key: Int) {
        precondition((Int(crypto_generichash_BYTES_MIN)...Int(crypto_generichash_BYTES_MAX)).contains(output),
                     "a BLAKE2b output has 16 to 64 bytes, not \(output)")
        precondition(key == 0 || (Int(crypto_generichash_KEYBYTES_MIN)...Int(crypto_generichash_KEYBYTES_MAX)).contains(key),
                     "a BLAKE2b key has 16 to 64 bytes, not \(key)")
    }
}
