import FlareCrypto

extension Array where Element == UInt8 {
    /// Bytes from hex digits; stops the test run on malformed input, which is a typo in a test.
    init(hex: String) {
        let digits = Array<Character>(hex.filter { !$0.isWhitespace })
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        self = stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// Lowercase hex digits.
    var hex: String {
        map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }
}

extension SecretBytes {
    /// An unguarded copy, for comparing with expected values in tests.
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

/// Helpers shared by the suites.
enum Fixture {
    /// `count` bytes counting up from `start`, wrapping at 256.
    static func counting(_ count: Int, from start: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: start + $0) }
    }
}
