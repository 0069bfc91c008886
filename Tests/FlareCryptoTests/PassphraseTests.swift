import FlareCrypto
import Foundation
import Testing

@Suite struct PassphraseTests {
    let salt = Fixture.counting(16)
    let parameters = PassphraseParameters.minimumForTests

    @Test func samePassphraseAndSaltGiveTheSameKey() throws {
        let first = try PassphraseKey.derive(passphrase: "blue kettle at dawn", salt: salt, parameters: parameters)
        let second = try PassphraseKey.derive(passphrase: "blue kettle at dawn", salt: salt, parameters: parameters)
        #expect(first.secret == second.secret)
        #expect(first.secret.count == SealingKey.byteCount)
    }

    @Test func wrongPassphraseGivesADifferentKey() throws {
        let right = try PassphraseKey.derive(passphrase: "blue kettle at dawn", salt: salt, parameters: parameters)
        let wrong = try PassphraseKey.derive(passphrase: "blue kettle at dusk", salt: salt, parameters: parameters)
        #expect(right.secret != wrong.secret)
        let wrapped = right.seal(SecretBytes(randomCount: 32), associatedData: [])
        #expect(throws: CryptoError.authenticationFailed) { try wrong.openSecret(wrapped, associatedData: []) }
    }

    @Test func saltAndParametersChangeTheKey() throws {
        let base = try PassphraseKey.derive(passphrase: "p", salt: salt, parameters: parameters)
        let otherSalt = try PassphraseKey.derive(passphrase: "p", salt: Fixture.counting(16, from: 1), parameters: parameters)
        let moreWork = try PassphraseKey.derive(
            passphrase: "p", salt: salt, parameters: PassphraseParameters(opsLimit: 2, memLimitBytes: parameters.memLimitBytes))
        #expect(base.secret != otherSalt.secret)
        #expect(base.secret != moreWork.secret)
    }

    /// The passphrase is hashed as its UTF-8 bytes, with no normalisation: "é" precomposed and
    /// "e" with a combining accent are different passphrases.
    @Test func passphraseIsHashedAsUTF8WithoutNormalisation() throws {
        let precomposed = try PassphraseKey.derive(passphrase: "caf\u{E9}", salt: salt, parameters: parameters)
        let combining = try PassphraseKey.derive(passphrase: "cafe\u{301}", salt: salt, parameters: parameters)
        #expect(precomposed.secret != combining.secret)
        #expect(try PassphraseKey.derive(passphrase: "", salt: salt, parameters: parameters).secret.count == 32)
    }

    @Test(arguments: [0, 15, 17, 32])
    func saltsMustBe16Bytes(count: Int) {
        #expect(throws: CryptoError.invalidPassphraseParameters("a salt has 16 bytes, not \(count)")) {
            try PassphraseKey.derive(passphrase: "p", salt: Fixture.counting(count), parameters: parameters)
        }
    }

    @Test func parametersOutsideLibsodiumsLimitsAreRefused() {
        let refused: [(UInt64, UInt64)] = [(0, 8192), (1 << 32, 8192), (1, 8191), (1, 0), (1, 1 << 50)]
        for (ops, memory) in refused {
            #expect(throws: CryptoError.self, "ops \(ops), memory \(memory)") {
                try PassphraseParameters(opsLimit: ops, memLimitBytes: memory)
            }
        }
        #expect(throws: CryptoError.invalidPassphraseParameters("opsLimit 0 is outside 1…4294967295")) {
            try PassphraseParameters(opsLimit: 0, memLimitBytes: 8192)
        }
    }

    @Test func namedParametersAreValid() throws {
        for named in [PassphraseParameters.recommended, .minimumForTests] {
            #expect(try PassphraseParameters(opsLimit: named.opsLimit, memLimitBytes: named.memLimitBytes) == named)
        }
        #expect(PassphraseParameters.recommended.opsLimit == 3)
        #expect(PassphraseParameters.recommended.memLimitBytes == 256 << 20)
        #expect(PassphraseParameters.minimumForTests == (try PassphraseParameters(opsLimit: 1, memLimitBytes: 8192)))
    }

    @Test func saltsAreFreshAnd16Bytes() {
        #expect(PassphraseParameters.saltByteCount == 16)
        #expect(PassphraseParameters.newSalt().count == 16)
        #expect(PassphraseParameters.newSalt() != PassphraseParameters.newSalt())
    }

    @Test func parametersRoundTripThroughJSONAndInvalidOnesAreRefused() throws {
        let data = try JSONEncoder().encode(PassphraseParameters.recommended)
        #expect(try JSONDecoder().decode(PassphraseParameters.self, from: data) == .recommended)
        let invalid = Data(#"{"opsLimit":0,"memLimitBytes":8192}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PassphraseParameters.self, from: invalid) }
    }
}
