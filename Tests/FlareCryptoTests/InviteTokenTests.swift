import FlareCrypto
import Testing

@Suite struct InviteTokenTests {
    let token = InviteToken.random()

    @Test func lookupIDAndKeyFollowFromTheTokenAlone() throws {
        let again = try InviteToken(token.secret)
        #expect(token.lookupID.count == 16)
        #expect(token.sealingKey.secret.count == 32)
        #expect(again.lookupID == token.lookupID)
        #expect(again.sealingKey.secret == token.sealingKey.secret)
        let other = InviteToken.random()
        #expect(other.lookupID != token.lookupID)
        #expect(other.sealingKey.secret != token.sealingKey.secret)
    }

    /// The personalisations keep the two apart from each other and from plain keyed BLAKE2b.
    @Test func lookupIDIsNotPartOfTheKey() {
        let key = token.sealingKey.secret.bytes
        #expect(!key.starts(with: token.lookupID))
        #expect(token.lookupID != Digest.blake2b([], length: 16, key: token.secret.bytes))
        #expect(key != Digest.blake2b([], length: 32, key: token.secret.bytes))
    }

    @Test func tokensMustBe16Bytes() {
        for count in [0, 15, 17, 32] {
            #expect(throws: CryptoError.invalidKeyLength(expected: 16, actual: count)) { try InviteToken(SecretBytes(randomCount: count)) }
        }
    }
}
