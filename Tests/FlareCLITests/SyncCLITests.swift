import Foundation
import Testing
import TestSupport

/// Three real `flare` vaults syncing through a real `flare-relay` process on loopback: offline
/// edits, partial syncs in different orders, concurrent edits, the relay killed mid-sync and
/// restarted, and its data wiped.
@Suite struct SyncCLITests {
    static func flare(_ arguments: [String], vault: String) throws -> CLITests.Result {
        try CLITests.flare(arguments, vault: vault)
    }

    /// `count` symptom records for `flare import`.
    static func records(_ count: Int, prefix: String) -> String {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        let records = (0..<count).map { index -> String in
            var id = "s-\(prefix)"
            var rest = index
            for _ in 0..<(8 - prefix.count) {
                id.append(alphabet[rest % 32])
                rest /= 32
            }
            return #"{"type": "symptom", "id": "\#(id)", "at": "2026-10-\#(String(format: "%02d", 1 + index % 28))T08:00:00+01:00", "#
                + #""pain": \#(index % 11), "regions": ["neck", "hips"], "note": "stiff after rest, eased with a walk \#(index)"}"#
        }
        return #"{"records": ["# + records.joined(separator: ",\n") + "]}"
    }

    @Test func threeVaultsConvergeThroughAKilledAndAWipedRelay() throws {
        try #require(FileManager.default.isExecutableFile(atPath: RelayProcess.binary.path), "build flare-relay first (Tools/test does)")
        let folder = try TemporaryFolder()
        let data = folder.path("relay")
        // Small frames, so a big pull takes many round trips and can be cut in the middle.
        let frames = ["--max-frame", "65536"]
        var relay = try RelayProcess.restartable(data: data, arguments: frames)
        let port = relay.port
        let address = "127.0.0.1:\(port)"
        let phone = folder.path("phone.flare")
        let laptop = folder.path("laptop.flare")
        let tablet = folder.path("tablet.flare")

        let created = try Self.flare(["init", "--device-name", "phone", "--json"], vault: phone)
        let code = try #require((created.json as? [String: Any])?["pairing_code"] as? String)
        #expect(try Self.flare(["join", code, "--device-name", "laptop"], vault: laptop).status == 0)
        #expect(try Self.flare(["join", code, "--device-name", "tablet"], vault: tablet).status == 0)

        // An invite-only relay refuses the vault until its owner's token is given once.
        let refused = try Self.flare(["sync", "--relay", address], vault: phone)
        #expect(refused.status == 77)
        #expect(refused.errors.contains("Ask its owner for an invite"))
        let token = try RelayProcess.run(["invite", "--data", data]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let joined = try Self.flare(["sync", "--relay", address, "--invite", token], vault: phone)
        #expect(joined.status == 0, "\(joined.errors)")
        #expect(joined.output.hasPrefix("Joined the vault at \(address)."))

        // Offline edits on all three.
        for (vault, pain) in [(phone, "6"), (laptop, "3"), (tablet, "5")] {
            #expect(try Self.flare(["log", "--pain", pain, "--region", "neck", "--note", "logged offline"], vault: vault).status == 0)
        }
        let shared = try Self.flare(["log", "--pain", "4", "--region", "lower back", "--json"], vault: phone)
        let sharedID = try #require((shared.json as? [String: Any])?["id"] as? String)
        let doomed = try Self.flare(["log", "--pain", "2", "--json"], vault: phone)
        let doomedID = try #require((doomed.json as? [String: Any])?["id"] as? String)
        #expect(try Self.flare(["sync"], vault: phone).status == 0)
        #expect(try Self.flare(["sync", "--relay", address], vault: laptop).status == 0)
        // Concurrent edits of the same entry on phone and laptop, while the tablet has not synced.
        #expect(try Self.flare(["edit", sharedID, "--pain", "7"], vault: phone).status == 0)
        #expect(try Self.flare(["edit", sharedID, "--pain", "5", "--note", "better after a walk"], vault: laptop).status == 0)
        #expect(try Self.flare(["checkin", "--sleep-hours", "6.5"], vault: tablet).status == 0)
        // Deleted on the laptop while the phone edits it: the sync that brings the delete says it was kept.
        #expect(try Self.flare(["delete", doomedID], vault: laptop).status == 0)
        #expect(try Self.flare(["edit", doomedID, "--pain", "3"], vault: phone).status == 0)
        let status = try Self.flare(["status", "--json"], vault: laptop)
        #expect((status.json as? [String: Any])?["unsent_own_changes"] as? Int == 2)
        for (vault, relayOption) in [(tablet, ["--relay", address]), (laptop, []), (phone, []), (tablet, [])] {
            let synced = try Self.flare(["sync"] + relayOption, vault: vault)
            #expect(synced.status == 0, "\(synced.errors)")
            if vault == phone {
                #expect(synced.output.contains("Kept \(doomedID) (symptom): it was deleted on laptop while phone edited it"), "\(synced.output)")
            }
        }

        // A big import on the phone, then the relay is killed while the laptop pulls it.
        try Self.records(3000, prefix: "p").write(toFile: folder.path("big.json"), atomically: true, encoding: .utf8)
        #expect(try Self.flare(["import", folder.path("big.json")], vault: phone).status == 0)
        #expect(try Self.flare(["sync"], vault: phone).status == 0)
        let cut = try Self.syncKillingTheRelay(vault: laptop, relay: relay)
        #expect(cut.status == 75, "\(cut.errors)")
        #expect(cut.errors.contains("The connection to the relay ended"))
        relay = try RelayProcess(data: data, port: port, arguments: frames)
        let resumed = try Self.flare(["sync", "--json"], vault: laptop)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let applied = (resumed.json as? [String: Any])?["applied_changes"] as? Int ?? 0
        #expect(applied > 0 && applied < 3000, "the resumed sync applied \(applied): the cut did not land mid-pull")

        // The relay's data is wiped; with a new invite the devices fill it again.
        relay.stop()
        try FileManager.default.removeItem(atPath: data)
        relay = try RelayProcess(data: data, port: port, arguments: frames)
        let newToken = try RelayProcess.run(["invite", "--data", data]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let refill = try Self.flare(["sync", "--invite", newToken], vault: laptop)
        #expect(refill.status == 0, "\(refill.errors)")
        #expect(refill.output.contains("The relay had lost this vault's data"))
        for vault in [tablet, phone, laptop, tablet] {
            let synced = try Self.flare(["sync"], vault: vault)
            #expect(synced.status == 0, "\(synced.errors)")
        }

        let exports = try [phone, laptop, tablet].map { try Self.flare(["export", "--format", "json"], vault: $0).output }
        #expect(exports[0] == exports[1] && exports[1] == exports[2])
        let records = try #require((try JSONSerialization.jsonObject(with: Data(exports[0].utf8)) as? [String: Any])?["records"] as? [Any])
        #expect(records.count >= 3000 + 4 + 1)
        let conflicts = try Self.flare(["conflicts"], vault: tablet)
        #expect(conflicts.output.contains("\(sharedID)  pain: shows"))
        relay.stop()
    }

    /// Runs `flare sync --progress` and SIGKILLs the relay once the first page has arrived.
    static func syncKillingTheRelay(vault: String, relay: RelayProcess) throws -> CLITests.Result {
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["sync", "--progress"]
        var environment = ProcessInfo.processInfo.environment
        environment["FLARE_VAULT"] = vault
        environment["FLARE_PASSPHRASE"] = "a passphrase for tests"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var text = ""
        while !text.contains("Receiving") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        relay.kill()
        text += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return CLITests.Result(status: process.terminationStatus, output: out, errors: text)
    }
}

/// `flare sync --watch` on the built binary.
@Suite struct WatchCLITests {
    @Test func aWatchingVaultReceivesAsOthersSyncAndLetsOtherCommandsIn() throws {
        let relay = try OpenRelay()
        let (folder, address) = (relay.folder, relay.address)
        let phone = folder.path("phone.flare")
        let laptop = folder.path("laptop.flare")
        let code = try relay.initVault(phone)
        #expect(try CLITests.flare(["join", code], vault: laptop).status == 0)
        #expect(try CLITests.flare(["sync", "--relay", address], vault: laptop).status == 0)

        let watch = Process()
        watch.executableURL = CLITests.binary
        watch.arguments = ["sync", "--watch", "--relay", address]
        var environment = ProcessInfo.processInfo.environment
        environment["FLARE_VAULT"] = phone
        environment["FLARE_PASSPHRASE"] = "a passphrase for tests"
        watch.environment = environment
        let output = Pipe()
        watch.standardOutput = output
        watch.standardError = FileHandle.nullDevice
        try watch.run()
        defer { if watch.isRunning { watch.terminate() } }
        var text = ""
        /// Reads the watch's output until `words` appear in what it printed after `start` characters.
        func waitFor(_ words: String, after start: Int = 0) {
            while !text.dropFirst(start).contains(words) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { return }
                text += String(decoding: chunk, as: UTF8.self)
            }
        }
        waitFor("Synced with")

        // The laptop logs and syncs; the watching phone receives it.
        var mark = text.count
        #expect(try CLITests.flare(["log", "--pain", "5", "--note", "sent while the phone watches"], vault: laptop).status == 0)
        #expect(try CLITests.flare(["sync"], vault: laptop).status == 0)
        waitFor("received 1 change, sent nothing", after: mark)
        #expect(text.dropFirst(mark).contains("received 1 change, sent nothing"))
        // Other commands open the phone's vault meanwhile; what they write is sent.
        mark = text.count
        #expect(try CLITests.flare(["log", "--pain", "3", "--note", "typed on the phone"], vault: phone).status == 0)
        waitFor("received nothing new, sent 1 change", after: mark)
        #expect(text.dropFirst(mark).contains("received nothing new, sent 1 change"))
        watch.interrupt()
        watch.waitUntilExit()
        let final = try CLITests.flare(["sync"], vault: laptop)
        #expect(final.output.contains("received 1 change"), "\(final.output) \(final.errors) after the watch printed: \(text)")
        let exports = try [phone, laptop].map { try CLITests.flare(["export", "--format", "json"], vault: $0).output }
        #expect(exports[0] == exports[1])
        relay.process.stop()
    }
}
