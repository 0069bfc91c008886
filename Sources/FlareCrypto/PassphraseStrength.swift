/// Whether a new passphrase is too weak to guard a vault. Argon2id makes each guess slow, but a
/// copied vault file can be guessed at offline for as long as an attacker likes, so a short or
/// well-known passphrase would fall anyway. The rules are plain on purpose: a person must be
/// able to understand the reason given and choose better (Protocol/CRYPTO.md, "Passphrases").
public enum PassphraseStrength {
    /// The fewest characters a new passphrase may have.
    public static let minimumLength = 10
    /// The fewest different characters.
    public static let minimumDistinct = 5

    /// Why `passphrase` is too weak, as the end of a sentence ("it is shorter than 10
    /// characters"); nil when it may be used.
    public static func weakness(of passphrase: String) -> String? {
        let characters = Array(passphrase)
        if characters.count < minimumLength { return "it is shorter than \(minimumLength) characters" }
        let folded = passphrase.lowercased().filter { !$0.isWhitespace }
        if Set(folded).count < minimumDistinct { return "it uses fewer than \(minimumDistinct) different characters" }
        if isRun(folded) { return "it is a run of keys or letters or digits in order" }
        let plain = String(folded.filter { $0.isLetter || $0.isNumber })
        if common.contains(plain) || common.contains(where: { !$0.isEmpty && plain.hasPrefix($0) && plain.dropFirst($0.count).allSatisfy(\.isNumber) }) {
            return "it is one of the passphrases attackers try first"
        }
        return nil
    }

    /// Rows people slide a finger along; a passphrase that is a stretch of one (forwards or
    /// backwards) is no secret.
    static let runs = ["abcdefghijklmnopqrstuvwxyz", "0123456789012345678901234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop", "1qaz2wsx3edc4rfv"]

    static func isRun(_ text: String) -> Bool {
        guard text.count >= 4 else { return false }
        return runs.contains { row in row.contains(text) || String(row.reversed()).contains(text) }
            || text.count % 2 == 0 && text.prefix(text.count / 2) == text.suffix(text.count / 2) && isRun(String(text.prefix(text.count / 2)))
    }

    /// Well-known passwords and phrases of ten or more letters and digits (lowercase, spaces
    /// removed), and stems that are only well known with digits after them.
    static let common: Set<String> = [
        "password", "passphrase", "passw0rd", "iloveyou", "letmein", "welcome", "changeme", "administrator", "sunshine",
        "princess", "football", "baseball", "superman", "trustno1", "monkey", "dragon", "qwerty", "abc", "flare", "flarejournal",
        "correcthorsebatterystaple", "mypassword", "secretpassword", "supersecret", "opensesame", "nopassword",
        "thisismypassword", "letmeinplease", "iloveyouforever", "masterpassword", "mypassphrase", "journalpassword",
    ]
}
