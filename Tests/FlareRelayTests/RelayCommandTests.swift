import FlareCrypto
import FlareWire
import Foundation
import Testing
import TestSupport

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
        client.send(.hello(lowestVersion: 1, highestVersion: 1, vault: device.vault, deviceKey: device.deviceKey.publicKey, nonce: nonce))
        guard case .challenge(let version, let relayNonce, let session, _, _)? = try client.receive() else {
            Issue.record("no challenge")
            return
        }
        let transcript = Transcript.auth(
            vault: device.vault, deviceKey: device.deviceKey.publicKey, deviceNonce: nonce, relayNonce: relayNonce, session: session, version: version)
        let admission = device.keys.authKey.signature(for: Transcript.admission(vault: device.vault, deviceKey: device.deviceKey.publicKey))
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
