import FlareWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

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
