@_spi(Testing) import FlareCrypto
import Testing

@Suite struct DeviceSealingTests {
    let device = SigningKey.random()
    let secret = SecretBytes(copying: Array("epoch 2 ".utf8) + Fixture.counting(32, from: 0x60))

    @Test(arguments: [0, 1, 32, 48, 100])
    func sealedSecretsOpenWithTheDeviceKey(length: Int) throws {
        let plaintext = SecretBytes(randomCount: length)
        let sealed = try DeviceSealing.seal(plaintext, to: device.publicKey)
        #expect(sealed.count == length + 48)
        #expect(DeviceSealing.overheadByteCount == 48)
        #expect(try DeviceSealing.open(sealed, with: device) == plaintext)
        // The same key pair from its seed opens it too.
        #expect(try DeviceSealing.open(sealed, with: SigningKey(seed: device.seed)) == plaintext)
    }

    /// A fresh ephemeral key per box: sealing the same secret twice gives unrelated boxes.
    @Test func everyBoxIsFresh() throws {
        let first = try DeviceSealing.seal(secret, to: device.publicKey)
        let second = try DeviceSealing.seal(secret, to: device.publicKey)
        #expect(first != second)
        #expect(first.prefix(32) != second.prefix(32))
    }

    @Test func onlyTheDeviceItWasSealedToOpensIt() throws {
        let sealed = try DeviceSealing.seal(secret, to: device.publicKey)
        #expect(throws: CryptoError.authenticationFailed) { try DeviceSealing.open(sealed, with: SigningKey.random()) }
    }

    @Test func everyChangedBitIsRefused() throws {
        let sealed = try DeviceSealing.seal(secret, to: device.publicKey)
        for bit in 0..<(sealed.count * 8) {
            var altered = sealed
            altered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(throws: CryptoError.authenticationFailed, "bit \(bit)") { try DeviceSealing.open(altered, with: device) }
        }
    }

    @Test func shortCutAndExtendedBoxesAreRefused() throws {
        let sealed = try DeviceSealing.seal(secret, to: device.publicKey)
        for count in [0, 1, 47] {
            #expect(throws: CryptoError.malformedSealedBox, "\(count) bytes") { try DeviceSealing.open(Array(sealed.prefix(count)), with: device) }
        }
        #expect(throws: CryptoError.authenticationFailed) { try DeviceSealing.open(Array(sealed.prefix(48)), with: device) }
        #expect(throws: CryptoError.authenticationFailed) { try DeviceSealing.open(Array(sealed.dropLast()), with: device) }
        #expect(throws: CryptoError.authenticationFailed) { try DeviceSealing.open(sealed + [0], with: device) }
        #expect(throws: CryptoError.authenticationFailed) { try DeviceSealing.open(Random.bytes(48), with: device) }
    }

    @Test func publicKeysOfAnotherLengthAreRefused() {
        for count in [0, 31, 33, 64] {
            #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: count), "\(count) bytes") {
                try DeviceSealing.seal(secret, to: Array(repeating: 0x42, count: count))
            }
        }
    }

    /// Ed25519 public keys that libsodium does not convert to X25519.
    @Test(arguments: [
        // The neutral element (y = 1), of order 1.
        "0100000000000000000000000000000000000000000000000000000000000000",
        // y = 0, a point of order 4.
        "0000000000000000000000000000000000000000000000000000000000000000",
        // y = 2: no x makes it a point of the curve.
        "0200000000000000000000000000000000000000000000000000000000000000",
        // RFC 8032 TEST 1's public key plus the point of order 2 (0, −1): on the curve, outside
        // the main subgroup.
        "16a567fe7d4ef5482ab4012c369bf8c5f11e8d0c2559dcda50fde59708f8aee5",
    ])
    func publicKeysThatDoNotConvertAreRefused(hex: String) {
        #expect(throws: CryptoError.invalidPublicKey) { try DeviceSealing.seal(secret, to: [UInt8](hex: hex)) }
    }

    /// The unaltered RFC 8032 key converts: the refusal above is for the added small-order part.
    @Test func aValidPublicKeyConverts() throws {
        let publicKey = [UInt8](hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        #expect(try DeviceSealing.x25519PublicKey(publicKey).count == 32)
    }

    @Test func errorsReadAsSentences() {
        #expect(CryptoError.invalidPublicKey.description == "the public key is not a valid Ed25519 key (not a point of the curve's main subgroup)")
    }
}
