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

/// Sent through each connection's pipeline when the relay stops.
struct RelayShutdown {}

/// Sent through a connection's pipeline when another device of its vault stored envelopes.
struct VaultNotify: Sendable {
    let latest: UInt64
}

/// Sent through a connection's pipeline when its vault moved to a new key epoch.
struct VaultRekeyed: Sendable {
    let epoch: UInt64
    let revoked: [[UInt8]]
}

/// One connection: decodes messages and runs them through its session on the thread pool,
/// one at a time, writing the replies.
final class RelayConnection: ChannelDuplexHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var session: RelaySession
    private let hub: VaultHub
    private let threadPool: NIOThreadPool
    private let counters: RelayCounters
    private let limits: Limits
    private let idle: TimeAmount
    private var registered = false
    private var pending: [[UInt8]] = []
    private var inFlight = false
    private var stopping = false
    private var closing = false
    /// A read was asked for while paused; it is passed on when the pause ends.
    private var readHeld = false
    private var throttledUntil: NIODeadline?
    private var frameTokens: Double
    private var byteTokens: Double
    private var lastRefill = NIODeadline.now()
    private var lastFrame = NIODeadline.now()
    /// Since when replies have waited on a socket the device does not read from.
    private var unwritableSince: NIODeadline?
    private var idleCheck: RepeatedTask?
    private var logger: Logger
    /// The latest server seq to tell the device in a `notify`, while its replies drain.
    private var notifyOwed: UInt64?
    /// The key epoch that revoked this connection's device key, once it has.
    private var revokedIn: UInt64?

    struct Limits {
        let framesPerSecond: Double
        let frameBurst: Double
        let bytesPerSecond: Double
        let byteBurst: Double
        let queuedBytes: Int
    }

    init(
        session: RelaySession, hub: VaultHub, threadPool: NIOThreadPool, counters: RelayCounters, limits: RelayServer.Limits,
        frameLimit: Int, idleSeconds: UInt64, logger: Logger
    ) {
        self.logger = logger
        self.session = session
        self.hub = hub
        self.threadPool = threadPool
        self.counters = counters
        self.limits = Limits(
            framesPerSecond: limits.framesPerSecond, frameBurst: 2 * limits.framesPerSecond,
            bytesPerSecond: limits.bytesPerSecond, byteBurst: max(2 * limits.bytesPerSecond, Double(2 * frameLimit)),
            queuedBytes: limits.queuedBytes)
        idle = .seconds(Int64(min(idleSeconds, Message.maximumIdleSeconds)))
        frameTokens = self.limits.frameBurst
        byteTokens = self.limits.byteBurst
    }

    func handlerAdded(context: ChannelHandlerContext) {
        hub.add(context.channel)
        logger[metadataKey: "peer"] = "\(context.channel.remoteAddress?.description ?? "?")"
        logger.debug("connected")
        // No complete frame for the idle time closes the connection: a silent device and a
        // slow-loris one (bytes trickling, never a frame) alike. So do replies left unread for
        // the idle time: while they wait they count against the whole relay's queue.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let check = max(.milliseconds(100), min(idle, .seconds(1)))
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: check, delay: check) { _ in
            let (connection, context) = bound.value
            let now = NIODeadline.now()
            if now - connection.lastFrame > connection.idle {
                connection.logger.info("closed: no whole frame for the idle time")
                connection.close(context: context)
            } else if let since = connection.unwritableSince, now - since > connection.idle {
                connection.logger.info("closed: replies left unread for the idle time")
                connection.close(context: context)
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        hub.remove(context.channel)
        logger.debug("disconnected")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        lastFrame = .now()
        counters.update {
            $0.framesIn += 1
            $0.bytesIn += 4 + payload.count
        }
        refill()
        frameTokens -= 1
        byteTokens -= Double(4 + payload.count)
        pending.append(payload)
        processNext(context: context)
    }

    func read(context: ChannelHandlerContext) {
        if inFlight || !pending.isEmpty || !context.channel.isWritable || isThrottled(context: context) {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        unwritableSince = context.channel.isWritable ? nil : (unwritableSince ?? .now())
        if context.channel.isWritable {
            sendNotify(context: context)
            processNext(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let rekeyed = event as? VaultRekeyed {
            if let key = session.deviceKey, rekeyed.revoked.contains(key) {
                // A request under way finishes first (it is refused or harmless: the epoch moved).
                revokedIn = rekeyed.epoch
                if !inFlight { refuseRevoked(context: context) }
            } else {
                write([context.channel.allocator.frame(.rekeyed(epoch: rekeyed.epoch))], context: context)
                context.flush()
            }
            return
        }
        if let notify = event as? VaultNotify {
            notifyOwed = max(notifyOwed ?? 0, notify.latest)
            sendNotify(context: context)
            return
        }
        guard event is RelayShutdown else { return context.fireUserInboundEventTriggered(event) }
        stopping = true
        pending.removeAll()
        if !inFlight { send([.error(.shuttingDown, message: "the relay is stopping; sync again later")], close: true, context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case WireError.frameLength(let length, let limit)? = error as? WireError {
            send([.error(.frameTooLarge, message: "a frame of \(length) bytes; at most \(limit)")], close: true, context: context)
        } else {
            close(context: context)
        }
    }

    private func processNext(context: ChannelHandlerContext) {
        guard !inFlight, !closing, !pending.isEmpty else {
            resumeReading(context: context)
            return
        }
        // Over the rate limit, even frames already read wait (the wake-up comes back here).
        guard !isThrottled(context: context) else { return }
        // Replies not taken by the socket wait first (writability coming back resumes here),
        // and so does everyone while the whole relay has too much queued.
        guard context.channel.isWritable else { return }
        guard counters.bytesQueued < limits.queuedBytes else {
            // One wake-up at a time: `isThrottled` holds this connection until it comes.
            wake(after: .milliseconds(20), context: context)
            return
        }
        let payload = pending.removeFirst()
        let message: Message
        do {
            message = try Message.decode(payload)
        } catch {
            send([.error(.malformed, message: "\(error)")], close: true, context: context)
            return
        }
        if case .ping(let nonce) = message {
            send([.pong(nonce: nonce)], close: false, context: context)
            processNext(context: context)
            return
        }
        inFlight = true
        let session = session
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        threadPool.runIfActive(eventLoop: context.eventLoop) { () -> (RelaySession, RelaySession.Outcome) in
            var working = session
            let outcome = working.handle(message)
            return (working, outcome)
        }.whenComplete { result in
            let (connection, context) = bound.value
            connection.inFlight = false
            switch result {
            case .success(let (session, outcome)):
                if let failure = outcome.failure { connection.logger.error("storage failed", metadata: ["error": "\(String(reflecting: failure))"]) }
                connection.session = session
                connection.apply(outcome, context: context)
            case .failure(let error):
                connection.logger.error("storage failed", metadata: ["error": "\(error)"])
                connection.send([.error(.shuttingDown, message: "the relay is stopping; nothing of the request was stored")], close: true, context: context)
            }
            if connection.revokedIn != nil, !connection.closing { connection.refuseRevoked(context: context) }
            if connection.stopping, !connection.closing {
                connection.send([.error(.shuttingDown, message: "the relay is stopping; sync again later")], close: true, context: context)
            }
            connection.processNext(context: context)
        }
    }

    private func apply(_ outcome: RelaySession.Outcome, context: ChannelHandlerContext) {
        if !registered, let vault = session.vault {
            registered = true
            hub.add(context.channel, to: vault)
            logger[metadataKey: "vault"] = "\(vault)"
            logger.debug("authenticated")
        }
        send(outcome.replies, close: outcome.close, context: context)
        guard let vault = session.vault else { return }
        if let record = outcome.rekeyed { hub.rekey(vault, to: record.epoch, revoking: record.revoked, except: context.channel) }
        for reply in outcome.replies {
            if case .ack(_, let stored, let serverSeq) = reply {
                counters.update { $0.envelopesIn += Int(stored) }
                if outcome.stored { hub.notify(vault, latest: serverSeq, except: context.channel) }
            }
        }
    }

    private func send(_ messages: [Message], close: Bool, context: ChannelHandlerContext) {
        guard !closing else { return }
        var frames: [ByteBuffer] = []
        for message in messages {
            frames.append(context.channel.allocator.frame(message))
            switch message {
            case .batch(let items, _): counters.update { $0.envelopesOut += items.count }
            case .error(let code, let text):
                counters.update { $0.errors[code, default: 0] += 1 }
                logger.notice("refused", metadata: ["code": "\(code)", "reason": "\(text)"])
            default: break
            }
        }
        write(frames, context: context)
        if close {
            closing = true
            // Close once the replies are written, so the device reads why.
            context.writeThenClose(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)))
        } else {
            context.flush()
        }
    }

    /// Writes `frames`, counting them as sent and as queued until the socket takes the last
    /// (writes complete in order, and all fail together when the connection goes).
    private func write(_ frames: [ByteBuffer], context: ChannelHandlerContext) {
        guard let last = frames.last else { return }
        let size = frames.reduce(0) { $0 + $1.readableBytes }
        counters.update {
            $0.bytesOut += size
            $0.bytesQueued += size
        }
        for frame in frames.dropLast() { context.write(wrapOutboundOut(frame), promise: nil) }
        let promise = context.eventLoop.makePromise(of: Void.self)
        let counters = counters
        promise.futureResult.whenComplete { _ in counters.update { $0.bytesQueued -= size } }
        context.write(wrapOutboundOut(last), promise: promise)
    }

    /// Sends the latest server seq owed to the device in a `notify`, once its replies drain:
    /// notifies to a device that does not read coalesce into one instead of piling up.
    private func sendNotify(context: ChannelHandlerContext) {
        guard let latest = notifyOwed, context.channel.isWritable, !closing else { return }
        notifyOwed = nil
        write([context.channel.allocator.frame(.notify(latestServerSeq: latest))], context: context)
        context.flush()
        counters.update { $0.notifies += 1 }
    }

    /// Tells a device whose key was just revoked, and closes its connection.
    private func refuseRevoked(context: ChannelHandlerContext) {
        pending.removeAll()
        send([.error(.revoked, message: RelayError.revoked(epoch: revokedIn ?? 0).description)], close: true, context: context)
    }

    private func close(context: ChannelHandlerContext) {
        closing = true
        context.close(promise: nil)
    }

    /// Adds the tokens earned since the last refill, up to the bursts.
    private func refill() {
        let now = NIODeadline.now()
        let seconds = Double((now - lastRefill).nanoseconds) / 1e9
        lastRefill = now
        frameTokens = min(limits.frameBurst, frameTokens + seconds * limits.framesPerSecond)
        byteTokens = min(limits.byteBurst, byteTokens + seconds * limits.bytesPerSecond)
    }

    /// Whether reading waits for tokens; if so, a wake-up is scheduled for when they are back.
    private func isThrottled(context: ChannelHandlerContext) -> Bool {
        if let until = throttledUntil { return until > .now() }
        refill()
        guard frameTokens < 0 || byteTokens < 0 else { return false }
        let wait = max(-frameTokens / limits.framesPerSecond, -byteTokens / limits.bytesPerSecond)
        counters.update { $0.throttled += 1 }
        wake(after: .nanoseconds(Int64(wait * 1e9) + 1), context: context)
        return true
    }

    /// Holds the connection (`isThrottled` is true) for `delay`, then goes on with
    /// `processNext`: the one wake-up pending for it.
    private func wake(after delay: TimeAmount, context: ChannelHandlerContext) {
        throttledUntil = .now() + delay
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: delay) {
            let (connection, context) = bound.value
            connection.throttledUntil = nil
            connection.processNext(context: context)
        }
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard readHeld, !inFlight, pending.isEmpty, !closing, !isThrottled(context: context) else { return }
        readHeld = false
        context.read()
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

/// Every open connection, and those of each vault (for `notify`).
final class VaultHub: Sendable {
    private struct Connections {
        var all: [ObjectIdentifier: any Channel] = [:]
        var byVault: [WireID: [ObjectIdentifier: any Channel]] = [:]
    }

    private let connections = NIOLockedValueBox(Connections())

    func add(_ channel: any Channel) {
        connections.withLockedValue { $0.all[ObjectIdentifier(channel)] = channel }
    }

    func add(_ channel: any Channel, to vault: WireID) {
        connections.withLockedValue { $0.byVault[vault, default: [:]][ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        connections.withLockedValue { connections in
            connections.all.removeValue(forKey: ObjectIdentifier(channel))
            for vault in connections.byVault.keys {
                connections.byVault[vault]?.removeValue(forKey: ObjectIdentifier(channel))
                if connections.byVault[vault]?.isEmpty == true { connections.byVault.removeValue(forKey: vault) }
            }
        }
    }

    func all() -> [any Channel] {
        connections.withLockedValue { Array($0.all.values) }
    }

    /// Tells the vault's other connections that it moved to key epoch `epoch`; those of the
    /// revoked keys are refused and closed.
    func rekey(_ vault: WireID, to epoch: UInt64, revoking revoked: [[UInt8]], except sender: any Channel) {
        let others = connections.withLockedValue { $0.byVault[vault].map { Array($0.values) } ?? [] }.filter { $0 !== sender }
        for channel in others { channel.pipeline.fireUserInboundEventTriggered(VaultRekeyed(epoch: epoch, revoked: revoked)) }
    }

    /// Tells the vault's other connections (each sends `notify` once its replies drain).
    func notify(_ vault: WireID, latest: UInt64, except sender: any Channel) {
        let others = connections.withLockedValue { $0.byVault[vault].map { Array($0.values) } ?? [] }.filter { $0 !== sender }
        for channel in others { channel.pipeline.fireUserInboundEventTriggered(VaultNotify(latest: latest)) }
    }
}

extension RelayCounters {
    /// Counts a new connection if fewer than `limit` are open.
    func admit(upTo limit: Int) -> Bool {
        var admitted = false
        update { counts in
            admitted = counts.connectionsOpen < limit
            if admitted {
                counts.connectionsOpen += 1
                counts.connectionsAccepted += 1
            }
        }
        return admitted
    }
}

extension ChannelHandlerContext {
    /// Writes and flushes `data`, then closes once it is written (closing at once could drop
    /// a write still pending, and with it the reason for closing).
    func writeThenClose(_ data: NIOAny) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        writeAndFlush(data).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
