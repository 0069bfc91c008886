import ArgumentParser
import FlareBytes
import FlareCRDT
import FlareJournal
import FlareStore
import FlareSync
import FlareWire
import Foundation

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sync this vault with its other devices through a relay.",
        discussion: """
            The first time, name the relay and, if its owner gave you one, the invite token \
            (`flare-relay invite` prints it): flare sync --relay relay.example.org:7400 --invite TOKEN. \
            The relay is remembered; later, `flare sync` is enough. Every device of the vault \
            syncs with the same relay; the relay stores only sealed envelopes it cannot read.

            A sync sends only what the relay lacks and fetches only what this device lacks. \
            If the connection is cut, run it again: nothing is lost or applied twice.

            --watch stays connected and syncs whenever another device pushes or this vault \
            changes (other flare commands keep working meanwhile); it reconnects by itself. \
            Stop it with Ctrl-C: nothing is lost.
            """)

    @OptionGroup var vault: VaultOptions
    @Option(help: ArgumentHelp("The relay, as HOST:PORT; remembered for next time.", valueName: "host:port")) var relay: String?
    @Option(help: "A one-time invite token from the relay's owner, for a vault the relay does not know yet.") var invite: String?
    @Flag(help: "Print what the sync did as JSON.") var json = false
    @Flag(help: "Show progress on standard error even when it is not a terminal (a line per step).") var progress = false
    @Flag(help: "Stay connected and sync as changes happen, here or on other devices.") var watch = false

    func run() async throws {
        try await reporting {
            let address = try relay.map { try RelayAddress.parsed($0) }
            if watch {
                try await watchForever(relay: address)
                return
            }
            try await vault.withVault { opened in
                let journal = Journal(vault: opened)
                let baseline = journal.baseline()
                var client = SyncClient(invite: invite)
                let bar = ProgressBar(lines: progress)
                if bar.isShown { client.progress = { bar.show($0) } }
                let report = try await client.sync(opened, relay: address)
                bar.finish()
                let news = try journal.news(since: baseline)
                let names = journal.deviceNames()
                if json {
                    try printJSON(news.jsonObject(in: opened.replica, names: names).merging([
                        "relay": report.relay.description, "joined": report.joined, "relay_was_reset": report.relayWasReset,
                        "sent_changes": report.sentChanges, "sent_envelopes": report.sentEnvelopes,
                        "received_envelopes": report.receivedEnvelopes, "applied_changes": report.appliedChanges,
                        "waiting_changes": report.bufferedChanges, "bytes_sent": report.bytesSent, "bytes_received": report.bytesReceived,
                        "problems": report.problems, "key_epoch": opened.keyEpochs?.current ?? 0,
                        "revoked_keys": report.newEpochs.flatMap(\.revoked).map { Hex.encode($0) },
                    ] as [String: Any]) { $1 })
                    return
                }
                print(Self.summary(report))
                for problem in report.problems { print(Style.red("  " + problem)) }
                for line in news.lines(in: opened.replica, names: names) { print(line) }
            }
        }
    }

    private func watchForever(relay: RelayAddress?) async throws {
        // Opened once to check the passphrase (or take the unlock agent's key) before the watch starts.
        let unlock = try await vault.withVault { $0.unlock }
        let json = json
        try await SyncClient(invite: invite).watch(vaultAt: vault.path, unlock: unlock, relay: relay) { event in
            let time = ISO8601DateFormatter.string(from: Date(), timeZone: .current, formatOptions: [.withTime, .withColonSeparatorInTime])
            switch event {
            case .synced(let report):
                // Written at once, not buffered: someone (or a script) is watching.
                var lines: [String]
                if json {
                    let object: [String: Any] = [
                        "at": time, "relay": report.relay.description, "sent_changes": report.sentChanges, "applied_changes": report.appliedChanges,
                        "waiting_changes": report.bufferedChanges, "problems": report.problems,
                    ]
                    lines = [String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)]
                } else {
                    lines = Self.summary(report).split(separator: "\n").map { "\(time)  \($0)" }
                    lines += report.problems.map { Style.red("  " + $0) }
                }
                FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
            case .disconnected(let error, let retry):
                FileHandle.standardError.write(Data("\(time)  \(error) Trying again in \(retry.components.seconds) s.\n".utf8))
            }
        }
    }

    static func summary(_ report: SyncReport) -> String {
        var lines: [String] = []
        if report.joined { lines.append("Joined the vault at \(report.relay).") }
        if report.relayWasReset { lines.append("The relay had lost this vault's data; sent it what this device holds.") }
        let received = report.appliedChanges == 0 ? "nothing new" : "\(report.appliedChanges) change\(report.appliedChanges == 1 ? "" : "s")"
        let sent = report.sentChanges == 0 ? "nothing" : "\(report.sentChanges) change\(report.sentChanges == 1 ? "" : "s")"
        lines.append("Synced with \(report.relay): received \(received), sent \(sent) (\(ByteCount(report.bytesReceived)) in, \(ByteCount(report.bytesSent)) out).")
        if report.bufferedChanges > 0 {
            lines.append("\(report.bufferedChanges) received change\(report.bufferedChanges == 1 ? " waits" : "s wait") for changes not here yet; they apply when those arrive.")
        }
        for record in report.newEpochs {
            let keys = record.revoked.map { "key " + Hex.encode($0.prefix(8)) }.joined(separator: ", ")
            lines.append("A device of the vault revoked \(plural(record.revoked.count, "device")) (\(keys)) on \(DeviceListing.Row.time(record.time)): "
                + "this device now seals its changes under key epoch \(record.epoch), which the revoked ones cannot read.")
        }
        return lines.joined(separator: "\n")
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The relay this vault syncs with, when it last synced, and what is not sent yet.",
        discussion: "Reads only this device's vault; it does not contact the relay.")

    @OptionGroup var vault: VaultOptions
    @Flag(help: "Print the status as JSON.") var json = false

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                let state = try SyncState.load(from: opened)
                let unsent = opened.replica.versionVector.reduce(0) { total, entry in
                    total + Int(entry.seq - min(entry.seq, state?.relayHolds[entry.replica] ?? 0))
                }
                let own = opened.replica.versionVector[opened.replicaID]
                let ownUnsent = Int(own - min(own, state?.relayHolds[opened.replicaID] ?? 0))
                let last = state.flatMap { $0.lastSyncMilliseconds == 0 ? nil : Date(timeIntervalSince1970: TimeInterval($0.lastSyncMilliseconds) / 1000) }
                let names = Journal(vault: opened).deviceNames()
                let now = opened.wallClock()
                let ahead = opened.replica.latestClocks
                    .filter { $0.replica != opened.replicaID && $0.clock.milliseconds > now + ClockSkew.notable }
                    .map { (replica: $0.replica, name: names[$0.replica], milliseconds: $0.clock.milliseconds - now) }
                let stuck = state?.stuck ?? []
                if json {
                    var object: [String: Any] = [
                        "vault": opened.vaultID.hex, "device": opened.replicaID.description, "unsent_changes": unsent,
                        "unsent_own_changes": ownUnsent, "waiting_changes": opened.replica.bufferedCount,
                    ]
                    if let state { object["relay"] = state.relay.description }
                    if let last { object["last_sync"] = ISO8601DateFormatter().string(from: last) }
                    object["clocks_ahead"] = ahead.map { device -> [String: Any] in
                        var entry: [String: Any] = ["device": device.replica.description, "ahead_seconds": device.milliseconds / 1000]
                        if let name = device.name { entry["name"] = name }
                        return entry
                    }
                    object["stuck_envelopes"] = stuck.map { envelope -> [String: Any] in
                        [
                            "device": envelope.replica.description, "first_seq": envelope.firstSeq, "last_seq": envelope.lastSeq,
                            "server_seq": envelope.serverSeq, "reason": envelope.reason,
                        ]
                    }
                    try printJSON(object)
                    return
                }
                print("Vault \(opened.vaultID.hex), this device \(opened.replicaID).")
                for device in ahead {
                    let label = device.name.map { "\"\($0)\" (\(device.replica))" } ?? "Device \(device.replica)"
                    print("""
                        Clock: \(label) stamps its changes \(ClockSkew.describe(device.milliseconds)) ahead of this device's clock. \
                        Set its date and time right; until then its edits win over others made at the same time.
                        """)
                }
                guard let state else {
                    print("Not synced yet: run flare sync --relay HOST:PORT.")
                    return
                }
                print("Relay: \(state.relay)" + (state.admitted ? "" : " (this device has not joined there yet)"))
                print("Last sync: " + (last.map { ISO8601DateFormatter().string(from: $0) } ?? "never completed"))
                print("Not yet on the relay: \(unsent) change\(unsent == 1 ? "" : "s") (\(ownUnsent) made on this device).")
                if opened.replica.bufferedCount > 0 {
                    print("Waiting for earlier changes: \(opened.replica.bufferedCount).")
                }
                for envelope in stuck {
                    let device = names[envelope.replica].map { "\($0) (\(envelope.replica))" } ?? "device \(envelope.replica)"
                    print("""
                        Stuck: changes \(envelope.firstSeq)–\(envelope.lastSeq) of \(device) did not open \
                        (\(envelope.reason)); the relay may have altered or damaged them. Each sync fetches them again; \
                        later changes of that device wait for them.
                        """)
                }
            }
        }
    }
}

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay", abstract: "This vault's data on its relay.", subcommands: [Forget.self])

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete this vault's data from the relay (envelopes, snapshots, admitted devices).",
            discussion: """
                Every device keeps its own copy; the relay forgets all of it. Syncing with the \
                relay again later uploads it again (with a new invite, if the relay needs one).
                """)

        @OptionGroup var vault: VaultOptions
        @Option(help: ArgumentHelp("The relay, if not the one this vault syncs with.", valueName: "host:port")) var relay: String?
        @Flag(help: "Go ahead: this cannot be undone on the relay.") var yes = false

        func run() async throws {
            try await reporting {
                let address = try relay.map { try RelayAddress.parsed($0) }
                guard yes else {
                    throw CLIError.usage("This deletes the vault's data from the relay (your devices keep theirs). Run again with --yes to go ahead.")
                }
                try await vault.withVault { opened in
                    let forgotten = try await SyncClient().forget(opened, relay: address)
                    print("The relay at \(forgotten) has deleted this vault's data.")
                }
            }
        }
    }
}

extension RelayAddress {
    /// `text` as an address, or `SyncError.badAddress`.
    static func parsed(_ text: String) throws -> RelayAddress {
        guard let address = RelayAddress(parsing: text) else { throw SyncError.badAddress(text) }
        return address
    }
}

/// Bytes for people: 980 B, 1.4 KB, 12.3 MB.
struct ByteCount: CustomStringConvertible {
    let bytes: Int
    init(_ bytes: Int) { self.bytes = bytes }

    var description: String {
        if bytes < 1000 { return "\(bytes) B" }
        if bytes < 1_000_000 { return String(format: "%.1f KB", Double(bytes) / 1000) }
        return String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}

/// A progress bar on standard error when it is a terminal; or, asked for, a line per step.
final class ProgressBar: Sendable {
    let onTerminal = isatty(STDERR_FILENO) == 1
    let lines: Bool

    init(lines: Bool) {
        self.lines = lines
    }

    var isShown: Bool { onTerminal || lines }

    func show(_ progress: SyncProgress) {
        guard onTerminal else {
            let verb = progress.phase == .receiving ? "Receiving" : "Sending"
            FileHandle.standardError.write(Data("\(verb) \(progress.envelopesDone)/\(plural(progress.envelopesTotal, "envelope")), \(ByteCount(progress.bytes))\n".utf8))
            return
        }
        let width = 24
        let fraction = progress.envelopesTotal == 0 ? 1 : min(1, Double(progress.envelopesDone) / Double(progress.envelopesTotal))
        let filled = Int(fraction * Double(width))
        let verb = progress.phase == .receiving ? "Receiving" : "Sending  "
        let line = "\r\(verb) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
            + "\(progress.envelopesDone)/\(plural(progress.envelopesTotal, "envelope")), \(ByteCount(progress.bytes))"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// How far ahead another device's clock must run before `flare status` mentions it.
enum ClockSkew {
    /// Ten minutes: more than clocks drift, less than a wrong time zone or date.
    static let notable: UInt64 = 10 * 60 * 1000

    /// "3 days", "2 hours", "1 year 12 days" for a span of milliseconds.
    static func describe(_ milliseconds: UInt64) -> String {
        let minutes = milliseconds / 60_000
        let (years, days, hours) = (minutes / 525_600, minutes % 525_600 / 1440, minutes % 1440 / 60)
        func unit(_ value: UInt64, _ name: String) -> String { "\(value) \(name)\(value == 1 ? "" : "s")" }
        if years > 0 { return unit(years, "year") + (days > 0 ? " " + unit(days, "day") : "") }
        if days > 0 { return unit(days, "day") + (hours > 0 ? " " + unit(hours, "hour") : "") }
        if hours > 0 { return unit(hours, "hour") }
        return unit(minutes, "minute")
    }
}
