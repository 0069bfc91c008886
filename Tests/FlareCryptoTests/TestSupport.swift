import FlareCrypto
import Foundation

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

/// A seeded random number generator for random tests: FLARE_CRYPTO_SEED if set (to replay a
/// run), else a new seed, printed either way. Each draw is BLAKE2b of the seed and a counter.
struct SeededRandom: RandomNumberGenerator {
    let seed: UInt64
    private var counter: UInt64 = 0

    init(test: String) {
        let given = ProcessInfo.processInfo.environment["FLARE_CRYPTO_SEED"].flatMap { UInt64($0) }
        seed = given ?? UInt64.random(in: 0...UInt64.max)
        print("[\(test)] seed \(seed)\(given == nil ? "" : " (from FLARE_CRYPTO_SEED)"); replay with FLARE_CRYPTO_SEED=\(seed) swift test --filter \(test)")
    }

    mutating func next() -> UInt64 {
        counter += 1
        let input = withUnsafeBytes(of: seed.littleEndian) { Array($0) } + withUnsafeBytes(of: counter.littleEndian) { Array($0) }
        let hash = Digest.blake2b(input, length: 16)
        return hash[..<8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// `count` random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
