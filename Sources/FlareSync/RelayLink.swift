import FlareWire
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

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
    private(set) var bytesSent = 0
    private(set) var bytesReceived = 0
    /// Replies waited for (not counting notify, ping and pong): one per round trip.
    private(set) var repliesReceived = 0
    /// The latest server seq a `notify` announced.
    private(set) var latestNotified: UInt64 = 0

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
                            IdleStateHandler(readTimeout: timeout), ByteToMessageHandler(FrameDecoder()), StallGuard(),
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
        bytesSent += frame.readableBytes
        do {
            try await outbound.write(frame)
        } catch {
            throw SyncError.cut("while sending (\(Self.reason(error)))")
        }
    }

    /// The next message that is not a ping, pong or notify (ticks are skipped). A relay's
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
            bytesReceived += 4 + payload.count
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
            case .error(let code, let text): throw SyncError.refused(code, text)
            default:
                repliesReceived += 1
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

/// Turns a read timeout into an error on the stream, so a relay that stops answering ends
/// the sync with a clear message instead of hanging it.
private final class StallGuard: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias InboundOut = [UInt8]

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.fireErrorCaught(SyncError.cut("because the relay stopped answering"))
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
