import FlareCrypto
import Testing

@Suite struct SigningKeyTests {
    let key = SigningKey.random()
    let message = Array("device 7f3a joins vault".utf8)

    @Test func sameSeedGivesTheSameKeyPair() throws {
        let again = try SigningKey(seed: key.seed)
        #expect(again.publicKey == key.publicKey)
        #expect(again.signature(for: message) == key.signature(for: message))
        #expect(key.publicKey.count == 32)
    }

    @Test func signaturesVerify() {
        let signature = key.signature(for: message)
        #expect(signature.count == 64)
        #expect(SigningKey.isValid(signature: signature, for: message, publicKey: key.publicKey))
        #expect(SigningKey.isValid(signature: key.signature(for: []), for: [], publicKey: key.publicKey))
    }

    @Test func modifiedMessageIsRefused() {
        let signature = key.signature(for: message)
        for index in message.indices {
            var altered = message
            altered[index] ^= 0x01
            #expect(!SigningKey.isValid(signature: signature, for: altered, publicKey: key.publicKey))
        }
        #expect(!SigningKey.isValid(signature: signature, for: message + [0], publicKey: key.publicKey))
        #expect(!SigningKey.isValid(signature: signature, for: Array(message.dropLast()), publicKey: key.publicKey))
    }

    @Test func modifiedSignatureIsRefused() {
        let signature = key.signature(for: message)
        for bit in 0..<(signature.count * 8) {
            var altered = signature
            altered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!SigningKey.isValid(signature: altered, for: message, publicKey: key.publicKey), "bit \(bit)")
        }
    }

    @Test func otherKeyAndWrongLengthsAreRefused() {
        let signature = key.signature(for: message)
        #expect(!SigningKey.isValid(signature: signature, for: message, publicKey: SigningKey.random().publicKey))
        #expect(!SigningKey.isValid(signature: Array(signature.dropLast()), for: message, publicKey: key.publicKey))
        #expect(!SigningKey.isValid(signature: signature, for: message, publicKey: Array(key.publicKey.dropLast())))
        #expect(!SigningKey.isValid(signature: [], for: message, publicKey: []))
    }

    @Test func seedsMustBe32Bytes() {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 64)) { try SigningKey(seed: SecretBytes(randomCount: 64)) }
    }
}
