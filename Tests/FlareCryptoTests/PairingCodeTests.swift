@testable import FlareCrypto
import Foundation
import Testing

@Suite struct PairingCodeTests {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    let secret = VaultSecret.random()

    /// The code as its 56 symbols, without hyphens.
    func symbols(_ code: String) -> [Character] { code.filter { $0 != "-" }.map { $0 } }

    /// Symbols grouped by four again, the way a person would see them.
    func grouped(_ symbols: [Character]) -> String {
        stride(from: 0, to: symbols.count, by: 4).map { String(symbols[$0..<min($0 + 4, symbols.count)]) }.joined(separator: "-")
    }

    @Test func formatIsFourteenGroupsOfFourCrockfordSymbols() {
        let code = secret.pairingCode
        let groups = code.split(separator: "-", omittingEmptySubsequences: false)
        #expect(groups.count == 14)
        #expect(groups.allSatisfy { $0.count == 4 })
        #expect(symbols(code).allSatisfy(Self.alphabet.contains))
        // Version 1 in the first 8 bits: "0", then 001 and two bits of the secret.
        #expect(code.first == "0")
        #expect("4567".contains(symbols(code)[1]))
    }

    @Test func readingIsLenient() throws {
        let code = secret.pairingCode
        var sloppy = code.lowercased().replacingOccurrences(of: "-", with: " ")
        sloppy = "  " + sloppy + "\n"
        #expect(try VaultSecret(pairingCode: sloppy).secret == secret.secret)
        #expect(try VaultSecret(pairingCode: code.replacingOccurrences(of: "-", with: "")).secret == secret.secret)
        let confusable = code.replacingOccurrences(of: "1", with: "l").replacingOccurrences(of: "0", with: "O")
        #expect(try VaultSecret(pairingCode: confusable).secret == secret.secret)
        let alsoConfusable = code.replacingOccurrences(of: "1", with: "I").replacingOccurrences(of: "0", with: "o")
        #expect(try VaultSecret(pairingCode: alsoConfusable).secret == secret.secret)
    }

    /// The check symbol guarantees this for every code: no single wrong symbol gets through.
    @Test func everySingleSubstitutionIsCaught() {
        let original = symbols(secret.pairingCode)
        for position in original.indices {
            for replacement in Self.alphabet where replacement != original[position] {
                var typo = original
                typo[position] = replacement
                #expect(throws: CryptoError.invalidPairingCode(.checksumMismatch), "\(replacement) at \(position)") {
                    try VaultSecret(pairingCode: grouped(typo))
                }
            }
        }
    }

    /// Also guaranteed by the check symbol: swapping two different neighbours is caught, and so
    /// is swapping any two different symbols fewer than 31 places apart.
    @Test func everyTranspositionOfDifferentSymbolsIsCaught() {
        let original = symbols(secret.pairingCode)
        for first in original.indices {
            for second in (first + 1)..<min(first + 31, original.count) where original[first] != original[second] {
                var typo = original
                typo.swapAt(first, second)
                #expect(throws: CryptoError.invalidPairingCode(.checksumMismatch), "swap \(first) and \(second)") {
                    try VaultSecret(pairingCode: grouped(typo))
                }
            }
        }
    }

    @Test func invalidCharacterIsNamedWithItsPositionAsTyped() {
        var code = Array(secret.pairingCode)
        code[6] = "U"
        #expect(throws: CryptoError.invalidPairingCode(.invalidCharacter("U", position: 7))) {
            try VaultSecret(pairingCode: String(code))
        }
        #expect(throws: CryptoError.invalidPairingCode(.invalidCharacter("é", position: 3))) {
            try VaultSecret(pairingCode: "12é4")
        }
        #expect(throws: CryptoError.invalidPairingCode(.invalidCharacter("_", position: 5))) {
            try VaultSecret(pairingCode: "1 2 _")
        }
    }

    @Test func wrongLengthIsNamed() {
        let original = symbols(secret.pairingCode)
        #expect(throws: CryptoError.invalidPairingCode(.wrongLength(expected: 56, actual: 55))) {
            try VaultSecret(pairingCode: grouped(Array(original.dropLast())))
        }
        #expect(throws: CryptoError.invalidPairingCode(.wrongLength(expected: 56, actual: 57))) {
            try VaultSecret(pairingCode: grouped(original + ["0"]))
        }
        #expect(throws: CryptoError.invalidPairingCode(.wrongLength(expected: 56, actual: 0))) {
            try VaultSecret(pairingCode: " - ")
        }
    }

    @Test func otherVersionsAreNamed() {
        let future = PairingCode.encode(secret.secret, version: 4)
        #expect(throws: CryptoError.invalidPairingCode(.unsupportedVersion(4))) { try VaultSecret(pairingCode: future) }
    }

    /// Version 2 has the same frame as version 1: such a code is a valid invite code, not a vault secret.
    @Test func anInviteCodeIsNamedAsOne() {
        let invite = PairingCode.encode(secret.secret, version: 2)
        #expect(throws: CryptoError.invalidPairingCode(.wrongKind(expected: .vaultSecret, actual: .invite))) {
            try VaultSecret(pairingCode: invite)
        }
    }

    /// A writer with a bug could produce a code whose check symbol is right for wrong data; the
    /// hash checksum catches that (for this fixed secret certainly, in general but for 1 in 2048).
    @Test func hashChecksumCatchesWhatTheCheckSymbolCannotSee() throws {
        let secret = try VaultSecret(SecretBytes(copying: Fixture.counting(32)))
        var values = symbols(secret.pairingCode).map { UInt8(Self.alphabet.firstIndex(of: $0)!) }
        values[10] ^= 1
        values[55] = PairingCode.checkSymbol(for: Array(values[..<55]))
        let code = grouped(values.map { Self.alphabet[Int($0)] })
        #expect(throws: CryptoError.invalidPairingCode(.checksumMismatch)) { try VaultSecret(pairingCode: code) }
    }

    @Test func problemsReadAsSentences() {
        #expect(CryptoError.invalidPairingCode(.checksumMismatch).description
                == "this pairing code cannot be used: it does not check out, so there is a typo somewhere")
        #expect(PairingCodeProblem.invalidCharacter("U", position: 7).description == "“U” at position 7 does not occur in pairing codes")
    }
}
