import FlareCrypto
import Testing

@Suite struct VaultIDTests {
    @Test func hexRoundTripsInLowercase() throws {
        let id = try #require(VaultID(bytes: Fixture.counting(16, from: 0xA0)))
        #expect(id.hex == "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
        #expect(id.description == id.hex)
        #expect(VaultID(hex: id.hex) == id)
        #expect(VaultID(hex: id.hex.uppercased()) == id)
    }

    @Test func malformedInputIsRefused() {
        #expect(VaultID(bytes: Fixture.counting(15)) == nil)
        #expect(VaultID(bytes: Fixture.counting(17)) == nil)
        #expect(VaultID(hex: "") == nil)
        #expect(VaultID(hex: String(repeating: "a", count: 31)) == nil)
        #expect(VaultID(hex: String(repeating: "a", count: 33)) == nil)
        #expect(VaultID(hex: String(repeating: "g", count: 32)) == nil)
        #expect(VaultID(hex: "+1" + String(repeating: "0", count: 30)) == nil)
    }

    @Test func idIsPersonalisedBLAKE2bOfThePublicKey() {
        let publicKey = Fixture.counting(32)
        let id = VaultID(authPublicKey: publicKey)
        #expect(id.bytes.count == 16)
        // Personalisation separates it from a plain 16-byte BLAKE2b of the same bytes.
        #expect(id.bytes != Digest.blake2b(publicKey, length: 16))
    }
}
