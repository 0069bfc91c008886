import ArgumentParser
import FlareRelay
import FlareWire
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

@main
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flare-relay",
        abstract: "A self-hosted relay for Flare vaults: it stores and forwards sealed envelopes it cannot read.",
        subcommands: [Serve.self, Invite.self, Vaults.self])
}

/// Where the relay keeps its data.
struct DataOptions: ParsableArguments {
    @Option(help: "The relay's data folder (created if missing).") var data: String

    func storage() throws -> SQLiteRelayStorage {
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try SQLiteRelayStorage(path: data + "/relay.sqlite")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Listen for devices until SIGTERM or SIGINT, then stop cleanly.",
        discussion: "Example: flare-relay serve --listen 127.0.0.1:7400 --data /var/lib/flare-relay")

    @Option(help: "host:port to listen on.") var listen: String = "127.0.0.1:7400"
    @OptionGroup var data: DataOptions
    @Flag(help: "Admit vaults without an invite.") var open = false
    @Option(help: "Seconds a connection may stay silent.") var idleSeconds: UInt64 = 60
    @Option(help: "The largest frame accepted or sent, in bytes (1024 to 1048576); devices size their pushes to it.")
    var maxFrame = Frame.maximumLength

    func run() async throws {
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (0...65_535).contains(port) else {
            throw ValidationError("--listen takes host:port, like 127.0.0.1:7400")
        }
        guard (1024...Frame.maximumLength).contains(maxFrame) else {
            throw ValidationError("--max-frame takes 1024 to \(Frame.maximumLength) bytes")
        }
        var logger = Logger(label: "flare-relay")
        logger.logLevel = .info
        let storage = try data.storage()
        let server = try await RelayServer.start(
            host: String(parts[0]), port: port, storage: storage, settings: .init(maximumFrame: UInt32(maxFrame), idleSeconds: idleSeconds, open: open),
            group: MultiThreadedEventLoopGroup.singleton)
        logger.info("listening", metadata: ["address": "\(parts[0]):\(server.port)", "open": "\(open)"])
        let group = ServiceGroup(
            services: [RelayService(server: server, logger: logger)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Keeps the relay up until the service group shuts down.
struct RelayService: Service {
    let server: RelayServer
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("stopping")
        try await server.stop()
    }
}

struct Invite: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a one-time invite token; a person passes it once when their vault first syncs here.")

    @OptionGroup var data: DataOptions

    func run() throws {
        print(try data.storage().createInvite())
    }
}

struct Vaults: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault", abstract: "The vaults this relay keeps.", subcommands: [ListVaults.self, Remove.self], defaultSubcommand: ListVaults.self)

    struct ListVaults: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List vaults with their envelopes and bytes.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let vaults = try data.storage().vaults()
            if vaults.isEmpty { print("No vaults.") }
            for vault in vaults { print("\(vault.vault)  \(vault.envelopes) envelopes  \(vault.bytes) bytes") }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a vault and everything it stored here.")
        @OptionGroup var data: DataOptions
        @Argument(help: "The vault id (32 hex digits).") var vault: String

        func run() throws {
            guard let id = WireID(hex: vault) else { throw ValidationError("A vault id is 32 hex digits.") }
            let storage = try data.storage()
            guard try storage.authKey(of: id) != nil else { throw ValidationError("No vault \(vault) on this relay.") }
            try storage.forget(id)
            print("Removed \(vault).")
        }
    }
}
