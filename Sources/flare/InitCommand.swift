import ArgumentParser
import FlareCrypto
import FlareJournal
import FlareStore
import FlareSync
import FlareWire
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new vault on this device and show its pairing code once.",
        discussion: """
            The pairing code lets your other devices join (`flare join CODE`) and recovers the \
            journal if every device is lost. Write it down; it is not shown again. Anyone with \
            it can join the vault, so keep it private.
            """
    )

    @OptionGroup var vault: VaultOptions
    @OptionGroup var device: NewDeviceOptions

    func run() throws {
        try reporting { try device.create(vault, joining: nil).close() }
    }
}

struct Join: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create this device's vault from an invite code (flare invite), the pairing code or a recovery code.",
        discussion: """
            With an invite code, give the relay it was made at (--relay HOST:PORT): the code is \
            spent there, and the new device syncs at once. With the pairing code `flare init` \
            showed, or the recovery code `flare devices revoke` showed, the device syncs at once \
            when --relay is given, else the first flare sync --relay brings the journal over. A \
            code from before a revocation admits no one.
            """
    )

    @Argument(help: "The invite code or the pairing code (case and hyphens do not matter).")
    var code: String

    @Option(help: ArgumentHelp("The relay an invite code was made at.", valueName: "host:port")) var relay: String?
    @OptionGroup var vault: VaultOptions
    @OptionGroup var device: NewDeviceOptions

    func run() async throws {
        try await reporting {
            let content: PairingCodeContent
            do {
                content = try PairingCodeContent(code: code)
            } catch {
                throw CLIError.usage("That pairing code is not right (\(error)); check it against the one your other device showed.")
            }
            let address = try relay.map { try RelayAddress.parsed($0) }
            switch content {
            case .vaultSecret(let secret):
                try device.create(vault, joining: secret).close()
            case .invite(let vaultID, let token):
                guard let address else {
                    throw CLIError.usage("An invite code is spent at the relay it was made at: give it with --relay HOST:PORT.")
                }
                // Everything that can be refused here is, before the code is spent at the relay;
                // and the vault file is made only once the relay gave the secret, so a spent or
                // mistyped code leaves nothing behind.
                if FileManager.default.fileExists(atPath: vault.path) { throw StoreError.alreadyExists(path: vault.path) }
                _ = try Device(name: device.deviceName)
                let passphrase = try vault.passphraseForNewVault()
                let secret = try await SyncClient().redeem(vault: vaultID, token: token, at: address)
                let created = try device.create(vault, joining: secret, of: vaultID, passphrase: passphrase)
                defer { try? created.close() }
                let report = try await SyncClient().sync(created, relay: address)
                if !device.json { print("Synced with \(address): received \(plural(report.appliedChanges, "change")).") }
            case .recovery(let vaultID, let secret):
                // A recovery code (shown after a revocation) holds the newest key epoch's
                // secret: the first sync places it and walks back to every older epoch.
                let created = try device.create(vault, joining: secret, of: vaultID)
                defer { try? created.close() }
                guard let address else {
                    if !device.json { print("Run flare sync --relay HOST:PORT to bring the journal over; it also checks the code at the relay.") }
                    return
                }
                let report = try await SyncClient().sync(created, relay: address)
                if !device.json { print("Synced with \(address): received \(plural(report.appliedChanges, "change")).") }
            }
        }
    }
}

/// What `init` and `join` share: the new device's name, and how to report the new vault.
struct NewDeviceOptions: ParsableArguments {
    @Option(help: "A name for this device, shown in history (e.g. phone, laptop).")
    var deviceName: String = "this device"

    @Flag(help: "Print the vault id, device (and, for init, the pairing code) as JSON.")
    var json = false

    /// Creates the vault (joining `secret`'s vault if given), names the device and reports it;
    /// the pairing code is shown only for a new vault. Returns the vault, open.
    @discardableResult
    func create(_ options: VaultOptions, joining secret: VaultSecret?, of vaultID: VaultID? = nil, passphrase: String? = nil) throws -> Vault {
        let device = try Device(name: deviceName)
        try options.makeFolder()
        let vault = try Vault.create(at: options.path, passphrase: passphrase ?? options.passphraseForNewVault(), joining: secret, of: vaultID)
        do {
            try Journal(vault: vault).nameThisDevice(device)
            try report(vault, device: device, showCode: secret == nil)
        } catch {
            try? vault.close()
            throw error
        }
        return vault
    }

    private func report(_ vault: Vault, device: Device, showCode: Bool) throws {
        if json {
            var object: [String: Any] = [
                "vault": vault.vaultID.hex, "device": vault.replicaID.description, "device_name": device.name, "path": vault.path,
            ]
            if showCode { object["pairing_code"] = vault.pairingCode }
            try printJSON(object)
            return
        }
        print("Created the vault at \(vault.path) for \(device.name).")
        print("Vault \(vault.vaultID.hex)")
        if showCode {
            print("Pairing code (shown once; write it down, keep it private):")
            print("  \(vault.pairingCode)")
        }
    }
}
