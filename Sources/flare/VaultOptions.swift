import ArgumentParser
import FlareCrypto
import FlareStore
import Foundation

/// Where the vault is and how to unlock it, shared by every command that opens one.
struct VaultOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The vault file.",
        discussion: "Default: $FLARE_VAULT, else $XDG_DATA_HOME/flare/journal.flare (~/.local/share/flare/journal.flare)."))
    var vault: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read the passphrase from the first line of this file.",
        discussion: """
            Without it: $FLARE_PASSPHRASE, else the key `flare unlock` left with the unlock agent, \
            else a prompt on the terminal (three tries). While another flare process \
            (a sync, say) has the vault open, a command waits for it up to $FLARE_LOCK_WAIT seconds (default 30).
            """))
    var passphraseFile: String?

    /// The vault's path, by the rules in the help.
    var path: String {
        if let vault { return vault }
        let environment = ProcessInfo.processInfo.environment
        if let vault = environment["FLARE_VAULT"], !vault.isEmpty { return vault }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? HomeFolder.path + "/.local/share"
        return data + "/flare/journal.flare"
    }

    /// How many times a passphrase typed at the terminal may be wrong before a command gives up.
    static let terminalTries = 3

    /// The passphrase for a new vault (`newPassphrase`, from `--passphrase-file` or
    /// `FLARE_PASSPHRASE`, else asked twice on the terminal).
    func passphraseForNewVault() throws -> String {
        try Self.newPassphrase(file: passphraseFile, variable: "FLARE_PASSPHRASE", unchanged: "nothing was created")
    }

    /// The passphrase given without asking: from `--passphrase-file`, else `FLARE_PASSPHRASE`;
    /// nil when neither is given.
    private func givenPassphrase() throws -> String? {
        if let passphraseFile { return try Self.checked(Self.firstLine(of: passphraseFile)) }
        return try ProcessInfo.processInfo.environment["FLARE_PASSPHRASE"].map { try Self.checked($0) }
    }

    /// A new passphrase: from `file`, else `$variable`, else asked twice on the terminal;
    /// refused when too weak, the refusal ending with `unchanged` ("nothing was created").
    static func newPassphrase(
        file: String?, variable: String = "FLARE_NEW_PASSPHRASE", unchanged: String = "the passphrase was not changed"
    ) throws -> String {
        if let file { return try checked(firstLine(of: file), newUnless: unchanged) }
        if let passphrase = ProcessInfo.processInfo.environment[variable] { return try checked(passphrase, newUnless: unchanged) }
        // Refused before it is typed twice: the second prompt would only waste the effort.
        let first = try checked(try Terminal.readSecret(prompt: "New passphrase: "), newUnless: unchanged)
        guard try Terminal.readSecret(prompt: "Same passphrase again: ") == first else {
            throw CLIError.usage("The two passphrases differ; \(unchanged).")
        }
        return first
    }

    /// The first line of the passphrase file `path`.
    private static func firstLine(of path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError.usage("Cannot read the passphrase file \(path).") }
        return text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }

    /// `passphrase` if it can be used: not empty, and for a new one (`newUnless` given: how
    /// the refusal ends) not too weak (`PassphraseStrength`); an existing vault opens with
    /// whatever it was made with.
    private static func checked(_ passphrase: String, newUnless unchanged: String? = nil) throws -> String {
        guard !passphrase.isEmpty else {
            throw CLIError.usage("The passphrase is empty; choose one of at least \(PassphraseStrength.minimumLength) characters.")
        }
        if let unchanged, let weakness = PassphraseStrength.weakness(of: passphrase) {
            throw CLIError.usage(
                "That passphrase is too weak: \(weakness). It is all that guards the journal if the vault file is ever copied; choose a longer one, for example four or five unrelated words. \(unchanged.prefix(1).uppercased() + unchanged.dropFirst()).")
        }
        return passphrase
    }

    /// Opens the vault, runs `body` with it and closes it (`Vault.closing(after:)`). Without
    /// `usingAgent`, the unlock agent's key is not used: the passphrase is asked for (commands
    /// that prove it, `flare unlock` and `flare passphrase`).
    func withVault<Result>(usingAgent: Bool = true, _ body: (Vault) throws -> Result) throws -> Result {
        try openWaiting(usingAgent: usingAgent).closing(after: body)
    }

    /// `withVault` for commands that wait on the network.
    func withVault<Result>(_ body: (Vault) async throws -> Result) async throws -> Result {
        try await openWaiting(usingAgent: true).closing(after: body)
    }

    /// How long a command waits for another flare process (a `flare sync --watch` syncing,
    /// say, which holds the vault for a moment) before giving up: `$FLARE_LOCK_WAIT` seconds,
    /// else 30; at most an hour, so no value waits for ever.
    static var lockPatience: Duration {
        let seconds = ProcessInfo.processInfo.environment["FLARE_LOCK_WAIT"].flatMap(Double.init).flatMap { $0.isNaN ? nil : $0 } ?? 30
        return .milliseconds(Int64(min(max(0, seconds), 3600) * 1000))
    }

    /// Opens the vault with the first of: the passphrase given (`--passphrase-file`, else
    /// `FLARE_PASSPHRASE`), which is not retried; the unlock agent's key, when `usingAgent`;
    /// the passphrase typed at the terminal, asked again when wrong, `terminalTries` times in
    /// all. An explicit passphrase comes first so that a script gets exactly what it says, and
    /// a wrong one fails instead of being masked by an unlocked key.
    private func openWaiting(usingAgent: Bool) throws -> Vault {
        if let passphrase = try givenPassphrase() {
            return try waitingForOthers { try Vault.open(at: path, passphrase: passphrase) }
        }
        if usingAgent, let vault = try openWithAgent() { return vault }
        var tries = 1
        while true {
            let passphrase = try Self.checked(Terminal.readSecret(prompt: "Passphrase: "))
            do {
                return try waitingForOthers { try Vault.open(at: path, passphrase: passphrase) }
            } catch StoreError.wrongPassphrase where tries < Self.terminalTries {
                tries += 1
                FileHandle.standardError.write(Data("flare: That passphrase does not unlock this vault; try again.\n".utf8))
            }
        }
    }

    /// Opens the vault with the key the unlock agent holds for it; nil when it holds none. A
    /// key that no longer opens the vault (its passphrase was changed since) is forgotten.
    private func openWithAgent() throws -> Vault? {
        let agent = AgentClient()
        guard let unlock = agent.unlock(forVaultAt: path) else { return nil }
        do {
            return try waitingForOthers { try Vault.open(at: path, unlock: unlock) }
        } catch StoreError.wrongPassphrase {
            agent.forget(vaultAt: path)
            FileHandle.standardError.write(Data("flare: The key `flare unlock` kept no longer opens this vault (its passphrase was changed); it is forgotten.\n".utf8))
            return nil
        }
    }

    /// Runs `open`, waiting while another process has the vault open: briefly in silence, then
    /// saying so, for up to `lockPatience`. `Vault.open` takes the lock before the passphrase's
    /// KDF runs, so each try is cheap.
    private func waitingForOthers(_ open: () throws -> Vault) throws -> Vault {
        let start = ContinuousClock.now
        let patience = Self.lockPatience
        var told = false
        while true {
            do {
                return try open()
            } catch StoreError.locked where ContinuousClock.now - start < patience {
                if !told, ContinuousClock.now - start >= .seconds(2) {
                    FileHandle.standardError.write(Data("flare: waiting for another flare process (a sync?) to finish with the vault…\n".utf8))
                    told = true
                }
                usleep(50_000)
            }
        }
    }

    /// Creates the folder the vault goes in (with private permissions), if missing.
    func makeFolder() throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard !FileManager.default.fileExists(atPath: folder) else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError.cannotCreate("Cannot create the folder \(folder): \(error.localizedDescription)")
        }
    }
}
