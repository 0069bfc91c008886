import Foundation
import Testing
import TestSupport

/// `flare devices` on the built binary: every device this one has heard of, with when it
/// joined and its latest change, and renaming any of them.
@Suite struct DevicesCLITests {
    @Test func devicesAreListedAndRenamed() throws {
        let folder = try TemporaryFolder()
        let (phone, laptop) = try MergeCLITests.pair(in: folder)
        let alone = try #require(try MergeCLITests.flare(["devices", "--json"], vault: laptop).json as? [[String: Any]])
        #expect(alone.count == 1, "the phone's changes have not arrived yet")
        #expect(alone.first?["name"] as? String == "laptop")
        #expect(alone.first?["this_device"] as? Bool == true)

        #expect(try MergeCLITests.flare(["log", "--pain", "3"], vault: phone).status == 0)
        _ = try MergeCLITests.send(phone, to: laptop, folder: folder)
        let both = try #require(try MergeCLITests.flare(["devices", "--json"], vault: laptop).json as? [[String: Any]])
        #expect(Set(both.compactMap { $0["name"] as? String }) == ["phone", "laptop"])
        let phoneRow = try #require(both.first { $0["name"] as? String == "phone" })
        #expect(phoneRow["changes"] as? Int == 2, "naming itself and one entry")
        #expect(phoneRow["this_device"] as? Bool == false)
        #expect(phoneRow["joined"] is String && phoneRow["last_change"] is String)
        let text = try MergeCLITests.flare(["devices"], vault: laptop).output
        #expect(text.contains("laptop  joined "), "\(text)")
        #expect(text.contains("(this device)"))

        let typo = try MergeCLITests.flare(["devices", "rename", "old phone", "--device", "phnoe"], vault: laptop)
        #expect(typo.status == 66)
        #expect(typo.errors == "flare: No device called phnoe (did you mean phone?); the devices are phone, laptop.\n")
        #expect(try MergeCLITests.flare(["devices", "rename", "old phone", "--device", "phone"], vault: laptop).output
            == "phone is now called old phone.\n")
        #expect(try MergeCLITests.flare(["devices", "rename", "work laptop"], vault: laptop).output == "laptop is now called work laptop.\n")
        #expect(try MergeCLITests.flare(["devices", "rename", " "], vault: laptop).status == 65)
        _ = try MergeCLITests.send(laptop, to: phone, folder: folder)
        let renamed = try #require(try MergeCLITests.flare(["devices", "--json"], vault: phone).json as? [[String: Any]])
        #expect(Set(renamed.compactMap { $0["name"] as? String }) == ["old phone", "work laptop"])
    }

    /// With a relay, `flare devices` adds the relay's word: each device's key and when it last
    /// connected, and keys whose changes have not arrived here yet. A relay that cannot be
    /// reached costs the last syncs, not the listing.
    @Test func theRelaySaysWhenEachDeviceLastConnected() throws {
        let relay = try OpenRelay()
        let (folder, address) = (relay.folder, relay.address)
        let phone = folder.path("phone.flare")
        let laptop = folder.path("laptop.flare")
        let code = try relay.initVault(phone, ["--device-name", "phone"])
        #expect(try CLITests.flare(["join", code, "--device-name", "laptop"], vault: laptop).status == 0)
        #expect(try CLITests.flare(["sync", "--relay", address], vault: phone).status == 0)
        #expect(try CLITests.flare(["sync", "--relay", address], vault: laptop).status == 0)

        // The phone has not heard from the laptop yet; the relay has.
        let listed = try CLITests.flare(["devices", "--json"], vault: phone)
        let rows = try #require(listed.json as? [[String: Any]], "\(listed.errors)")
        #expect(rows.count == 2, "\(rows)")
        #expect(rows.allSatisfy { ($0["device_key"] as? String)?.count == 64 && $0["last_sync"] is String }, "\(rows)")
        #expect(rows.first { $0["this_device"] as? Bool == true }?["name"] as? String == "phone")
        let unseen = try #require(rows.first { $0["this_device"] as? Bool == false })
        #expect(unseen["name"] == nil && unseen["changes"] as? Int == 0)
        let text = try CLITests.flare(["devices"], vault: phone).output
        #expect(text.contains("device not yet seen here") && text.contains("last connected to the relay"), "\(text)")

        #expect(try CLITests.flare(["sync"], vault: phone).status == 0)
        let synced = try #require(try CLITests.flare(["devices", "--json"], vault: phone).json as? [[String: Any]])
        #expect(Set(synced.compactMap { $0["name"] as? String }) == ["phone", "laptop"])

        relay.process.stop()
        let offline = try CLITests.flare(["devices"], vault: phone)
        #expect(offline.status == 0 && offline.output.contains("laptop") && !offline.output.contains("last connected"))
        #expect(offline.errors.contains("The relay did not answer, so last syncs are not shown"), "\(offline.errors)")
        let quiet = try CLITests.flare(["devices", "--offline"], vault: phone)
        #expect(quiet.status == 0 && quiet.errors.isEmpty)
    }

    /// `flare invite` makes a one-time code; `flare join CODE --relay` spends it, makes the
    /// vault and syncs. A spent code, or one without --relay, is refused before any file is made.
    @Test func anInviteCodeAdmitsOneNewDeviceOnce() throws {
        let relay = try OpenRelay()
        let (folder, address) = (relay.folder, relay.address)
        let phone = folder.path("phone.flare")
        #expect(try CLITests.flare(["init", "--device-name", "phone"], vault: phone).status == 0)
        #expect(try CLITests.flare(["log", "--pain", "6", "--note", "before the invite"], vault: phone).status == 0)
        #expect(try CLITests.flare(["sync", "--relay", address], vault: phone).status == 0)
        let made = try CLITests.flare(["invite", "--for", "5m", "--json"], vault: phone)
        let invite = try #require((made.json as? [String: Any])?["invite_code"] as? String, "\(made.errors)")
        #expect((made.json as? [String: Any])?["relay"] as? String == address)

        let laptop = folder.path("laptop.flare")
        let withoutRelay = try CLITests.flare(["join", invite], vault: laptop)
        #expect(withoutRelay.status == 64 && withoutRelay.errors.contains("--relay HOST:PORT"))
        let joined = try CLITests.flare(["join", invite, "--device-name", "laptop", "--relay", address], vault: laptop)
        #expect(joined.status == 0, "\(joined.errors)")
        #expect(joined.output.contains("Synced with \(address): received 2 changes."), "\(joined.output)")
        #expect(try CLITests.flare(["list"], vault: laptop).output.contains("before the invite"))
        #expect(try CLITests.flare(["devices", "--offline"], vault: laptop).output.contains("phone"))

        let tablet = folder.path("tablet.flare")
        let spent = try CLITests.flare(["join", invite, "--relay", address], vault: tablet)
        #expect(spent.status == 77 && spent.errors.contains("it was used already"), "\(spent.errors)")
        #expect(!FileManager.default.fileExists(atPath: tablet))
        #expect(try CLITests.flare(["invite", "--for", "8d"], vault: phone).status == 64)
        // The long-lived pairing code still works as before.
        let code = try #require(try CLITests.flare(["init", "--json"], vault: folder.path("other.flare")).json as? [String: Any])["pairing_code"] as? String
        #expect(try CLITests.flare(["join", #require(code)], vault: folder.path("other-2.flare")).status == 0)
    }
}
