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
}
