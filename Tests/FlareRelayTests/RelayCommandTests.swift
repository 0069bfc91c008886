import FlareCrypto
import FlareWire
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The built `flare-relay` binary: invites, serving on loopback, stopping on SIGTERM.
@Suite struct RelayCommandTests {
    @Test func serveInviteAndStopOnSIGTERM() throws {
        try #require(FileManager.default.isExecutableFile(atPath: RelayProcess.binary.path), "build flare-relay first (Tools/test does)")
        let folder = try TemporaryFolder()
        let data = folder.path("relay")
        let invite = try RelayProcess.run(["invite", "--data", data])
        #expect(invite.status == 0)
        let token = invite.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 24)

        let relay = try RelayProcess(data: data)
        let port = relay.port

        // A device joins with the invite and is welcomed.
        let device = RelaySessionTests.Device(VaultSecret.random())
        let client = try WireClient(port: port)
        let nonce = Random.bytes(32)
        client.send(.hello(lowestVersion: 3, highestVersion: 3, vault: device.vault, deviceKey: device.deviceKey.publicKey, nonce: nonce, replica: device.replica))
        guard case .challenge(let version, let relayNonce, let session, _, _)? = try client.receive() else {
            Issue.record("no challenge")
            return
        }
        let transcript = Transcript.auth(
            vault: device.vault, deviceKey: device.deviceKey.publicKey, replica: device.replica, deviceNonce: nonce, relayNonce: relayNonce, session: session, version: version)
        let admission = device.keys.authKey.signature(for: Transcript.admission(vault: device.vault, deviceKey: device.deviceKey.publicKey, replica: device.replica))
        client.send(.join(vaultAuthKey: device.keys.authKey.publicKey, admission: admission, invite: token, signature: device.deviceKey.signature(for: transcript)))
        guard case .welcome? = try client.receive() else {
            Issue.record("not welcomed")
            return
        }

        relay.stop()  // SIGTERM
        #expect(relay.process.terminationReason == .exit && relay.process.terminationStatus == 0)
        let listed = try RelayProcess.run(["vault", "list", "--data", data])
        #expect(listed.output.hasPrefix("\(device.vault)  0 envelopes"))
        let removed = try RelayProcess.run(["vault", "remove", device.vault.description, "--data", data])
        #expect(removed.status == 0)
        #expect(try RelayProcess.run(["vault", "list", "--data", data]).output == "No vaults.\n")
    }
}

/// `flare-relay serve --config` and its metrics endpoint, on the built binary.
@Suite struct RelayConfigurationTests {
    /// A blocking HTTP/1.1 GET on loopback: the status line and the body.
    static func get(_ path: String, port: Int) throws -> (status: String, body: String) {
        let descriptor = try WireClient.connect(port: port)
        defer { close(descriptor) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            response += chunk.prefix(count)
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (parts[0].components(separatedBy: "\r\n")[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    @Test func aConfigFileAndTheMetricsEndpoint() throws {
        try #require(FileManager.default.isExecutableFile(atPath: RelayProcess.binary.path), "build flare-relay first (Tools/test does)")
        let folder = try TemporaryFolder()
        let config = folder.path("relay.json")
        try #"{"open": true, "metrics": "127.0.0.1:0", "max_connections": 3, "idle_seconds": 30}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let relay = try RelayProcess(data: folder.path("relay"), arguments: ["--config", config], withMetrics: true)
        let metrics = try #require(relay.metricsPort)

        // A device joins (the file said open) and pushes; the counters show it.
        let device = RelaySessionTests.Device(VaultSecret.random())
        let client = try RelayServerTests.connect(device, port: relay.port, join: true)
        client.send(.push([device.envelope(1, 3)]))
        guard case .ack? = try client.receive() else { Issue.record("no ack"); return }

        #expect(try Self.get("/health", port: metrics) == ("HTTP/1.1 200 OK", "ok\n"))
        let text = try Self.get("/metrics", port: metrics).body
        #expect(text.contains("flare_relay_connections_open 1\n"))
        #expect(text.contains("flare_relay_vaults 1\n"))
        #expect(text.contains("flare_relay_envelopes_in_total 1\n"))
        #expect(try Self.get("/other", port: metrics).status == "HTTP/1.1 404 Not Found")
        relay.stop()
        #expect(relay.process.terminationStatus == 0)

        // A config file that cannot be used is refused with a sentence, before listening.
        try #"{"listen": 7400}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let refused = try RelayProcess.run(["serve", "--config", config, "--data", folder.path("relay")])
        #expect(refused.status == 64)
        #expect(refused.output.contains("listen has the wrong type"))
        let badFrame = try RelayProcess.run(["serve", "--data", folder.path("relay"), "--max-frame", "10"])
        #expect(badFrame.status == 64 && badFrame.output.contains("--max-frame takes 1024"))
    }
}
