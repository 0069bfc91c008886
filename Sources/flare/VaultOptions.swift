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
            Without it: $FLARE_PASSPHRASE, else a prompt on the terminal. While another flare process \
            (a sync, say) has the vault open, a command waits for it up to $FLARE_LOCK_WAIT seconds (default 30).
            """))
    var passphraseFile: String?

    /// The vault's path, by the rules in the help.
    var path: String {
        if let vault { return vault }
        let environment = ProcessInfo.processInfo.environment
        if let vault = environment["FLARE_VAULT"], !vault.isEmpty { return vault }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share").path
        return data + "/flare/journal.flare"
    }

    /// The passphrase: from `--passphrase-file`, `FLARE_PASSPHRASE`, or the terminal (asked
    /// twice, without echo, when `confirming`).
    func passphrase(confirming: Bool = false) throws -> String {
        if let passphraseFile {
            guard let text = try? String(contentsOfFile: passphraseFile, encoding: .utf8) else {
                throw CLIError.usage("Cannot read the passphrase file \(passphraseFile).")
            }
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return try Self.checked(line, new: confirming)
        }
        if let passphrase = ProcessInfo.processInfo.environment["FLARE_PASSPHRASE"] {
            return try Self.checked(passphrase, new: confirming)
        }
        let first = try Terminal.readSecret(prompt: confirming ? "New passphrase: " : "Passphrase: ")
        if confirming {
            // Refused before it is typed twice: the second prompt would only waste the effort.
            _ = try Self.checked(first, new: true)
            let second = try Terminal.readSecret(prompt: "Same passphrase again: ")
            guard first == second else { throw CLIError.usage("The two passphrases differ; nothing was created.") }
        }
        return try Self.checked(first, new: confirming)
    }

    /// A new passphrase for this vault: from `file`, else `$FLARE_NEW_PASSPHRASE`, else asked
    /// twice on the terminal; refused when too weak.
    static func newPassphrase(file: String?) throws -> String {
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIError.usage("Cannot read the passphrase file \(file).") }
            return try checked(text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? "", new: true)
        }
        if let passphrase = ProcessInfo.processInfo.environment["FLARE_NEW_PASSPHRASE"] { return try checked(passphrase, new: true) }
        let first = try checked(try Terminal.readSecret(prompt: "New passphrase: "), new: true)
        guard try Terminal.readSecret(prompt: "Same passphrase again: ") == first else {
            throw CLIError.usage("The two passphrases differ; the passphrase was not changed.")
        }
        return first
    }

    /// `passphrase` if it can be used: not empty, and for a `new` one not too weak
    /// (`PassphraseStrength`); an existing vault opens with whatever it was made with.
    private static func checked(_ passphrase: String, new: Bool) throws -> String {
        guard !passphrase.isEmpty else {
            throw CLIError.usage("The passphrase is empty; choose one of at least \(PassphraseStrength.minimumLength) characters.")
        }
        if new, let weakness = PassphraseStrength.weakness(of: passphrase) {
            throw CLIError.usage(
                "That passphrase is too weak: \(weakness). It is all that guards the journal if the vault file is ever copied; choose a longer one, for example four or five unrelated words. Nothing was created.")
        }
        return passphrase
    }

    /// Opens the vault, runs `body` with it and closes it (`Vault.closing(after:)`).
    func withVault<Result>(_ body: (Vault) throws -> Result) throws -> Result {
        try openWaiting().closing(after: body)
    }

    /// `withVault` for commands that wait on the network.
    func withVault<Result>(_ body: (Vault) async throws -> Result) async throws -> Result {
        try await openWaiting().closing(after: body)
    }

    /// How long a command waits for another flare process (a `flare sync --watch` syncing,
    /// say, which holds the vault for a moment) before giving up: `$FLARE_LOCK_WAIT` seconds,
    /// else 30.
    static var lockPatience: TimeInterval {
        ProcessInfo.processInfo.environment["FLARE_LOCK_WAIT"].flatMap(TimeInterval.init).map { max(0, $0) } ?? 30
    }

    /// Opens the vault, waiting while another process has it open: briefly in silence, then
    /// saying so, for up to `lockPatience`. The lock is tried before the passphrase's KDF runs,
    /// so each try is cheap.
    private func openWaiting() throws -> Vault {
        let passphrase = try passphrase()
        let start = Date()
        let patience = Self.lockPatience
        var told = false
        while true {
            do {
                return try Vault.open(at: path, passphrase: passphrase)
            } catch StoreError.locked where Date().timeIntervalSince(start) < patience {
                if !told, Date().timeIntervalSince(start) >= 2 {
                    FileManager.default.standardErrorWrite("flare: waiting for another flare process (a sync?) to finish with the vault…\n")
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

extension FileManager {
    /// Writes `text` to standard error.
    func standardErrorWrite(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
