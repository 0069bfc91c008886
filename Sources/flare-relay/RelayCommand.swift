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
        version: FlareRelease.description,
        subcommands: [Serve.self, Invite.self, Vaults.self])
}

/// Where the relay keeps its data.
struct DataOptions: ParsableArguments {
    @Option(help: "The relay's data folder (created if missing).") var data: String

    func storage() throws -> SQLiteRelayStorage { try Self.storage(in: data) }

    static func storage(in folder: String, quota: Quota = Quota()) throws -> SQLiteRelayStorage {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try SQLiteRelayStorage(path: folder + "/relay.sqlite", quota: quota)
    }
}

/// `flare-relay serve --config FILE`: the same settings as the options, as JSON. An option
/// given on the command line wins over the file.
struct ServeConfiguration: Decodable {
    var listen: String?
    var data: String?
    var open: Bool?
    var idleSeconds: UInt64?
    var maxFrame: Int?
    var maxConnections: Int?
    var rateFrames: Double?
    var rateBytes: Double?
    var quotaBytes: Int?
    var quotaEnvelopes: Int?
    var metrics: String?
    var logLevel: String?

    enum CodingKeys: String, CodingKey {
        case listen, data, open, metrics, logLevel = "log_level"
        case idleSeconds = "idle_seconds", maxFrame = "max_frame", maxConnections = "max_connections"
        case rateFrames = "rate_frames", rateBytes = "rate_bytes", quotaBytes = "quota_bytes", quotaEnvelopes = "quota_envelopes"
    }

    static func read(_ path: String) throws -> ServeConfiguration {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw ValidationError("Cannot read the config file \(path).") }
        do {
            let decoder = JSONDecoder()
            return try decoder.decode(ServeConfiguration.self, from: bytes)
        } catch let DecodingError.dataCorrupted(context) {
            throw ValidationError("The config file \(path) is not valid JSON: \(context.debugDescription)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ValidationError("In the config file \(path), \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type.")
        } catch {
            throw ValidationError("The config file \(path) cannot be used: \(error)")
        }
    }
}

/// `host:port` given for `option`, port 0 allowed (any free port).
func hostAndPort(_ text: String, option: String) throws -> RelayAddress {
    guard let address = RelayAddress(parsing: text, allowingAnyPort: true) else {
        throw ValidationError("\(option) takes host:port, like 127.0.0.1:7400")
    }
    return address
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Listen for devices until SIGTERM or SIGINT, then stop cleanly.",
        discussion: """
            Example: flare-relay serve --listen 127.0.0.1:7400 --data /var/lib/flare-relay

            --config FILE reads the same settings from JSON (keys listen, data, open, \
            idle_seconds, max_frame, max_connections, rate_frames, rate_bytes, quota_bytes, \
            quota_envelopes, metrics, log_level); options on the command line win. On SIGTERM the relay \
            stops accepting, lets each connection finish the message it is handling (a push \
            being stored is stored and acknowledged), tells devices it is stopping, and exits.
            """)

    @Option(help: "A JSON file of settings.") var config: String?
    @Option(help: "host:port to listen on (default 127.0.0.1:7400).") var listen: String?
    @Option(help: "The relay's data folder (created if missing).") var data: String?
    @Flag(help: "Admit vaults without an invite.") var open = false
    @Option(help: "Seconds a connection may go without sending a whole frame (default 60).") var idleSeconds: UInt64?
    @Option(help: "The largest frame accepted or sent, in bytes (1024 to 1048576); devices size their pushes to it.")
    var maxFrame: Int?
    @Option(help: "Connections open at once; more are refused (default 4096).") var maxConnections: Int?
    @Option(help: "Frames per second one connection may send; faster senders are slowed (default 200).") var rateFrames: Double?
    @Option(help: "Bytes per second one connection may send (default 33554432).") var rateBytes: Double?
    @Option(help: "Bytes one vault may store (default 1 GiB).") var quotaBytes: Int?
    @Option(help: "Envelopes one vault may store (default 1000000).") var quotaEnvelopes: Int?
    @Option(help: "host:port for GET /health and GET /metrics (Prometheus text); off unless given.") var metrics: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical (default info; debug logs every connection).")
    var logLevel: String?

    func run() async throws {
        let file = try config.map { try ServeConfiguration.read($0) } ?? ServeConfiguration()
        let address = try hostAndPort(listen ?? file.listen ?? "127.0.0.1:7400", option: "--listen")
        guard let folder = data ?? file.data else { throw ValidationError("Give the data folder: --data PATH (or \"data\" in the config file).") }
        let idle = idleSeconds ?? file.idleSeconds ?? 60
        guard (1...Message.maximumIdleSeconds).contains(idle) else {
            throw ValidationError("--idle-seconds takes 1 to \(Message.maximumIdleSeconds) (one day)")
        }
        let frame = maxFrame ?? file.maxFrame ?? Frame.maximumLength
        guard (1024...Frame.maximumLength).contains(frame) else { throw ValidationError("--max-frame takes 1024 to \(Frame.maximumLength) bytes") }
        var limits = RelayServer.Limits()
        limits.maximumConnections = maxConnections ?? file.maxConnections ?? limits.maximumConnections
        limits.framesPerSecond = rateFrames ?? file.rateFrames ?? limits.framesPerSecond
        limits.bytesPerSecond = rateBytes ?? file.rateBytes ?? limits.bytesPerSecond
        guard limits.maximumConnections >= 1, limits.framesPerSecond > 0, limits.bytesPerSecond > 0 else {
            throw ValidationError("--max-connections, --rate-frames and --rate-bytes take positive numbers")
        }
        var quota = Quota()
        quota.maximumBytes = quotaBytes ?? file.quotaBytes ?? quota.maximumBytes
        quota.maximumEnvelopes = quotaEnvelopes ?? file.quotaEnvelopes ?? quota.maximumEnvelopes
        let admitsAll = open || file.open == true
        let metricsAddress = try (metrics ?? file.metrics).map { try hostAndPort($0, option: "--metrics") }

        var logger = Logger(label: "flare-relay")
        guard let level = Logger.Level(rawValue: logLevel ?? file.logLevel ?? "info") else {
            throw ValidationError("--log-level takes trace, debug, info, notice, warning, error or critical")
        }
        logger.logLevel = level
        let storage = try DataOptions.storage(in: folder, quota: quota)
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await RelayServer.start(
            host: address.host, port: address.port, storage: storage,
            settings: .init(maximumFrame: UInt32(frame), idleSeconds: idle, open: admitsAll), limits: limits, group: group, logger: logger)
        let metricsServer = try await metricsAddress.asyncMap { try await MetricsServer.start(host: $0.host, port: $0.port, relay: server, group: group) }
        var ready: [(message: Logger.Message, metadata: Logger.Metadata)] = [
            ("listening", ["address": "\(address.host):\(server.port)", "open": "\(admitsAll)"])
        ]
        if let metricsServer, let metricsAddress {
            ready.append(("metrics", ["address": "\(metricsAddress.host):\(metricsServer.port)"]))
        }
        let services = ServiceGroup(
            services: [RelayService(server: server, metrics: metricsServer, ready: ready, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await services.run()
    }
}

/// Keeps the relay up until the service group shuts down, then stops it gracefully.
struct RelayService: Service {
    let server: RelayServer
    let metrics: MetricsServer?
    /// Logged once running: the service group traps SIGTERM and SIGINT by then, so whoever
    /// waits for "listening" may signal the relay and have it stop cleanly.
    let ready: [(message: Logger.Message, metadata: Logger.Metadata)]
    let logger: Logger

    func run() async throws {
        for line in ready { logger.info(line.message, metadata: line.metadata) }
        try? await gracefulShutdown()
        logger.info("stopping")
        try? await metrics?.stop()
        try await server.stop()
        let counts = server.counters.current
        logger.info(
            "stopped",
            metadata: [
                "connections": "\(counts.connectionsAccepted)", "envelopes_in": "\(counts.envelopesIn)", "envelopes_out": "\(counts.envelopesOut)",
            ])
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
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
