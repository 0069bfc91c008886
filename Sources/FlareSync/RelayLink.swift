import FlareWire
import NIOCore
import NIOPosix

/// One connection to a relay, from the device's side: frames out, messages in. `ping`s are
/// answered and `notify`s noted here, so the session sees only the replies it waits for.
struct RelayLink {
    private var inbound: NIOAsyncChannelInboundStream<[UInt8]>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let allocator: ByteBufferAllocator
    private(set) var bytesSent = 0
    private(set) var bytesReceived = 0
    /// Replies waited for (not counting notify, ping and pong): one per round trip.
    private(set) var repliesReceived = 0
    /// The latest server seq a `notify` announced.
    private(set) var latestNotified: UInt64 = 0

    /// Connects and runs `body` with the link, then closes the connection.
    static func connect<Result>(
        to address: RelayAddress, group: any EventLoopGroup, timeout: TimeAmount, _ body: (inout RelayLink) async throws -> Result
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
            var link = RelayLink(inbound: inbound.makeAsyncIterator(), outbound: outbound, allocator: allocator)
            return try await body(&link)
        }
    }

    private init(inbound: NIOAsyncChannelInboundStream<[UInt8]>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, allocator: ByteBufferAllocator) {
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

    /// The next message that is not a ping, pong or notify. A relay's `error` is thrown as
    /// `SyncError.refused`.
    mutating func receive(while doing: String) async throws -> Message {
        while true {
            let payload: [UInt8]?
            do {
                payload = try await inbound.next()
            } catch let error as SyncError {
                throw error
            } catch let error as WireError {
                throw SyncError.protocolViolation("\(error)")
            } catch {
                throw SyncError.cut("while \(doing) (\(Self.reason(error)))")
            }
            guard let payload else { throw SyncError.cut("while \(doing)") }
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
            case .notify(let latest): latestNotified = max(latestNotified, latest)
            case .error(let code, let text): throw SyncError.refused(code, text)
            default:
                repliesReceived += 1
                return message
            }
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
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
