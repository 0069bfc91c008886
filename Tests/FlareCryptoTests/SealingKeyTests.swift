@_spi(Testing) @testable import FlareCrypto
import Testing

@Suite struct SealingKeyTests {
    let key = SealingKey.random()
    let context = Array("vault 1 / row 7".utf8)

    @Test(arguments: [0, 1, 2, 7, 8, 15, 16, 100, 127, 128, 1000, 70_000])
    func sealThenOpenGivesThePlaintextBack(length: Int) throws {
        let plaintext = Random.bytes(length)
        let sealed = key.seal(plaintext, associatedData: context)
        #expect(sealed.count == SealingKey.nonceByteCount + Padding.padme(length + 1) + SealingKey.tagByteCount)
        #expect(try key.open(sealed, associatedData: context) == plaintext)
    }

    @Test func sealingTwiceGivesDifferentBoxes() {
        #expect(key.seal([1, 2, 3], associatedData: context) != key.seal([1, 2, 3], associatedData: context))
    }

    @Test func secretsRoundTripInGuardedMemory() throws {
        let secret = SecretBytes(randomCount: 32)
        let sealed = key.seal(secret, associatedData: context)
        #expect(try key.openSecret(sealed, associatedData: context) == secret)
        #expect(try key.open(sealed, associatedData: context) == secret.bytes)
        #expect(throws: CryptoError.authenticationFailed) { try key.openSecret(sealed, associatedData: []) }
    }

    @Test func wrongKeyIsRefused() {
        let sealed = key.seal([1, 2, 3], associatedData: context)
        #expect(throws: CryptoError.authenticationFailed) { try SealingKey.random().open(sealed, associatedData: context) }
    }

    @Test func otherAssociatedDataIsRefused() {
        let sealed = key.seal([1, 2, 3], associatedData: context)
        #expect(throws: CryptoError.authenticationFailed) { try key.open(sealed, associatedData: Array("vault 1 / row 8".utf8)) }
        #expect(throws: CryptoError.authenticationFailed) { try key.open(sealed, associatedData: []) }
    }

    @Test(arguments: [0, 5])
    func everyFlippedBitIsRefused(length: Int) {
        let sealed = key.seal(Fixture.counting(length), associatedData: context)
        for bit in 0..<(sealed.count * 8) {
            var altered = sealed
            altered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(throws: CryptoError.authenticationFailed, "bit \(bit)") { try key.open(altered, associatedData: context) }
        }
    }

    @Test func truncatedOrExtendedBoxesAreRefused() {
        let sealed = key.seal(Fixture.counting(20), associatedData: context)
        for count in 0..<sealed.count {
            let expected: CryptoError = count < SealingKey.minimumSealedCount ? .malformedSealedBox : .authenticationFailed
            #expect(throws: expected, "first \(count) bytes") { try key.open(Array(sealed.prefix(count)), associatedData: context) }
        }
        #expect(throws: CryptoError.authenticationFailed) { try key.open(sealed + [0], associatedData: context) }
    }

    /// Only a key holder can make a box that authenticates, so bad padding inside one means a
    /// faulty writer; it is still refused rather than guessed at.
    @Test func authenticBoxWithBadPaddingIsMalformed() throws {
        let nonce = Random.bytes(SealingKey.nonceByteCount)
        let unmarked = [UInt8](repeating: 0, count: 8)
        let nonCanonical: [UInt8] = [1, 2, 0x80, 0, 0, 0, 0, 0, 0, 0]
        for padded in [unmarked, nonCanonical] {
            let box = nonce + key.encrypt(padded, associatedData: context, nonce: nonce)
            #expect(throws: CryptoError.malformedSealedBox) { try key.open(box, associatedData: context) }
        }
    }

    @Test func keysMustBe32Bytes() {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 16)) { try SealingKey(SecretBytes(randomCount: 16)) }
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 33)) { try SealingKey(SecretBytes(randomCount: 33)) }
    }

    @Test func fixedNonceIsDeterministicAndOpens() throws {
        let nonce = Fixture.counting(24)
        let first = key.seal([9, 9, 9], associatedData: context, nonce: nonce)
        #expect(first == key.seal([9, 9, 9], associatedData: context, nonce: nonce))
        #expect(Array(first.prefix(24)) == nonce)
        #expect(try key.open(first, associatedData: context) == [9, 9, 9])
    }
}
