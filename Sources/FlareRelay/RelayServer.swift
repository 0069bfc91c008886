import FlareWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The relay on TCP (SwiftNIO): frames in, `RelaySession` replies out, `notify` fanned out to a
/// vault's other connections when one of them stores envelopes.
public final class RelayServer: Sendable {
    let channel: any Channel
    let hub: VaultHub

    /// The port it listens on (useful when started on port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Starts listening on `host:port`.
    public static func start(
        host: String, port: Int, storage: any RelayStorage, settings: RelaySession.Settings = .init(), group: any EventLoopGroup
    ) async throws -> RelayServer {
        let hub = VaultHub()
        let limit = Int(settings.maximumFrame)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: .seconds(Int64(settings.idleSeconds))),
                        ByteToMessageHandler(FrameDecoder(limit: limit)),
                        RelayConnection(session: RelaySession(storage: storage, settings: settings), hub: hub),
                    ])
                }
            }
            .bind(host: host, port: port)
            .get()
        return RelayServer(channel: channel, hub: hub)
    }

    init(channel: any Channel, hub: VaultHub) {
        self.channel = channel
        self.hub = hub
    }

    /// Stops accepting connections and closes the open ones.
    public func stop() async throws {
        try await channel.close()
        hub.closeAll()
    }
}

/// One connection: decodes messages, runs them through its session, writes the replies.
final class RelayConnection: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private var session: RelaySession
    private let hub: VaultHub
    private var registered = false

    init(session: RelaySession, hub: VaultHub) {
        self.session = session
        self.hub = hub
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        let message: Message
        do {
            message = try Message.decode(payload)
        } catch {
            send([.error(.malformed, message: "\(error)")], close: true, context: context)
            return
        }
        let outcome = session.handle(message)
        if !registered, let vault = session.vault {
            registered = true
            hub.add(context.channel, to: vault)
        }
        send(outcome.replies, close: outcome.close, context: context)
        if outcome.stored, let vault = session.vault {
            for reply in outcome.replies {
                if case .ack(_, _, let serverSeq) = reply { hub.notify(vault, latest: serverSeq, except: context.channel) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case WireError.frameLength(let length, let limit)? = error as? WireError {
            send([.error(.frameTooLarge, message: "a frame of \(length) bytes; at most \(limit)")], close: true, context: context)
        } else {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        hub.remove(context.channel)
        context.fireChannelInactive()
    }

    private func send(_ messages: [Message], close: Bool, context: ChannelHandlerContext) {
        for message in messages {
            context.write(wrapOutboundOut(context.channel.allocator.frame(message)), promise: nil)
        }
        if close {
            // Close once the replies are written, so the device reads why.
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        } else {
            context.flush()
        }
    }
}

/// The open connections of each vault, for `notify`.
final class VaultHub: Sendable {
    private let connections = NIOLockedValueBox([WireID: [ObjectIdentifier: any Channel]]())

    func add(_ channel: any Channel, to vault: WireID) {
        connections.withLockedValue { $0[vault, default: [:]][ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        connections.withLockedValue { all in
            for vault in all.keys { all[vault]?.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    func notify(_ vault: WireID, latest: UInt64, except sender: any Channel) {
        let others = connections.withLockedValue { $0[vault].map { Array($0.values) } ?? [] }
        let notify = Message.notify(latestServerSeq: latest)
        for channel in others where channel !== sender {
            channel.writeAndFlush(channel.allocator.frame(notify), promise: nil)
        }
    }

    func closeAll() {
        let all = connections.withLockedValue { $0.values.flatMap(\.values) }
        for channel in all { channel.close(promise: nil) }
    }
}
