import FlareCrypto
import Testing

@Suite struct PassphraseStrengthTests {
    @Test(arguments: [
        ("", "it is shorter than 10 characters"),
        ("abc", "it is shorter than 10 characters"),
        ("river lam", "it is shorter than 10 characters"),
        ("aaaaaaaaaaaaaaaa", "it uses fewer than 5 different characters"),
        ("abababababab", "it uses fewer than 5 different characters"),
        ("qwertyuiop", "it is a run of keys or letters or digits in order"),
        ("0987654321", "it is a run of keys or letters or digits in order"),
        ("abcdefghijkl", "it is a run of keys or letters or digits in order"),
        ("1234512345", "it is a run of keys or letters or digits in order"),
        ("password1234", "it is one of the passphrases attackers try first"),
        ("Pass Phrase 2026", "it is one of the passphrases attackers try first"),
        ("correct horse battery staple", "it is one of the passphrases attackers try first"),
        ("iloveyou2026", "it is one of the passphrases attackers try first"),
    ])
    func weakPassphrasesAreRefusedWithTheirReason(passphrase: String, reason: String) {
        #expect(PassphraseStrength.weakness(of: passphrase) == reason)
    }

    @Test(arguments: ["river blue lamp", "a passphrase for tests", "demo passphrase", "Tr0mb0ne-salad", "квітень дощ сонце", "password is not enough here"])
    func reasonablePassphrasesAreTaken(passphrase: String) {
        #expect(PassphraseStrength.weakness(of: passphrase) == nil)
    }
}
