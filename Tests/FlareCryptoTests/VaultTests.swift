import FlareCrypto
import Testing

@Suite struct VaultTests {
    @Test func keysAreReproducibleFromTheSecret() throws {
        let secret = VaultSecret.random()
        let first = secret.keys()
        let second = try VaultSecret(SecretBytes(copying: secret.secret.bytes)).keys()
        #expect(first.dataKey.secret == second.dataKey.secret)
        #expect(first.authKey.publicKey == second.authKey.publicKey)
        #expect(first.vaultID == second.vaultID)
    }

    @Test func keysAreIndependentOfEachOtherAndOfTheSecret() {
        let secret = VaultSecret.random()
        let keys = secret.keys()
        #expect(keys.dataKey.secret != keys.authKey.seed)
        #expect(keys.dataKey.secret != secret.secret)
        #expect(keys.authKey.seed != secret.secret)
        #expect(keys.vaultID == VaultID(authPublicKey: keys.authKey.publicKey))
        #expect(VaultSecret.random().keys().vaultID != keys.vaultID)
    }

    @Test func pairingCodeRoundTrips() throws {
        for _ in 0..<50 {
            let secret = VaultSecret.random()
            #expect(try VaultSecret(pairingCode: secret.pairingCode).secret == secret.secret)
        }
    }

    @Test func secretsMustBe32Bytes() {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 31)) { try VaultSecret(SecretBytes(randomCount: 31)) }
    }
}
