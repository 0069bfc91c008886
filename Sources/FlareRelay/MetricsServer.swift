import NIOCore
import NIOHTTP1
import NIOPosix

/// The relay's health check and counters over HTTP, for monitoring: `GET /health` answers
/// `200 ok` when the storage answers (else `503`), `GET /metrics` the counters in the
/// Prometheus text format. Meant for loopback or a private network; it shows counts only.
public final class MetricsServer: Sendable {
    let channel: any Channel

    /// The port it listens on.
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Starts serving `relay`'s health and counters on `host:port`.
    public static func start(host: String, port: Int, relay: RelayServer, group: any EventLoopGroup) async throws -> MetricsServer {
        let counters = relay.counters
        let storage = relay.storage
        let threadPool = relay.threadPool
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        MetricsHandler(counters: counters, storage: storage, threadPool: threadPool))
                }
            }
            .bind(host: host, port: port)
            .get()
        return MetricsServer(channel: channel)
    }

    init(channel: any Channel) {
        self.channel = channel
    }

    public func stop() async throws {
        try await channel.close()
    }
}

/// Answers one request per connection; the storage is asked on the thread pool.
final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let counters: RelayCounters
    let storage: any RelayStorage
    let threadPool: NIOThreadPool
    private var path: String?

    init(counters: RelayCounters, storage: any RelayStorage, threadPool: NIOThreadPool) {
        self.counters = counters
        self.storage = storage
        self.threadPool = threadPool
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = head.method == .GET ? head.uri : nil
        case .body: break
        case .end:
            let path = path
            let storage = storage
            let counters = counters
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            threadPool.runIfActive(eventLoop: context.eventLoop) { () -> (HTTPResponseStatus, String) in
                switch path {
                case "/health":
                    do {
                        _ = try storage.vaults()
                        return (.ok, "ok\n")
                    } catch {
                        return (.serviceUnavailable, "storage: \(error)\n")
                    }
                case "/metrics":
                    let vaults = (try? storage.vaults().count) ?? -1
                    return (.ok, counters.prometheusText(vaults: vaults))
                case nil: return (.methodNotAllowed, "GET only\n")
                default: return (.notFound, "try /health or /metrics\n")
                }
            }.whenComplete { result in
                let (handler, context) = bound.value
                let (status, body) = (try? result.get()) ?? (.serviceUnavailable, "stopping\n")
                handler.respond(status, body, context: context)
            }
        }
    }

    private func respond(_ status: HTTPResponseStatus, _ body: String, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        // One request per connection keeps the handler simple; monitors reconnect anyway.
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeThenClose(wrapOutboundOut(.end(nil)))
    }
}
