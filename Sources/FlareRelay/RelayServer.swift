import FlareWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The relay on TCP (SwiftNIO): frames in, `RelaySession` replies out, `notify` fanned out to a
/// vault's other connections when one of them stores envelopes.
///
/// Storage calls run on a thread pool, never on an event loop, so one connection's durable
/// write does not stall the others. Each connection handles one message at a time and stops
/// reading while it does, and while it is over its rate limit.
public final class RelayServer: Sendable {
    /// Limits on connections, beyond what `RelaySession.Settings` tells devices.
    public struct Limits: Sendable {
        /// Connections open at once; more are refused with `rateLimited`.
        public var maximumConnections: Int
        /// Frames per second one connection may send (bursts of twice that).
        public var framesPerSecond: Double
        /// Bytes per second one connection may send (bursts of twice that, and at least a
        /// frame's worth).
        public var bytesPerSecond: Double
        /// Reply bytes one connection may have queued before the relay stops reading from it
        /// (a device that asks and never reads cannot grow the relay's memory).
        public var queuedBytesPerConnection: Int
        /// Reply bytes all connections together may have queued before the relay handles no
        /// further requests until they drain.
        public var queuedBytes: Int

        public init(
            maximumConnections: Int = 4096, framesPerSecond: Double = 200, bytesPerSecond: Double = 32 * 1024 * 1024,
            queuedBytesPerConnection: Int = 1 << 20, queuedBytes: Int = 256 << 20
        ) {
            self.maximumConnections = maximumConnections
            self.framesPerSecond = framesPerSecond
            self.bytesPerSecond = bytesPerSecond
            self.queuedBytesPerConnection = queuedBytesPerConnection
            self.queuedBytes = queuedBytes
        }
    }

    let channel: any Channel
    let hub: VaultHub
    let threadPool: NIOThreadPool
    let storage: any RelayStorage
    /// What the relay has done since it started.
    public let counters: RelayCounters

    /// The port it listens on (useful when started on port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Starts listening on `host:port`.
    public static func start(
        host: String, port: Int, storage: any RelayStorage, settings: RelaySession.Settings = .init(), limits: Limits = .init(),
        group: any EventLoopGroup, logger: Logger = Logger(label: "flare-relay", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> RelayServer {
        let hub = VaultHub()
        let counters = RelayCounters()
        // Storage calls block (a push waits for its group commit), so more threads than cores.
        let threadPool = NIOThreadPool(numberOfThreads: 8)
        threadPool.start()
        let frameLimit = Int(settings.maximumFrame)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(
                    .writeBufferWaterMark,
                    value: .init(low: limits.queuedBytesPerConnection / 2, high: max(limits.queuedBytesPerConnection, 2)))
                .childChannelInitializer { channel in
                    guard counters.admit(upTo: limits.maximumConnections) else {
                        logger.warning("connection refused: at the connection cap", metadata: ["limit": "\(limits.maximumConnections)"])
                        return channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(Refusal(counters: counters, limit: limits.maximumConnections))
                        }
                    }
                    channel.closeFuture.whenComplete { _ in counters.update { $0.connectionsOpen -= 1 } }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(FrameDecoder(limit: frameLimit)),
                            RelayConnection(
                                session: RelaySession(storage: storage, settings: settings), hub: hub, threadPool: threadPool,
                                counters: counters, limits: limits, frameLimit: frameLimit, idleSeconds: settings.idleSeconds, logger: logger),
                        ])
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
        return RelayServer(channel: channel, hub: hub, threadPool: threadPool, storage: storage, counters: counters)
    }

    init(channel: any Channel, hub: VaultHub, threadPool: NIOThreadPool, storage: any RelayStorage, counters: RelayCounters) {
        self.channel = channel
        self.hub = hub
        self.threadPool = threadPool
        self.storage = storage
        self.counters = counters
    }

    /// Stops accepting connections, lets each connection finish the message it is handling
    /// (a push being stored is stored and acknowledged), tells it `shuttingDown` and closes
    /// it; connections still open after `grace` are closed anyway.
    public func stop(grace: TimeAmount = .seconds(10)) async throws {
        try? await channel.close()
        let open = hub.all()
        for connection in open { connection.pipeline.fireUserInboundEventTriggered(RelayShutdown()) }
        let deadline = NIODeadline.now() + grace
        for connection in open {
            let remaining = deadline - .now()
            let closed = connection.closeFuture
            let timer = connection.eventLoop.scheduleTask(in: max(remaining, .zero)) { connection.close(promise: nil) }
            try? await closed.get()
            timer.cancel()
        }
        try await threadPool.shutdownGracefully()
    }
}

/// Turns a connection away at the connection cap, saying why.
final class Refusal: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let counters: RelayCounters
    let limit: Int

    init(counters: RelayCounters, limit: Int) {
        self.counters = counters
        self.limit = limit
    }

    func channelActive(context: ChannelHandlerContext) {
        counters.update {
            $0.connectionsRefused += 1
            $0.errors[.rateLimited, default: 0] += 1
        }
        let message = Message.error(.rateLimited, message: "the relay is at its limit of \(limit) connections; try again later")
        context.writeThenClose(wrapOutboundOut(context.channel.allocator.frame(message)))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

extension ChannelHandlerContext {
    /// Writes and flushes `data`, then closes once it is written (closing at once could drop
    /// a write still pending, and with it the reason for closing).
    func writeThenClose(_ data: NIOAny) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        writeAndFlush(data).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
