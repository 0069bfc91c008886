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

    /// The path of an invitation: sealed under the token's key, the token carried by an invite
    /// code, the key derived again from the token read back.
    @Test func theTokenInAnInviteCodeOpensTheInvitation() throws {
        let vault = try #require(VaultID(bytes: Fixture.counting(16)))
        let invitation = VaultSecret.random().secret
        let context = Array("flare invitation".utf8)
        let sealed = token.sealingKey.seal(invitation, associatedData: context)
        guard case .invite(let readVault, let readToken) = try PairingCodeContent(code: PairingCodeContent.invite(vault: vault, token: token).code) else {
            Issue.record("an invite code read as another kind")
            return
        }
        #expect(readVault == vault)
        #expect(readToken.lookupID == token.lookupID)
        #expect(try readToken.sealingKey.openSecret(sealed, associatedData: context) == invitation)
        #expect(throws: CryptoError.authenticationFailed) { try InviteToken.random().sealingKey.openSecret(sealed, associatedData: context) }
    }

    @Test func tokensMustBe16Bytes() {
        for count in [0, 15, 17, 32] {
            #expect(throws: CryptoError.invalidKeyLength(expected: 16, actual: count)) { try InviteToken(SecretBytes(randomCount: count)) }
        }
    }
}
