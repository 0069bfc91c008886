import ArgumentParser
import FlareCRDT
import FlareJournal
import Foundation

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The devices of this vault: their names, when each joined, and its latest change seen here.",
        discussion: """
            What this device knows: a device appears once one of its changes has arrived here \
            (by syncing or an imported changes file), and the times are those of its changes.
            """,
        subcommands: [ListDevices.self, Rename.self],
        defaultSubcommand: ListDevices.self)

    struct ListDevices: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the devices.")

        @OptionGroup var vault: VaultOptions
        @Flag(help: "Print a JSON array of devices.") var json = false

        func run() throws {
            try reporting {
                try vault.withVault { opened in
                    let devices = Journal(vault: opened).devices()
                    if json { return try printJSON(devices.map(\.jsonObject)) }
                    let width = devices.map(\.label.count).max() ?? 0
                    for device in devices {
                        let joined = device.joined.map { "joined \(FieldText.time($0))" } ?? "not joined yet"
                        let last = device.lastChange.map { "latest change \(FieldText.time($0))" } ?? "no change seen"
                        let marker = device.isThisDevice ? "  (this device)" : ""
                        print("\(device.label.padding(toLength: width, withPad: " ", startingAt: 0))  \(joined), \(last), "
                            + "\(plural(Int(clamping: device.changes), "change"))  \(Style.dim(device.replica.description))\(marker)")
                    }
                }
            }
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename this device (or another, with --device); every device learns the name by syncing.",
            discussion: "Example: flare devices rename \"old phone\" --device phone")

        @OptionGroup var vault: VaultOptions
        @Argument(help: "The new name.") var name: String
        @Option(help: "The device to rename, by its name or id (default: this one).") var device: String?

        func run() throws {
            try reporting {
                let named = try Device(name: name)
                try vault.withVault { opened in
                    let journal = Journal(vault: opened)
                    let devices = journal.devices()
                    let target: KnownDevice
                    if let device {
                        let matching = devices.filter { $0.replica.description == device.lowercased() || $0.name?.lowercased() == device.lowercased() }
                        guard matching.count == 1 else {
                            let known = devices.map(\.label).joined(separator: ", ")
                            if matching.isEmpty {
                                let hint = Spelling.nearest(to: device, among: devices.compactMap(\.name)).map { " (did you mean \($0)?)" } ?? ""
                                throw CLIError.notFound("No device called \(device)\(hint); the devices are \(known).")
                            }
                            throw CLIError.usage("\(matching.count) devices are called \(device); give one of their ids: \(matching.map(\.replica.description).joined(separator: ", ")).")
                        }
                        target = matching[0]
                    } else {
                        guard let this = devices.first(where: \.isThisDevice) else { throw CLIError.notFound("This device is not among the vault's devices.") }
                        target = this
                    }
                    try journal.rename(target.replica, to: named)
                    print("\(target.label) is now called \(named.name).")
                }
            }
        }
    }
}

extension KnownDevice {
    /// Its name, or "unnamed device" for one whose name record has not arrived.
    var label: String { name ?? "unnamed device" }

    var jsonObject: [String: Any] {
        var object: [String: Any] = ["id": replica.description, "changes": changes, "this_device": isThisDevice]
        object["name"] = name
        object["joined"] = joined.map { ISO8601DateFormatter().string(from: $0.date) }
        object["last_change"] = lastChange.map { ISO8601DateFormatter().string(from: $0.date) }
        return object
    }
}
