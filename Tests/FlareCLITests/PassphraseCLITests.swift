import Foundation
import Testing
import TestSupport

/// Weak passphrases are refused wherever a new one is set (`init`, `join`, `passphrase`), and
/// `flare passphrase` changes it.
@Suite struct PassphraseCLITests {
    @Test func weakNewPassphrasesAreRefusedAndNothingIsCreated() throws {
        let folder = try TemporaryFolder()
        let phone = folder.path("phone.flare")
        let weak = try CLITests.flare(["init"], vault: phone, passphrase: "letmein")
        #expect(weak.status == 64)
        #expect(weak.errors.contains("That passphrase is too weak: it is shorter than 10 characters."))
        #expect(!FileManager.default.fileExists(atPath: phone))
        let created = try CLITests.flare(["init", "--json"], vault: phone)
        let code = try #require((created.json as? [String: Any])?["pairing_code"] as? String)
        let laptop = folder.path("laptop.flare")
        let joined = try CLITests.flare(["join", code], vault: laptop, passphrase: "qwertyuiop")
        #expect(joined.status == 64)
        #expect(joined.errors.contains("it is a run of keys or letters or digits in order"))
        #expect(!FileManager.default.fileExists(atPath: laptop))
        // An existing vault opens with whatever passphrase it has: the check is for new ones.
        #expect(try CLITests.flare(["list"], vault: phone).status == 0)
    }

    @Test func changingThePassphrase() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try CLITests.flare(["init"], vault: vault).status == 0)
        #expect(try CLITests.flare(["log", "--pain", "4"], vault: vault).status == 0)
        let weak = try CLITests.flare(["passphrase"], vault: vault, environment: ["FLARE_NEW_PASSPHRASE": "password2026"])
        #expect(weak.status == 64)
        #expect(weak.errors.contains("one of the passphrases attackers try first"))
        #expect(try CLITests.flare(["list"], vault: vault).status == 0)
        let changed = try CLITests.flare(["passphrase"], vault: vault, environment: ["FLARE_NEW_PASSPHRASE": "river blue lamp"])
        #expect(changed.status == 0, "\(changed.errors)")
        #expect(try CLITests.flare(["list"], vault: vault).status == 77)
        let reopened = try CLITests.flare(["list", "--json"], vault: vault, passphrase: "river blue lamp")
        #expect(reopened.status == 0)
        #expect((reopened.json as? [Any])?.count == 1)
    }
}
