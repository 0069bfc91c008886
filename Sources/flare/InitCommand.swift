import ArgumentParser
import FlareCrypto
import FlareJournal
import FlareStore
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
        try reporting { try device.create(vault, joining: nil) }
    }
}

struct Join: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create this device's vault from another device's pairing code.",
        discussion: "The device starts empty; the first flare sync (with --relay) brings the journal over."
    )

    @Argument(help: "The pairing code `flare init` showed (case and hyphens do not matter).")
    var code: String

    @OptionGroup var vault: VaultOptions
    @OptionGroup var device: NewDeviceOptions

    func run() throws {
        try reporting {
            let secret: VaultSecret
            do {
                secret = try VaultSecret(pairingCode: code)
            } catch {
                throw CLIError.usage("That pairing code is not right (\(error)); check it against the one `flare init` showed.")
            }
            try device.create(vault, joining: secret)
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
    /// the pairing code is shown only for a new vault.
    func create(_ options: VaultOptions, joining secret: VaultSecret?) throws {
        let device = try Device(name: deviceName)
        try options.makeFolder()
        let vault = try Vault.create(at: options.path, passphrase: options.passphraseForNewVault(), joining: secret)
        defer { try? vault.close() }
        try Journal(vault: vault).nameThisDevice(device)
        let showCode = secret == nil
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
