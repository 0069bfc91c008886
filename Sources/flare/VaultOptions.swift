import ArgumentParser
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
        discussion: "Without it: $FLARE_PASSPHRASE, else a prompt on the terminal."))
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
            return try Self.checked(line)
        }
        if let passphrase = ProcessInfo.processInfo.environment["FLARE_PASSPHRASE"] {
            return try Self.checked(passphrase)
        }
        let first = try Terminal.readSecret(prompt: confirming ? "New passphrase: " : "Passphrase: ")
        if confirming {
            let second = try Terminal.readSecret(prompt: "Same passphrase again: ")
            guard first == second else { throw CLIError.usage("The two passphrases differ; nothing was created.") }
        }
        return try Self.checked(first)
    }

    private static func checked(_ passphrase: String) throws -> String {
        guard !passphrase.isEmpty else { throw CLIError.usage("The passphrase is empty; choose one of at least 8 characters.") }
        return passphrase
    }

    /// Opens the vault, runs `body` with it and closes it (`Vault.closing(after:)`).
    func withVault<Result>(_ body: (Vault) throws -> Result) throws -> Result {
        try Vault.open(at: path, passphrase: passphrase()).closing(after: body)
    }

    /// `withVault` for commands that wait on the network.
    func withVault<Result>(_ body: (Vault) async throws -> Result) async throws -> Result {
        try await Vault.open(at: path, passphrase: passphrase()).closing(after: body)
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
