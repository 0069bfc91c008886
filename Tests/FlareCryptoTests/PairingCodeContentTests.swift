@testable import FlareCrypto
import Foundation
import Testing

/// The three kinds of pairing code: vault secret (version 1), invite (2) and recovery (3).
@Suite struct PairingCodeContentTests {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let vault = VaultID(checked: Fixture.counting(16, from: 0x10))
    static let recovery = PairingCodeContent.recovery(
        vault: vault, secret: VaultSecret(checked: SecretBytes(copying: Fixture.counting(32, from: 0x40))))

    /// The symbol values of a code, hyphens dropped.
    static func values(_ code: String) -> [UInt8] {
        code.filter { $0 != "-" }.map { UInt8(alphabet.firstIndex(of: $0)!) }
    }

    /// Symbol values written as a code, in groups of four.
    static func code(_ values: [UInt8]) -> String {
        stride(from: 0, to: values.count, by: 4)
            .map { String(values[$0..<min($0 + 4, values.count)].map { alphabet[Int($0)] }) }
            .joined(separator: "-")
    }

    /// The version byte, then every byte the content carries.
    static func flattened(_ content: PairingCodeContent) -> [UInt8] {
        switch content {
        case .vaultSecret(let secret): [1] + secret.secret.bytes
        case .invite(let vault, let token): [2] + vault.bytes + token.secret.bytes
        case .recovery(let vault, let secret): [3] + vault.bytes + secret.secret.bytes
        }
    }

    static func problem(_ problem: PairingCodeProblem) -> CryptoError { .invalidPairingCode(problem) }

    @Test func eachKindRoundTripsInItsFormat() throws {
        let vault = VaultID(checked: Random.bytes(16))
        let contents: [PairingCodeContent] = [
            .vaultSecret(.random()), .invite(vault: vault, token: .random()), .recovery(vault: vault, secret: .random()),
        ]
        // The first symbol is 0 for versions below 8; the second holds the version's low 3 bits.
        let secondSymbols = ["4567", "89AB", "CDEF"]
        for (content, second) in zip(contents, secondSymbols) {
            let code = content.code
            let groups = code.split(separator: "-", omittingEmptySubsequences: false)
            let symbolCount = content.kind == .recovery ? 82 : 56
            #expect(content.kind.symbolCount == symbolCount)
            #expect(Self.values(code).count == symbolCount)
            #expect(groups.count == (symbolCount + 3) / 4)
            #expect(groups.dropLast().allSatisfy { $0.count == 4 })
            #expect(groups.last?.count == (content.kind == .recovery ? 2 : 4))
            #expect(code.first == "0")
            #expect(second.contains(Array(code)[1]))
            let read = try PairingCodeContent(code: code)
            #expect(read.kind == content.kind)
            #expect(Self.flattened(read) == Self.flattened(content))
            let sloppy = " " + code.lowercased().replacingOccurrences(of: "-", with: "  ").replacingOccurrences(of: "0", with: "o") + "\n"
            #expect(Self.flattened(try PairingCodeContent(code: sloppy)) == Self.flattened(content))
        }
    }

    @Test func versionOneIsTheVaultSecretsPairingCode() throws {
        let secret = VaultSecret.random()
        #expect(PairingCodeContent.vaultSecret(secret).code == secret.pairingCode)
        guard case .vaultSecret(let read) = try PairingCodeContent(code: secret.pairingCode) else {
            Issue.record("a version 1 code read as another kind")
            return
        }
        #expect(read.secret == secret.secret)
    }

    @Test func vaultSecretReadingNamesTheOtherKinds() {
        let invite = PairingCodeContent.invite(vault: Self.vault, token: .random()).code
        #expect(throws: Self.problem(.wrongKind(expected: .vaultSecret, actual: .invite))) { try VaultSecret(pairingCode: invite) }
        #expect(throws: Self.problem(.wrongKind(expected: .vaultSecret, actual: .recovery))) {
            try VaultSecret(pairingCode: Self.recovery.code)
        }
        #expect(CryptoError.invalidPairingCode(.wrongKind(expected: .vaultSecret, actual: .invite)).description
                == "this pairing code cannot be used: it is an invite code, not a vault secret code")
        #expect(PairingCodeProblem.wrongKind(expected: .invite, actual: .recovery).description
                == "it is a recovery code, not an invite code")
    }

    /// Lengths on both sides of both frames. Fewer than two symbols carry no version, so 56 are
    /// expected; otherwise the version in the first 8 bits says how many.
    @Test func lengthsAroundBothFrames() throws {
        let short = Self.values(VaultSecret.random().pairingCode)
        let long = Self.values(Self.recovery.code)
        let filler = [UInt8](repeating: 0, count: 27)
        let cases: [(values: [UInt8], problem: PairingCodeProblem?)] = [
            ([], .wrongLength(expected: 56, actual: 0)),
            ([31], .wrongLength(expected: 56, actual: 1)),
            (Array(short.dropLast()), .wrongLength(expected: 56, actual: 55)),
            (Array(long.prefix(55)), .wrongLength(expected: 82, actual: 55)),
            (short, nil),
            // A version 3 beginning cut to 56 symbols is most likely a typo in the version...
            (Array(long.prefix(55)) + [PairingCode.checkSymbol(for: Array(long.prefix(55))) ^ 1], .checksumMismatch),
            // ...unless the check symbol agrees: then the length is wrong for version 3.
            (Self.values(PairingCode.encode(SecretBytes(copying: Fixture.counting(32)), version: 3)), .wrongLength(expected: 82, actual: 56)),
            (short + [0], .wrongLength(expected: 56, actual: 57)),
            (Array(long.prefix(57)), .wrongLength(expected: 82, actual: 57)),
            (Array(long.dropLast()), .wrongLength(expected: 82, actual: 81)),
            (short + filler.prefix(25), .wrongLength(expected: 56, actual: 81)),
            (long, nil),
            (Array(short.dropLast()) + filler.prefix(26) + [PairingCode.checkSymbol(for: Array(short.dropLast()) + filler.prefix(26)) ^ 1],
             .checksumMismatch),
            (Self.values(PairingCode.encode(SecretBytes(copying: Fixture.counting(48)), version: 1)), .wrongLength(expected: 56, actual: 82)),
            (long + [0], .wrongLength(expected: 82, actual: 83)),
            (short + filler, .wrongLength(expected: 56, actual: 83)),
        ]
        for (values, problem) in cases {
            if let problem {
                #expect(throws: Self.problem(problem), "\(values.count) symbols") { try PairingCodeContent(code: Self.code(values)) }
            } else {
                #expect(throws: Never.self, "\(values.count) symbols") { try PairingCodeContent(code: Self.code(values)) }
            }
        }
    }

    /// Every version byte in both frames: 32 bytes after it (56 symbols) and 48 (82 symbols).
    @Test(arguments: [0, 1, 2, 3, 4, 255] as [UInt8])
    func versionByteInBothFrames(version: UInt8) throws {
        let short = PairingCode.encode(SecretBytes(copying: Fixture.counting(32)), version: version)
        let long = PairingCode.encode(SecretBytes(copying: Fixture.counting(48)), version: version)
        #expect(Self.values(short).count == 56)
        #expect(Self.values(long).count == 82)
        let values = Self.values(short)
        #expect(values[0] << 3 | values[1] >> 2 == version)
        switch version {
        case 1: #expect(try PairingCodeContent(code: short).kind == .vaultSecret)
        case 2: #expect(try PairingCodeContent(code: short).kind == .invite)
        case 3: #expect(throws: Self.problem(.wrongLength(expected: 82, actual: 56))) { try PairingCodeContent(code: short) }
        default: #expect(throws: Self.problem(.unsupportedVersion(version))) { try PairingCodeContent(code: short) }
        }
        if version == 3 {
            #expect(try PairingCodeContent(code: long).kind == .recovery)
        } else {
            #expect(throws: Self.problem(.wrongLength(expected: 56, actual: 82))) { try PairingCodeContent(code: long) }
        }
    }

    /// As for version 1: the check symbol guarantees that no single wrong symbol gets through,
    /// the version's two symbols included.
    @Test func everySingleSubstitutionInARecoveryCodeIsCaught() {
        let original = Self.values(Self.recovery.code)
        for position in original.indices {
            for replacement in UInt8(0)..<32 where replacement != original[position] {
                var typo = original
                typo[position] = replacement
                #expect(throws: Self.problem(.checksumMismatch), "\(replacement) at \(position)") {
                    try PairingCodeContent(code: Self.code(typo))
                }
            }
        }
    }

    /// Swaps of two different symbols fewer than 31 places apart, neighbours included.
    @Test func everyTranspositionInARecoveryCodeIsCaught() {
        let original = Self.values(Self.recovery.code)
        for first in original.indices {
            for second in (first + 1)..<min(first + 31, original.count) where original[first] != original[second] {
                var typo = original
                typo.swapAt(first, second)
                #expect(throws: Self.problem(.checksumMismatch), "swap \(first) and \(second)") {
                    try PairingCodeContent(code: Self.code(typo))
                }
            }
        }
    }

    /// A recovery code's 81st symbol ends with two zero bits of padding after the checksum.
    @Test func paddingBitsMustBeZero() {
        let original = Self.values(Self.recovery.code)
        #expect(original[80] & 0b11 == 0)
        for padding in UInt8(1)...3 {
            var altered = original
            altered[80] |= padding
            altered[81] = PairingCode.checkSymbol(for: Array(altered[..<81]))
            #expect(throws: Self.problem(.checksumMismatch), "padding \(padding)") { try PairingCodeContent(code: Self.code(altered)) }
        }
    }

    /// A code whose check symbol is right for wrong content is caught by the hash (for these
    /// fixed contents certainly, in general but for 1 in 2048).
    @Test func hashChecksumCoversInviteAndRecoveryCodes() throws {
        let invite = PairingCodeContent.invite(vault: Self.vault, token: try InviteToken(SecretBytes(copying: Fixture.counting(16, from: 0xA0))))
        for content in [invite, Self.recovery] {
            var values = Self.values(content.code)
            let last = values.count - 1
            values[20] ^= 1
            values[last] = PairingCode.checkSymbol(for: Array(values[..<last]))
            #expect(throws: Self.problem(.checksumMismatch), "\(content.kind)") { try PairingCodeContent(code: Self.code(values)) }
        }
    }

    /// Characters are checked before the length, and placed as typed.
    @Test func invalidCharacterComesFirstAndIsPlaced() {
        var code = Array(Self.recovery.code)
        code[99] = "!"
        #expect(throws: Self.problem(.invalidCharacter("!", position: 100))) { try PairingCodeContent(code: String(code) + "-0") }
    }

    /// Random contents of every kind round-trip through their codes; a random wrong symbol and
    /// a random swap of different neighbours in each are caught.
    @Test func randomContentsRoundTripAndTyposAreCaught() throws {
        var random = SeededRandom(test: "randomContentsRoundTripAndTyposAreCaught")
        for round in 0..<1500 {
            let context = "seed \(random.seed), round \(round)"
            let vault = VaultID(checked: random.bytes(16))
            let content: PairingCodeContent = switch Int.random(in: 0..<3, using: &random) {
            case 0: .vaultSecret(try VaultSecret(SecretBytes(copying: random.bytes(32))))
            case 1: .invite(vault: vault, token: try InviteToken(SecretBytes(copying: random.bytes(16))))
            default: .recovery(vault: vault, secret: try VaultSecret(SecretBytes(copying: random.bytes(32))))
            }
            let code = content.code
            #expect(Self.flattened(try PairingCodeContent(code: code)) == Self.flattened(content), "\(context)")
            let original = Self.values(code)
            #expect(original.count == content.kind.symbolCount, "\(context)")

            var typo = original
            let position = Int.random(in: 0..<typo.count, using: &random)
            typo[position] ^= UInt8.random(in: 1...31, using: &random)
            #expect(throws: Self.problem(.checksumMismatch), "\(context), symbol \(position)") {
                try PairingCodeContent(code: Self.code(typo))
            }

            let first = Int.random(in: 0..<(original.count - 1), using: &random)
            if original[first] != original[first + 1] {
                var swapped = original
                swapped.swapAt(first, first + 1)
                #expect(throws: Self.problem(.checksumMismatch), "\(context), swap at \(first)") {
                    try PairingCodeContent(code: Self.code(swapped))
                }
            }
        }
    }
}
