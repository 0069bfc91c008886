@testable import FlareCrypto
import Testing

/// Answers published by others, so the wrappers are checked against more than themselves. Each
/// value was also recomputed with an implementation other than libsodium (Python's hashlib and
/// the `cryptography` package over OpenSSL) before it was written here.
@Suite struct KnownAnswerTests {
    /// RFC 8032, section 7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72).
    @Test(arguments: [
        (seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
         message: "",
         signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        (seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
         message: "72",
         signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func ed25519RFC8032(seed: String, publicKey: String, message: String, signature: String) throws {
        let key = try SigningKey(seed: SecretBytes(copying: [UInt8](hex: seed)))
        #expect(key.publicKey.hex == publicKey)
        #expect(key.signature(for: [UInt8](hex: message)).hex == signature)
        #expect(SigningKey.isValid(signature: [UInt8](hex: signature), for: [UInt8](hex: message), publicKey: [UInt8](hex: publicKey)))
    }

    /// draft-irtf-cfrg-xchacha-03, appendix A.3.1, through the bare AEAD (sealed boxes add padding).
    @Test func xchacha20Poly1305DraftA31() throws {
        let key = try SealingKey(SecretBytes(copying: Fixture.counting(32, from: 0x80)))
        let nonce = Fixture.counting(24, from: 0x40)
        let associatedData = [UInt8](hex: "50515253c0c1c2c3c4c5c6c7")
        let plaintext = Array("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
        let expected = [UInt8](hex: """
            bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39\
            ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9\
            21f9664c97637da9768812f615c68b13b52e
            """) + [UInt8](hex: "c0875924c1c7987947deafd8780acf49")

        #expect(key.encrypt(plaintext, associatedData: associatedData, nonce: nonce) == expected)
        #expect(key.decrypt(expected, associatedData: associatedData, nonce: nonce) == plaintext)
        #expect(key.decrypt(expected, associatedData: [], nonce: nonce) == nil)
    }

    /// BLAKE2b-512 of "" and of "abc" (RFC 7693, appendix A), and keyed with bytes 0…63 over ""
    /// (the BLAKE2 reference known-answer file, blake2b-kat.txt, first entry).
    @Test func blake2b() {
        #expect(Digest.blake2b([], length: 64).hex == """
            786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419\
            d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce
            """)
        #expect(Digest.blake2b(Array("abc".utf8), length: 64).hex == """
            ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
            7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923
            """)
        #expect(Digest.blake2b([], length: 64, key: Fixture.counting(64)).hex == """
            10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786\
            b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568
            """)
        #expect(Digest.blake2b([]).hex == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
    }

    /// libsodium's test/default/pwhash_argon2id.c, vectors `tv` 6 and 7 (one lane; the salt is
    /// the first 16 bytes of the listed hex, as that test reads it; binary passwords).
    @Test(arguments: [
        (password: "b540beb016a5366524d4605156493f9874514a5aa58818cd0c6dfffaa9e90205f17b",
         salt: "44071f6d181561670bda728d43fb79b4", outputCount: 231, ops: UInt64(1), memory: UInt64(1_631_659),
         expected: """
            7fb72409b0987f8190c3729710e98c3f80c5a8727d425fdcde7f3644d467fe973f5b5fee683bd3fce812cb9ae5e9921a\
            2d06c2f1905e4e839692f2b934b682f11a2fe2b90482ea5dd234863516dba6f52dc0702d324ec77d860c2e181f84472b\
            d7104fedce071ffa93c5309494ad51623d214447a7b2b1462dc7d5d55a1f6fd5b54ce024118d86f0c6489d16545aaa87\
            b6689dad9f2fb47fda9894f8e12b87d978b483ccd4cc5fd9595cdc7a818452f915ce2f7df95ec12b1c72e3788d473441\
            d884f9748eb14703c21b45d82fd667b85f5b2d98c13303b3fe76285531a826b6fc0fe8e3dddecf
            """),
        (password: """
            a14975c26c088755a8b715ff2528d647cd343987fcf4aa25e7194a8417fb2b4b3f7268da9f3182b4cfb22d138b2749d6\
            73a47ecc7525dd15a0a3c66046971784bb63d7eae24cc84f2631712075a10e10a96b0e0ee67c43e01c423cb9c44e5371\
            017e9c496956b632158da3fe12addecb88912e6759bc37f9af2f45af72c5cae3b179ffb676a697de6ebe45cd4c16d4a9\
            d642d29ddc0186a0a48cb6cd62bfc3dd229d313b301560971e740e2cf1f99a9a090a5b283f35475057e96d7064e2e0fc\
            81984591068d55a3b4169f22cccb0745a2689407ea1901a0a766eb99
            """,
         salt: "3d968b2752b8838431165059319f3ff8", outputCount: 167, ops: UInt64(3), memory: UInt64(1_784_128),
         expected: """
            4e702bc5f891df884c6ddaa243aa846ce3c087fe930fef0f36b3c2be34164ccc295db509254743f18f947159c813bcd5\
            dd8d94a3aec93bbe57605d1fad1aef1112687c3d4ef1cb329d21f1632f626818d766915d886e8d819e4b0b9c9307f4b6\
            afc081e13b0cf31db382ff1bf05a16aac7af696336d75e99f82163e0f371e1d25c4add808e215697ad3f779a51a462f8\
            bf52610af21fc69dba6b072606f2dabca7d4ae1d91d919
            """),
    ])
    func argon2idLibsodiumSuite(password: String, salt: String, outputCount: Int, ops: UInt64, memory: UInt64, expected: String) throws {
        let password = [UInt8](hex: password)
        let parameters = try PassphraseParameters(opsLimit: ops, memLimitBytes: memory)
        var output = [UInt8](repeating: 0, count: outputCount)
        try output.withUnsafeMutableBytes { output in
            try password.withUnsafeBytes { password in
                try PassphraseKey.argon2id(into: output, password: password.bindMemory(to: CChar.self).baseAddress!,
                                           passwordCount: password.count, salt: [UInt8](hex: salt), parameters: parameters)
            }
        }
        #expect(output.hex == expected)
    }

    /// libsodium's test/default/kdf.exp: master key 0…31, context "KDF test"; 64-byte subkeys 0
    /// and 1, then the 16-byte subkey 16 and the 32-byte subkey 32.
    @Test(arguments: [
        (id: UInt64(0), count: 64, expected: "a0c724404728c8bb95e5433eb6a9716171144d61efb23e74b873fcbeda51d8071b5d70aae12066dfc94ce943f145aa176c055040c3dd73b0a15e36254d450614"),
        (id: UInt64(1), count: 64, expected: "02507f144fa9bf19010bf7c70b235b4c2663cc00e074f929602a5e2c10a780757d2a3993d06debc378a90efdac196dd841817b977d67b786804f6d3cd585bab5"),
        (id: UInt64(16), count: 16, expected: "a529216624ef9161e4cf117272aafff2"),
        (id: UInt64(32), count: 32, expected: "154b291f11196737f8b7f491e4ca11764e0227d34f94295408a869f007aa8618"),
    ])
    func kdfLibsodiumSuite(id: UInt64, count: Int, expected: String) {
        let subkey = VaultSecret.subkey(of: SecretBytes(copying: Fixture.counting(32)), id: id, context: "KDF test", count: count)
        #expect(subkey.bytes.hex == expected)
    }
}
