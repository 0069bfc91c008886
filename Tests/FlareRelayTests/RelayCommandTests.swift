import FlareCrypto
import FlareWire
import Foundation
import Testing
import TestSupport

/// The built `flare-relay` binary: invites, serving on loopback, stopping on SIGTERM.
@Suite struct RelayCommandTests {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/flare-relay")

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func serveInviteAndStopOnSIGTERM() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build flare-relay first (Tools/test does)")
        let folder = try TemporaryFolder()
        let data = folder.path("relay")
        let invite = try Self.run(["invite", "--data", data])
        #expect(invite.status == 0)
        let token = invite.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 24)

        let relay = Process()
        relay.executableURL = Self.binary
        relay.arguments = ["serve", "--listen", "127.0.0.1:0", "--data", data]
        let log = Pipe()
        relay.standardOutput = log
        relay.standardError = log
        try relay.run()
        // The first log line names the address it listens on.
        var text = ""
        while !text.contains("listening") {
            let chunk = log.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let port = try #require(text.split(separator: " ").first { $0.hasPrefix("address=") }.flatMap { Int($0.split(separator: ":").last!) })

        // A device joins with the invite and is welcomed.
        let device = RelaySessionTests.Device(VaultSecret.random())
        let client = try WireClient(port: port)
        let nonce = Random.bytes(32)
        client.send(.hello(lowestVersion: 1, highestVersion: 1, vault: device.vault, deviceKey: device.deviceKey.publicKey, nonce: nonce))
        guard case .challenge(let version, let relayNonce, let session, _, _)? = try client.receive() else {
            Issue.record("no challenge")
            relay.terminate()
            return
        }
        let transcript = Transcript.auth(
            vault: device.vault, deviceKey: device.deviceKey.publicKey, deviceNonce: nonce, relayNonce: relayNonce, session: session, version: version)
        let admission = device.keys.authKey.signature(for: Transcript.admission(vault: device.vault, deviceKey: device.deviceKey.publicKey))
        client.send(.join(vaultAuthKey: device.keys.authKey.publicKey, admission: admission, invite: token, signature: device.deviceKey.signature(for: transcript)))
        guard case .welcome? = try client.receive() else {
            Issue.record("not welcomed")
            relay.terminate()
            return
        }

        relay.terminate()  // SIGTERM
        relay.waitUntilExit()
        #expect(relay.terminationReason == .exit && relay.terminationStatus == 0)
        let listed = try Self.run(["vault", "list", "--data", data])
        #expect(listed.output.hasPrefix("\(device.vault)  0 envelopes"))
        let removed = try Self.run(["vault", "remove", device.vault.description, "--data", data])
        #expect(removed.status == 0)
        #expect(try Self.run(["vault", "list", "--data", data]).output == "No vaults.\n")
    }
}
