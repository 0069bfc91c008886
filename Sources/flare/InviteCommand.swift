import ArgumentParser
import FlareStore
import FlareSync
import FlareWire
import Foundation

struct Invite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a one-time invite code for a new device of this vault.",
        discussion: """
            The code is good once, for a short while (10 minutes unless --for says otherwise, \
            at most 7 days), at the relay this vault syncs with. On the new device: \
            flare join CODE --relay HOST:PORT. The relay keeps the vault's secret sealed under \
            a key only the code gives, so neither the relay nor anyone who reads its disk can \
            use it, and the long-lived pairing code is never typed on the new device. Anyone \
            who sees the code before it is used can join in its place: give it only to yourself.
            """)

    /// The longest an invite code may last (the relay keeps invitations at most this long).
    static let longestSeconds = 7 * 86_400

    @OptionGroup var vault: VaultOptions
    @Option(name: .customLong("for"), help: ArgumentHelp(
        "How long the code stays good, from 1m to 7d: e.g. 10m, 2h, 1d.", valueName: "duration"))
    var duration = "10m"
    @Option(help: ArgumentHelp("The relay, if not the one this vault syncs with.", valueName: "host:port")) var relay: String?
    @Flag(help: "Print the code, its expiry and the relay as JSON.") var json = false

    func run() async throws {
        try await reporting {
            guard let seconds = HumanDuration.seconds(duration), (60...Self.longestSeconds).contains(seconds) else {
                throw CLIError.usage("--for takes a time from 1m to 7d, like 10m, 2h or 1d; \"\(duration)\" is not one.")
            }
            let address = try relay.map { try RelayAddress.parsed($0) }
            let expires = Vault.systemMilliseconds() / 1000 + UInt64(seconds)
            try await vault.withVault { opened in
                let (code, at) = try await SyncClient().invite(opened, expires: expires, relay: address)
                if json {
                    let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(expires)))
                    return try printJSON(["invite_code": code, "expires": when, "relay": "\(at)"])
                }
                print("Invite code (good once, until \(Unlock.clockTime(secondsFromNow: seconds))):")
                print("  \(code)")
                print("On the new device: flare join \(code) --relay \(at)")
            }
        }
    }
}
