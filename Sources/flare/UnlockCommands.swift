import ArgumentParser
import Foundation

struct Unlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Unlock the vault for a while, so that commands do not ask for the passphrase.",
        discussion: """
            Asks for the passphrase the usual way, checks it by opening the vault, and hands the \
            key derived from it (never the passphrase) to your unlock agent, a background flare \
            process that only your user can reach and that forgets the key when the time is up \
            or at `flare lock`. Until then, commands given no --passphrase-file or \
            $FLARE_PASSPHRASE use it, without asking and without the slow key derivation. \
            Anything running as you can use the vault meanwhile; Protocol/CRYPTO.md says what \
            this does and does not protect. Unlocking again sets a new time.
            """)

    @OptionGroup var vault: VaultOptions
    @Option(name: .customLong("for"), help: ArgumentHelp(
        "How long to stay unlocked, from 1s to 12h: e.g. 90s, 15m, 2h, 1h30m.", valueName: "duration"))
    var duration = "15m"
    @Flag(help: "Only say whether the vault is unlocked, and until when; asks for nothing.") var status = false

    func run() throws {
        try reporting {
            let agent = AgentClient()
            if status {
                guard let seconds = try agent.secondsLeft(forVaultAt: vault.path) else {
                    print("\(vault.path) is locked.")
                    return
                }
                print("\(vault.path) is unlocked until \(Self.clockTime(secondsFromNow: Int(seconds))) (\(HumanDuration.describe(seconds: Int(seconds))) from now).")
                return
            }
            guard let seconds = HumanDuration.seconds(duration), (1...Int(AgentKeys.maximumSeconds)).contains(seconds) else {
                throw CLIError.usage("--for takes a time from 1s to 12h, like 90s, 15m, 2h or 1h30m; \"\(duration)\" is not one.")
            }
            let unlock = try vault.withVault(usingAgent: false) { $0.unlock }
            try agent.keep(unlock, forVaultAt: vault.path, seconds: UInt32(seconds))
            print("Unlocked \(vault.path) until \(Self.clockTime(secondsFromNow: seconds)) (\(HumanDuration.describe(seconds: seconds))); `flare lock` locks it sooner.")
        }
    }

    /// The wall-clock time `seconds` from now, as `14:05`, with the date when it is not today.
    static func clockTime(secondsFromNow seconds: Int) -> String {
        let then = Date().addingTimeInterval(TimeInterval(seconds))
        let formatter = DateFormatter()
        formatter.dateFormat = Calendar.current.isDateInToday(then) ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: then)
    }
}

struct Lock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lock vaults that `flare unlock` unlocked: their keys are forgotten at once.",
        discussion: """
            Without --vault, every vault is locked and the unlock agent exits. \
            $FLARE_VAULT is not read here, so a plain `flare lock` always locks everything.
            """)

    @Option(help: "Lock only this vault.") var vault: String?

    func run() throws {
        try reporting {
            guard try AgentClient().lock(vaultAt: vault) else {
                print("Nothing was unlocked.")
                return
            }
            print(vault.map { "Locked \($0)." } ?? "Locked every vault.")
        }
    }
}

/// The unlock agent's process, started by `flare unlock`; not for people to run.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "The unlock agent (started by flare unlock).", shouldDisplay: false)

    @Argument(help: "The folder of the agent's socket.") var folder: String

    func run() throws {
        try UnlockAgent.serve(AgentSocket(folder: folder))
    }
}
