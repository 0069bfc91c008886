import FlareWire
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Bytes each way and replies waited for (not counting notify, ping and pong: one per round
/// trip), over a connection or part of one.
struct Traffic {
    var bytesSent = 0
    var bytesReceived = 0
    var replies = 0

    static func - (after: Traffic, before: Traffic) -> Traffic {
        Traffic(bytesSent: after.bytesSent - before.bytesSent, bytesReceived: after.bytesReceived - before.bytesReceived, replies: after.replies - before.replies)
    }
}

/// One connection to a relay, from the device's side: frames out, messages in. `ping`s are
/// answered and `notify`s noted here, so the session sees only the replies it waits for.
///
/// Frames are read by a task of their own into a stream, with ticks mixed in when asked for,
/// so a device that stays connected can wait for "a message or a second passed" at once.
struct RelayLink {
    /// What arrives: a frame, or a tick.
    enum Arrival: Sendable {
        case frame([UInt8])
        case tick
    }

    /// What `next()` gives a device that stays connected.
    enum Event {
        case message(Message)
        case notified(UInt64)
        case tick
    }

    private var inbound: AsyncThrowingStream<Arrival, any Error>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let allocator: ByteBufferAllocator
    /// What went over this connection so far.
    private(set) var traffic = Traffic()
    /// The latest server seq a `notify` announced.
    private(set) var latestNotified: UInt64 = 0
    /// The newest key epoch a `rekeyed` announced (0: none).
    private(set) var latestEpoch: UInt64 = 0

    /// Connects and runs `body` with the link, then closes the connection. With `ticks`, a
    /// `.tick` arrives that often.
    static func connect<Result>(
        to address: RelayAddress, group: any EventLoopGroup, timeout: TimeAmount, ticks: Duration? = nil,
        _ body: (inout RelayLink) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<[UInt8], ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(timeout)
                .connect(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ReplyDeadline(timeout: timeout), ByteToMessageHandler(FrameDecoder()),
                        ])
                        return try NIOAsyncChannel<[UInt8], ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SyncError.unreachable(address.description, reason: Self.reason(error))
        }
        let allocator = channel.channel.allocator
        return try await channel.executeThenClose { inbound, outbound in
            let (arrivals, continuation) = AsyncThrowingStream<Arrival, any Error>.makeStream()
            let reader = Task {
                do {
                    for try await frame in inbound { continuation.yield(.frame(frame)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            let ticker = ticks.map { interval in
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        continuation.yield(.tick)
                    }
                }
            }
            defer {
                reader.cancel()
                ticker?.cancel()
            }
            var link = RelayLink(inbound: arrivals.makeAsyncIterator(), outbound: outbound, allocator: allocator)
            return try await body(&link)
        }
    }

    private init(inbound: AsyncThrowingStream<Arrival, any Error>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, allocator: ByteBufferAllocator) {
        self.inbound = inbound
        self.outbound = outbound
        self.allocator = allocator
    }

    mutating func send(_ message: Message) async throws {
        let frame = allocator.frame(message)
        traffic.bytesSent += frame.readableBytes
        do {
            try await outbound.write(frame)
        } catch {
            throw SyncError.cut("while sending (\(Self.reason(error)))")
        }
    }

    /// The next message that is not a ping, pong, notify or rekeyed (ticks are skipped). A relay's
    /// `error` is thrown as `SyncError.refused`.
    mutating func receive(while doing: String) async throws -> Message {
        while true {
            if case .message(let message) = try await next(while: doing) { return message }
        }
    }

    /// The next message, notify or tick; pings are answered, pongs dropped, and a relay's
    /// `error` is thrown as `SyncError.refused`.
    mutating func next(while doing: String) async throws -> Event {
        while true {
            let arrival: Arrival?
            do {
                arrival = try await inbound.next()
            } catch let error as SyncError {
                throw error
            } catch let error as WireError {
                throw SyncError.protocolViolation("\(error)")
            } catch {
                throw SyncError.cut("while \(doing) (\(Self.reason(error)))")
            }
            guard let arrival else { throw SyncError.cut("while \(doing)") }
            guard case .frame(let payload) = arrival else { return .tick }
            traffic.bytesReceived += 4 + payload.count
            let message: Message
            do {
                message = try Message.decode(payload)
            } catch {
                throw SyncError.protocolViolation("\(error)")
            }
            switch message {
            case .ping(let nonce): try await send(.pong(nonce: nonce))
            case .pong: continue
            case .notify(let latest):
                latestNotified = max(latestNotified, latest)
                return .notified(latest)
            case .rekeyed(let epoch):
                // Like a notify: a device that stays connected syncs, and learns the epoch first.
                latestEpoch = max(latestEpoch, epoch)
                return .notified(latestNotified)
            case .error(let code, let text): throw SyncError.refused(code, text)
            default:
                traffic.replies += 1
                return .message(message)
            }
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first?.error { return reason(first) }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if error is ChannelError { return "the connection closed" }
        return "\(error)"
    }
}

/// Ends the connection when the relay owes a reply and has not completed one for `timeout`,
/// so a relay that stops answering ends the sync with a clear message instead of hanging it.
///
/// It counts requests written (hello, auth, join, push, pull, snapshot get, forget, ping,
/// devices get, invite put and take, epochs get, epoch put) and
/// replies read, on the event loop; a device that is merely slow to send its next request
/// (or waits for nothing) is never timed out. A reply counts only once its whole frame is in:
/// a relay (or a path) that stalls in the middle of a frame, trickles bytes, or sends pings
/// and notifies instead of the reply owed is timed out all the same.
final class ReplyDeadline: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let requests: Set<UInt8> = [0x01, 0x03, 0x04, 0x10, 0x12, 0x21, 0x30, 0x40, 0x50, 0x52, 0x54, 0x56, 0x58]
    static let replies: Set<UInt8> = [0x02, 0x05, 0x11, 0x13, 0x22, 0x31, 0x41, 0x51, 0x53, 0x55, 0x57, 0x59, 0x7f]

    private let timeout: TimeAmount
    private var owed = 0
    /// When the oldest reply still owed became owed, or the last reply was completed.
    private var lastProgress = NIODeadline.now()
    private var check: RepeatedTask?
    /// Payload bytes of the current frame still to pass, its type, and the next frame's header so far.
    private var skip = 0
    private var type: UInt8 = 0
    private var header: [UInt8] = []

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let every = max(.milliseconds(100), min(timeout, .seconds(1)))
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
            let (handler, context) = bound.value
            guard handler.owed > 0, NIODeadline.now() - handler.lastProgress > handler.timeout else { return }
            handler.check?.cancel()
            context.fireErrorCaught(SyncError.cut("because the relay stopped answering"))
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        if let type = frame.getInteger(at: frame.readerIndex + 4, as: UInt8.self), Self.requests.contains(type) {
            if owed == 0 { lastProgress = .now() }
            owed += 1
        }
        context.write(data, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        // Follow frame boundaries to see each frame's type and where it ends.
        while buffer.readableBytes > 0 {
            if skip > 0 {
                let count = min(skip, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: count)
                skip -= count
                if skip == 0 { completed() }
                continue
            }
            header.append(buffer.readInteger(as: UInt8.self)!)
            guard header.count == 5 else { continue }
            let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            type = header[4]
            skip = max(0, length - 1)
            header = []
            if skip == 0 { completed() }
        }
        context.fireChannelRead(data)
    }

    /// A whole frame of `type` is in.
    private func completed() {
        guard Self.replies.contains(type), owed > 0 else { return }
        owed -= 1
        lastProgress = .now()
    }
}
