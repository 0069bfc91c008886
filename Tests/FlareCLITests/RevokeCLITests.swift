import Foundation
import Testing
import TestSupport

/// A lost phone, on the built binaries with a real relay process (issue 14): three devices;
/// the phone is revoked while it is offline; it comes back and tries everything; the other
/// two keep syncing and converge; a fourth device joins with a fresh invite code, and another
/// with the new recovery code.
@Suite struct RevokeCLITests {
    static func sync(_ vault: String, _ extra: [String] = []) throws -> (status: Int32, output: String, errors: String) {
        let run = try CLITests.flare(["sync"] + extra, vault: vault)
        return (run.status, run.output, run.errors)
    }

    @Test func aLostPhoneIsRevokedAndTheOthersCarryOn() throws {
        let relay = try OpenRelay()
        let (folder, address) = (relay.folder, relay.address)
        let phone = folder.path("phone.flare")
        let laptop = folder.path("laptop.flare")
        let tablet = folder.path("tablet.flare")
        let pairingCode = try relay.initVault(phone, ["--device-name", "phone"])
        for (path, name) in [(laptop, "laptop"), (tablet, "tablet")] {
            #expect(try CLITests.flare(["join", pairingCode, "--device-name", name], vault: path).status == 0)
        }
        for (path, name) in [(phone, "phone"), (laptop, "laptop"), (tablet, "tablet")] {
            #expect(try CLITests.flare(["log", "--pain", "5", "--note", "before, on the \(name)"], vault: path).status == 0)
            #expect(try Self.sync(path, ["--relay", address]).status == 0)
        }
        #expect(try Self.sync(laptop).status == 0)
        #expect(try Self.sync(phone).status == 0)

        // The phone is lost. Without a terminal, revoking asks for --yes.
        let unconfirmed = try CLITests.flare(["devices", "revoke", "phone"], vault: laptop)
        #expect(unconfirmed.status == 64 && unconfirmed.errors.contains("--yes"), "\(unconfirmed.errors)")
        let itself = try CLITests.flare(["devices", "revoke", "laptop", "--yes"], vault: laptop)
        #expect(itself.status == 64 && itself.errors.contains("revoke it from another device"), "\(itself.errors)")
        let typo = try CLITests.flare(["devices", "revoke", "phnoe", "--yes"], vault: laptop)
        #expect(typo.status == 66 && typo.errors.contains("did you mean phone?"), "\(typo.errors)")
        let revoked = try CLITests.flare(["devices", "revoke", "phone", "--yes", "--json"], vault: laptop)
        let outcome = try #require(revoked.json as? [String: Any], "\(revoked.errors)")
        #expect(outcome["key_epoch"] as? Int == 1)
        #expect(Set(outcome["kept"] as? [String] ?? []) == ["laptop", "tablet"])
        let recoveryCode = try #require(outcome["recovery_code"] as? String)
        #expect(recoveryCode != pairingCode)
        let again = try CLITests.flare(["devices", "revoke", "phone", "--yes"], vault: laptop)
        #expect(again.status == 0 && again.output.contains("was revoked already"), "\(again.output)")
        let listed = try #require(try CLITests.flare(["devices", "--json"], vault: laptop).json as? [[String: Any]])
        #expect(listed.first { $0["name"] as? String == "phone" }?["revoked"] as? Bool == true, "\(listed)")
        #expect(try CLITests.flare(["devices"], vault: laptop).output.contains("revoked (key epoch 1)"))

        #expect(try CLITests.flare(["log", "--pain", "7", "--note", "after the phone was lost"], vault: laptop).status == 0)
        #expect(try Self.sync(laptop).status == 0)

        // The phone comes back and tries to sync: refused, with a clear sentence; it keeps what it had.
        #expect(try CLITests.flare(["log", "--pain", "2", "--note", "written on the lost phone"], vault: phone).status == 0)
        let refused = try Self.sync(phone)
        #expect(refused.status == 77 && refused.errors.contains("This device was revoked from the vault"), "\(refused.errors)")
        #expect(try CLITests.flare(["list"], vault: phone).output.contains("before, on the laptop"))
        #expect(!(try CLITests.flare(["list"], vault: phone).output.contains("after the phone was lost")))
        // It cannot come back in with the old pairing code either.
        let rejoined = folder.path("phone-again.flare")
        #expect(try CLITests.flare(["join", pairingCode, "--device-name", "phone again"], vault: rejoined).status == 0)
        let stale = try Self.sync(rejoined, ["--relay", address])
        #expect(stale.status == 77 && stale.errors.contains("moved to key epoch 1 since that code was made"), "\(stale.errors)")

        // The tablet, offline during the revocation, picks up the new keys at its next sync.
        let caughtUp = try Self.sync(tablet)
        #expect(caughtUp.status == 0 && caughtUp.output.contains("revoked 1 device"), "\(caughtUp.output)")
        #expect(try CLITests.flare(["log", "--pain", "4", "--note", "the tablet after"], vault: tablet).status == 0)
        #expect(try Self.sync(tablet).status == 0)
        #expect(try Self.sync(laptop).status == 0)
        let onLaptop = try CLITests.flare(["list", "--json"], vault: laptop).output
        let onTablet = try CLITests.flare(["list", "--json"], vault: tablet).output
        #expect(onLaptop == onTablet && onTablet.contains("the tablet after") && !onTablet.contains("written on the lost phone"))

        // A fourth device joins with a fresh invite code; another restores from the recovery code.
        let made = try CLITests.flare(["invite", "--json"], vault: tablet)
        let invite = try #require((made.json as? [String: Any])?["invite_code"] as? String, "\(made.errors)")
        let desktop = folder.path("desktop.flare")
        let joined = try CLITests.flare(["join", invite, "--device-name", "desktop", "--relay", address], vault: desktop)
        #expect(joined.status == 0, "\(joined.errors)")
        let restored = folder.path("restored.flare")
        let recovered = try CLITests.flare(["join", recoveryCode, "--device-name", "restored", "--relay", address], vault: restored)
        #expect(recovered.status == 0, "\(recovered.errors)")
        for path in [desktop, restored] {
            let text = try CLITests.flare(["list"], vault: path).output
            #expect(text.contains("before, on the phone") && text.contains("the tablet after"), "\(text)")
        }
        // The old phone's code admitted no one meanwhile: only the four devices are admitted.
        let devices = try #require(try CLITests.flare(["devices", "--json"], vault: desktop).json as? [[String: Any]])
        #expect(devices.filter { $0["revoked"] as? Bool == false }.count == 4, "\(devices)")
    }
}
