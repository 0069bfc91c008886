/// Pairing codes: a version byte and a body (`PairingCodeKind` says what the body is) written
/// for people to read aloud and type.
///
/// The bits of version (8) ‖ body ‖ checksum (11: the first bits of BLAKE2b-256 over
/// version ‖ body), then zero bits up to a whole symbol, are cut, most significant first, into
/// symbols of 5 bits of Crockford base32. A last check symbol makes the weighted sum of all
/// symbols zero in GF(32), which catches every single wrong symbol and every swap of two
/// different symbols up to 30 apart; the hash catches all but 1 in 2048 of the remaining typos.
/// Symbols are written in groups of four joined by hyphens. Protocol/CRYPTO.md has the full format.
enum PairingCode {
    /// Crockford base32: digits and capitals without I, L, O and U.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    static let checksumBitCount = 11
    static let groupSize = 4

    /// Symbols in a code whose body has `bodyByteCount` bytes: the data symbols carrying version,
    /// body, checksum and zero padding, and the check symbol.
    static func symbolCount(bodyByteCount: Int) -> Int {
        (8 + 8 * bodyByteCount + checksumBitCount + 4) / 5 + 1
    }

    /// The code of `version ‖ body`. Any version can be written, so that tests can make codes
    /// this build does not read.
    static func encode(_ body: SecretBytes, version: UInt8) -> String {
        var payload: [UInt8] = []
        defer { wipe(&payload) }
        // Reserved up front so that appending never leaves a copy of the secret behind.
        payload.reserveCapacity(1 + body.count)
        payload.append(version)
        body.withUnsafeBytes { payload.append(contentsOf: $0) }
        var symbols: [UInt8] = []
        var accumulator: UInt32 = 0
        var pending = 0
        func push(_ value: UInt32, bitCount: Int) {
            accumulator = accumulator << bitCount | value
            pending += bitCount
            while pending >= 5 {
                pending -= 5
                symbols.append(UInt8(accumulator >> pending & 0x1F))
            }
            accumulator &= (1 << pending) - 1
        }
        for byte in payload { push(UInt32(byte), bitCount: 8) }
        push(UInt32(checksum(payload)), bitCount: checksumBitCount)
        push(0, bitCount: (5 - pending) % 5)
        symbols.append(checkSymbol(for: symbols))

        var code = ""
        for (index, symbol) in symbols.enumerated() {
            if index > 0, index % groupSize == 0 { code.append("-") }
            code.append(Character(Unicode.Scalar(alphabet[Int(symbol)])))
        }
        return code
    }

    /// The kind and body of `code`, read leniently: any case, I and L as 1, O as 0, whitespace
    /// and hyphens ignored. Checks, in this order: characters; a length no kind has; the check
    /// symbol; the length the version asks for; the version; the hash checksum and padding.
    static func decode(_ code: String) throws(CryptoError) -> (kind: PairingCodeKind, body: SecretBytes) {
        try Sodium.ready()
        var symbols: [UInt8] = []
        for (offset, character) in code.enumerated() {
            if character == "-" || character.isWhitespace { continue }
            guard let symbol = value(of: character) else {
                throw .invalidPairingCode(.invalidCharacter(character, position: offset + 1))
            }
            symbols.append(symbol)
        }
        // The first 8 bits; fewer than two symbols carry none, and 0 is no version.
        let version = symbols.count < 2 ? 0 : symbols[0] << 3 | symbols[1] >> 2
        let kind = PairingCodeKind(rawValue: version)
        // An unknown version is expected in the 56-symbol frame that every later version of
        // that length keeps, so that this reader can name it.
        let expected = (kind ?? .vaultSecret).symbolCount
        let wrongLength = CryptoError.invalidPairingCode(.wrongLength(expected: expected, actual: symbols.count))
        guard PairingCodeKind.allCases.contains(where: { $0.symbolCount == symbols.count }) else { throw wrongLength }
        // Checked before the version's own length, because a typo in the first two symbols
        // changes the version: it is reported as the typo it is.
        guard weightedSum(symbols) == 0 else { throw .invalidPairingCode(.checksumMismatch) }
        guard symbols.count == expected else { throw wrongLength }
        guard let kind else { throw .invalidPairingCode(.unsupportedVersion(version)) }

        let payloadCount = 1 + kind.bodyByteCount
        var payload: [UInt8] = []
        defer { wipe(&payload) }
        payload.reserveCapacity(payloadCount)
        var accumulator: UInt32 = 0
        var pending = 0
        for symbol in symbols.dropLast() {
            accumulator = accumulator << 5 | UInt32(symbol)
            pending += 5
            if pending >= 8, payload.count < payloadCount {
                pending -= 8
                payload.append(UInt8(accumulator >> pending))
                accumulator &= (1 << pending) - 1
            }
        }
        // Left over: the checksum, then the padding, which must be zero.
        guard accumulator == UInt32(checksum(payload)) << (pending - checksumBitCount) else {
            throw .invalidPairingCode(.checksumMismatch)
        }
        return (kind, SecretBytes(copying: payload[1...]))
    }

    /// The first 11 bits of BLAKE2b-256 over version ‖ body.
    private static func checksum(_ payload: [UInt8]) -> UInt16 {
        let hash = Digest.blake2b(payload)
        return (UInt16(hash[0]) << 8 | UInt16(hash[1])) >> (16 - checksumBitCount)
    }

    /// The symbol that makes `dataSymbols` followed by it sum to zero.
    static func checkSymbol(for dataSymbols: [UInt8]) -> UInt8 {
        double(weightedSum(dataSymbols))
    }

    /// Horner's rule over GF(32) = GF(2)[x] / (x⁵ + x² + 1): `sum = sum · x + symbol` for each
    /// symbol, so symbol k of n is weighted by x^(n − 1 − k). A valid code sums to zero.
    private static func weightedSum(_ symbols: [UInt8]) -> UInt8 {
        symbols.reduce(0) { sum, symbol in double(sum) ^ symbol }
    }

    /// Multiplication by x in GF(32): shift, and reduce by x⁵ + x² + 1 (0x25) on overflow.
    private static func double(_ element: UInt8) -> UInt8 {
        element & 0x10 == 0 ? element << 1 : element << 1 ^ 0x25
    }

    private static func value(of character: Character) -> UInt8? {
        guard var ascii = character.asciiValue else { return nil }
        if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(ascii) { ascii -= 0x20 }
        switch ascii {
        case UInt8(ascii: "I"), UInt8(ascii: "L"): ascii = UInt8(ascii: "1")
        case UInt8(ascii: "O"): ascii = UInt8(ascii: "0")
        default: break
        }
        return alphabet.firstIndex(of: ascii).map(UInt8.init)
    }
}
