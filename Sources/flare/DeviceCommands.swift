import ArgumentParser
import FlareBytes
import FlareCRDT
import FlareJournal
import FlareStore
import FlareSync
import FlareWire
import Foundation

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The devices of this vault: their names, when each joined, its latest change seen here and its last sync.",
        discussion: """
            A device appears once one of its changes has arrived here (by syncing or an \
            imported changes file); the join and change times are those of its changes. The \
            last sync is the relay's word, asked for when this vault syncs with a relay (skip \
            that with --offline); the relay also names device keys whose changes have not \
            arrived here yet.
            """,
        subcommands: [ListDevices.self, Rename.self, Revoke.self],
        defaultSubcommand: ListDevices.self)

    struct ListDevices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the devices.")

        @OptionGroup var vault: VaultOptions
        @Flag(help: "Print a JSON array of devices.") var json = false
        @Flag(help: "Do not ask the relay when each device last synced.") var offline = false

        func run() async throws {
            try await reporting {
                try await vault.withVault { opened in
                    let devices = Journal(vault: opened).devices()
                    let relay = offline ? nil : await RelayView.ask(opened)
                    let listed = DeviceListing(devices: devices, relay: relay?.devices)
                    if json { return try printJSON(listed.rows.map(\.jsonObject)) }
                    if let problem = relay?.problem {
                        warn(relay?.refused == true
                            ? "The relay refused to list the devices, so last syncs are not shown. \(problem)"
                            : "The relay did not answer, so last syncs are not shown: \(problem)")
                    }
                    let width = listed.rows.map(\.label.count).max() ?? 0
                    for row in listed.rows { print(row.line(width: width)) }
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
                        target = try DeviceChoice.one(device, among: devices, name: \.name, id: \.replica.description, label: \.label)
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

extension Devices {
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a lost or stolen device: the relay refuses it, and the vault moves to new keys it does not get.",
            discussion: """
                Run it on any other device of the vault. The relay drops the device's key at once                 (its next connection is refused, and no old pairing, invite or recovery code                 admits anyone any more); the vault moves to a new key epoch, sealed to each                 remaining device and delivered by the relay, so nothing written from now on is                 readable to the revoked device. It keeps what it already had: nothing can take                 that back. The new recovery code is shown once. On a terminal it asks first,                 unless --yes. Example: flare devices revoke phone
                """)

        @OptionGroup var vault: VaultOptions
        @Argument(help: "The device: its name or id (as flare devices lists them), or the start of its device key.") var device: String
        @Flag(name: .shortAndLong, help: "Revoke without asking.") var yes = false
        @Flag(help: "Print the outcome (and the new recovery code) as JSON.") var json = false

        func run() async throws {
            try await reporting {
                try await vault.withVault { opened in
                    let journal = Journal(vault: opened)
                    guard try SyncState.load(from: opened) != nil else {
                        throw CLIError.usage("A device is revoked at the relay the vault syncs with, and this vault syncs with none yet; sync with it first (flare sync --relay HOST:PORT).")
                    }
                    let listing = DeviceListing(devices: journal.devices(), relay: try await SyncClient().devices(opened))
                    let row = try Self.target(device, in: listing)
                    guard let admitted = row.admitted else {
                        throw CLIError.notFound("\(row.label) has never connected to the relay, so it holds no key there to revoke.")
                    }
                    if row.known?.isThisDevice == true || admitted.key == opened.deviceKey.publicKey {
                        throw CLIError.usage("This is the device you are on; revoke it from another device of the vault.")
                    }
                    if let epoch = admitted.revokedIn {
                        print("\(row.label) was revoked already (key epoch \(epoch)).")
                        return
                    }
                    if !yes {
                        guard isatty(STDIN_FILENO) == 1 else {
                            throw CLIError.usage("This revokes \(row.label) for good. Run again with --yes to go ahead.")
                        }
                        FileHandle.standardError.write(Data(
                            "Revoke \(row.label) (\(row.id))? It will not sync again, and reads nothing written from now on. y/N: ".utf8))
                        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased(), ["y", "yes"].contains(answer) else {
                            print("Kept \(row.label).")
                            return
                        }
                    }
                    let revocation = try await SyncClient().revoke([admitted.key], in: opened)
                    // A device admitted while the revocation was under way is not in the listing: named by its key.
                    let kept = revocation.kept.map { key in
                        listing.rows.first { $0.admitted?.key == key }?.label ?? "device key " + Hex.encode(key.prefix(8))
                    }
                    if json {
                        return try printJSON([
                            "revoked": revocation.revoked.map { Hex.encode($0) }, "key_epoch": revocation.epoch, "kept": kept,
                            "recovery_code": revocation.recoveryCode,
                        ] as [String: Any])
                    }
                    if revocation.revoked.isEmpty {
                        print("Another device revoked \(row.label) a moment ago; the vault is at key epoch \(revocation.epoch).")
                    } else {
                        print("Revoked \(row.label). The relay refuses it from now on, and the vault moved to key epoch \(revocation.epoch).")
                    }
                    let others = kept.count - 1
                    let named = zip(revocation.kept, kept).map { $0 == opened.deviceKey.publicKey ? $1 + " (this device)" : $1 }
                    print("Kept by \(plural(kept.count, "device")): \(named.joined(separator: ", "))."
                        + (others > 0 ? " The \(others == 1 ? "other picks" : "others pick") up the new keys at \(others == 1 ? "its" : "their") next sync, with nothing to do." : ""))
                    print("New recovery code (shown once; write it down, keep it private; the old pairing code no longer admits anyone):")
                    print("  \(revocation.recoveryCode)")
                }
            }
        }

        /// The row `text` names: a device's name or id, or the start (8+ hex digits) of a key.
        static func target(_ text: String, in listing: DeviceListing) throws -> DeviceListing.Row {
            let wanted = text.lowercased()
            return try DeviceChoice.one(text, among: listing.rows, name: \.known?.name, id: \.id, label: \.label) { row in
                wanted.count >= 8 && (row.admitted.map { Hex.encode($0.key).hasPrefix(wanted) } ?? false)
            }
        }
    }
}

/// Which device a person named on the command line.
enum DeviceChoice {
    /// The one candidate whose name or id is `text` (any case), else the one `fallback`
    /// accepts; refused, naming the devices (and the nearest name), when none or several are.
    static func one<Candidate>(
        _ text: String, among candidates: [Candidate], name: (Candidate) -> String?, id: (Candidate) -> String, label: (Candidate) -> String,
        fallback: ((Candidate) -> Bool)? = nil
    ) throws -> Candidate {
        let wanted = text.lowercased()
        var matching = candidates.filter { name($0)?.lowercased() == wanted || id($0) == wanted }
        if matching.isEmpty, let fallback { matching = candidates.filter(fallback) }
        guard matching.count == 1 else {
            let known = candidates.map(label).joined(separator: ", ")
            if matching.isEmpty {
                let hint = Spelling.nearest(to: text, among: candidates.compactMap(name)).map { " (did you mean \($0)?)" } ?? ""
                throw CLIError.notFound("No device called \(text)\(hint); the devices are \(known).")
            }
            throw CLIError.usage("\(matching.count) devices are called \(text); give one of their ids: \(matching.map(id).joined(separator: ", ")).")
        }
        return matching[0]
    }
}

extension KnownDevice {
    /// Its name, or "unnamed device" for one whose name record has not arrived.
    var label: String { name ?? "unnamed device" }
}

/// What the relay said about the vault's devices, or why it could not be asked.
struct RelayView {
    var devices: [AdmittedDevice]?
    var problem: String?
    /// The relay answered, with a refusal (this device revoked, say).
    var refused = false

    /// Asks the relay this vault syncs with; nil when it syncs with none.
    static func ask(_ vault: Vault) async -> RelayView? {
        do {
            var client = SyncClient()
            client.timeout = .seconds(5)
            return RelayView(devices: try await client.devices(vault))
        } catch SyncError.noRelay {
            return nil
        } catch {
            return RelayView(problem: "\(error)", refused: { if case SyncError.refused = error { true } else { false } }())
        }
    }
}

/// The devices as this device knows them, joined with the relay's list by replica: each row a
/// device, with the relay's last sync where it has one, and rows for keys the relay admits
/// whose replica has sent nothing here yet.
struct DeviceListing {
    struct Row {
        var known: KnownDevice?
        var admitted: AdmittedDevice?

        var label: String { known?.label ?? "device not yet seen here" }
        var id: String { known?.replica.description ?? admitted?.replica?.description ?? "key " + Hex.encode(admitted?.key.prefix(8) ?? []) }

        func line(width: Int) -> String {
            var parts: [String] = []
            if let known {
                parts.append(known.joined.map { "joined \(FieldText.time($0))" } ?? "not joined yet")
                parts.append(known.lastChange.map { "latest change \(FieldText.time($0))" } ?? "no change seen")
                parts.append(plural(Int(clamping: known.changes), "change"))
            } else if let joined = admitted?.joined, joined > 0 {
                parts.append("admitted by the relay \(Self.time(joined))")
            }
            if let admitted {
                parts.append(admitted.lastSeen > 0 ? "last connected to the relay \(Self.time(admitted.lastSeen))" : "not connected to the relay since it kept such times")
                if let epoch = admitted.revokedIn { parts.append(Style.red("revoked (key epoch \(epoch))")) }
            }
            let marker = known?.isThisDevice == true ? "  (this device)" : ""
            return "\(label.padding(toLength: width, withPad: " ", startingAt: 0))  \(parts.joined(separator: ", "))  \(Style.dim(id))\(marker)"
        }

        var jsonObject: [String: Any] {
            var object: [String: Any] = ["id": id, "this_device": known?.isThisDevice ?? false]
            object["name"] = known?.name
            object["changes"] = known?.changes ?? 0
            object["joined"] = known?.joined.map { ISO8601DateFormatter().string(from: $0.date) }
            object["last_change"] = known?.lastChange.map { ISO8601DateFormatter().string(from: $0.date) }
            if let admitted {
                object["device_key"] = Hex.encode(admitted.key)
                object["last_sync"] = admitted.lastSeen > 0 ? ISO8601DateFormatter().string(from: Self.date(admitted.lastSeen)) : nil
                object["revoked"] = admitted.revokedIn != nil
                object["revoked_in_key_epoch"] = admitted.revokedIn
            }
            return object
        }

        static func date(_ seconds: UInt64) -> Date { Date(timeIntervalSince1970: TimeInterval(min(seconds, 1 << 40))) }

        static func time(_ seconds: UInt64) -> String { FieldText.time(Moment(date(seconds))) }
    }

    let rows: [Row]

    init(devices: [KnownDevice], relay: [AdmittedDevice]?) {
        let admitted = relay ?? []
        var rows = devices.map { device in
            Row(known: device, admitted: admitted.first { $0.replica?.bytes == device.replica.bytes })
        }
        let shown = Set(devices.map(\.replica.bytes))
        rows += admitted.filter { $0.replica.map { !shown.contains($0.bytes) } ?? true }.map { Row(known: nil, admitted: $0) }
        self.rows = rows
    }
}
