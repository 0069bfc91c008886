import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// What a `FaultProxy` does to one connection.
public struct FaultPlan: Hashable, Sendable, CustomStringConvertible {
    /// Which way bytes go through the proxy.
    public enum Direction: String, Hashable, Sendable, CaseIterable {
        /// From the connecting side (a device) to the target (the relay).
        case toTarget = "device→relay"
        /// From the target (the relay) back to the connecting side (a device).
        case toClient = "relay→device"
    }

    public enum Kind: String, Hashable, Sendable, CaseIterable, Comparable {
        /// Forwards everything as it comes.
        case pass
        /// After `afterBytes` bytes in `direction`, closes both connections (FIN).
        case cut
        /// After `afterBytes` bytes in `direction`, forwards nothing more that way; both
        /// connections stay open (no FIN, no RST). The other direction goes on.
        case stall
        /// Forwards both ways one byte per write, each flushed on its own.
        case trickle
        /// After `afterBytes` bytes in `direction`, resets both connections (SO_LINGER 0, then
        /// close: an RST instead of a FIN).
        case reset

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var kind: Kind
    public var direction: Direction
    /// Bytes forwarded in `direction` before the fault (for cut, stall and reset).
    public var afterBytes: Int

    public init(_ kind: Kind, _ direction: Direction = .toTarget, afterBytes: Int = 0) {
        self.kind = kind
        self.direction = direction
        self.afterBytes = afterBytes
    }

    public static let pass = FaultPlan(.pass)
    public static let trickle = FaultPlan(.trickle)
    public static func cut(_ direction: Direction, after bytes: Int) -> FaultPlan { FaultPlan(.cut, direction, afterBytes: bytes) }
    public static func stall(_ direction: Direction, after bytes: Int) -> FaultPlan { FaultPlan(.stall, direction, afterBytes: bytes) }
    public static func reset(_ direction: Direction, after bytes: Int) -> FaultPlan { FaultPlan(.reset, direction, afterBytes: bytes) }

    /// A plan of one of `kinds`, its direction and byte count drawn from `generator`: half the
    /// time within the first `early` bytes (where the handshake is), else within `bytes`.
    public static func random(
        _ kinds: [Kind], directions: [Direction] = Direction.allCases, bytes: Int = 8192, early: Int = 400,
        using generator: inout some RandomNumberGenerator
    ) -> FaultPlan {
        let kind = kinds.randomElement(using: &generator)!
        let direction = directions.randomElement(using: &generator)!
        let limit = Bool.random(using: &generator) ? early : bytes
        return FaultPlan(kind, direction, afterBytes: Int.random(in: 0..<max(1, limit), using: &generator))
    }

    public var description: String {
        switch kind {
        case .pass, .trickle: return kind.rawValue
        default: return "\(kind.rawValue) \(direction.rawValue) after \(afterBytes) bytes"
        }
    }
}

/// A TCP proxy on loopback for tests, in front of a target port: each connection it accepts is
/// forwarded to the target under a `FaultPlan` the test chooses (cut, stalled, trickled or
/// reset after so many bytes one way).
public final class FaultProxy: Sendable {
    /// What the proxy saw and did.
    public struct Counts: Sendable, CustomStringConvertible {
        /// Connections accepted.
        public var connections = 0
        /// Faults that happened (a plan's fault counts once its byte count was reached; a
        /// trickle once a byte was trickled).
        public var faults: [FaultPlan.Kind: Int] = [:]
        /// Bytes forwarded each way.
        public var bytes: [FaultPlan.Direction: Int] = [:]

        public init() {}

        public var description: String {
            let kinds = faults.keys.sorted().map { "\($0.rawValue) \(faults[$0]!)" }.joined(separator: ", ")
            return "\(connections) connections, faults: [\(kinds)]"
        }

        public static func + (lhs: Counts, rhs: Counts) -> Counts {
            var sum = lhs
            sum.connections += rhs.connections
            sum.faults.merge(rhs.faults, uniquingKeysWith: +)
            sum.bytes.merge(rhs.bytes, uniquingKeysWith: +)
            return sum
        }
    }

    /// State shared with the event loops.
    final class Shared: @unchecked Sendable {
        private let lock = NSLock()
        private var plans: @Sendable (Int) -> FaultPlan = { _ in .pass }
        private var counts = Counts()
        private var open: [ObjectIdentifier: any Channel] = [:]
        private var stopped = false

        func withLock<T>(_ body: () throws -> T) rethrows -> T {
            lock.lock()
            defer { lock.unlock() }
            return try body()
        }

        func setPlans(_ plans: @escaping @Sendable (Int) -> FaultPlan) { withLock { self.plans = plans } }

        /// The plan for a new connection (nil once stopped), counting the connection.
        func accept(_ channel: any Channel) -> FaultPlan? {
            let plans: @Sendable (Int) -> FaultPlan
            let index: Int
            (plans, index) = withLock {
                guard !stopped else { return ({ _ in .pass }, -1) }
                open[ObjectIdentifier(channel)] = channel
                counts.connections += 1
                return (self.plans, counts.connections - 1)
            }
            guard index >= 0 else { return nil }
            channel.closeFuture.whenComplete { _ in self.withLock { _ = self.open.removeValue(forKey: ObjectIdentifier(channel)) } }
            return plans(index)
        }

        func track(_ channel: any Channel) {
            withLock { open[ObjectIdentifier(channel)] = channel }
            channel.closeFuture.whenComplete { _ in self.withLock { _ = self.open.removeValue(forKey: ObjectIdentifier(channel)) } }
        }

        func count(fault kind: FaultPlan.Kind) { withLock { counts.faults[kind, default: 0] += 1 } }
        func count(bytes: Int, _ direction: FaultPlan.Direction) { withLock { counts.bytes[direction, default: 0] += bytes } }
        var snapshot: Counts { withLock { counts } }

        /// Marks the proxy stopped; the channels still open.
        func stop() -> [any Channel] {
            withLock {
                stopped = true
                return Array(open.values)
            }
        }
    }

    let listener: any Channel
    let shared: Shared
    /// The port the proxy listens on (on 127.0.0.1).
    public let port: Int
    /// The port it forwards to (on 127.0.0.1).
    public let target: Int

    /// Listens on 127.0.0.1 (any free port) and forwards to `127.0.0.1:target`, passing
    /// everything through until told otherwise.
    public static func start(target: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> FaultProxy {
        let shared = Shared()
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { client in
                guard let plan = shared.accept(client) else { return client.close() }
                return ClientBootstrap(group: client.eventLoop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelOption(.autoRead, value: false)
                    .connectTimeout(.seconds(10))
                    .connect(host: "127.0.0.1", port: target)
                    .flatMap { server in
                        shared.track(server)
                        let splice = Splice(plan: plan, client: client, server: server, shared: shared)
                        do {
                            try client.pipeline.syncOperations.addHandler(SideHandler(splice: splice, reads: .toTarget))
                            try server.pipeline.syncOperations.addHandler(SideHandler(splice: splice, reads: .toClient))
                        } catch {
                            client.close(promise: nil)
                            server.close(promise: nil)
                            return client.eventLoop.makeFailedFuture(error)
                        }
                        // Reads start only now that both ends are there.
                        return server.setOption(.autoRead, value: true).flatMap { client.setOption(.autoRead, value: true) }
                    }
                    .flatMapError { error in
                        client.close(promise: nil)
                        return client.eventLoop.makeFailedFuture(error)
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return FaultProxy(listener: listener, shared: shared, target: target)
    }

    init(listener: any Channel, shared: Shared, target: Int) {
        self.listener = listener
        self.shared = shared
        self.target = target
        port = listener.localAddress?.port ?? 0
    }

    /// Every connection accepted from now on gets `plan`.
    public func use(_ plan: FaultPlan) { shared.setPlans { _ in plan } }

    /// Connection N (counting from 0 since the proxy started) gets `plans(N)`.
    public func use(_ plans: @escaping @Sendable (Int) -> FaultPlan) { shared.setPlans(plans) }

    public var counts: Counts { shared.snapshot }

    /// Stops listening and closes every connection still open, stalled or not.
    public func stop() async {
        try? await listener.close()
        for channel in shared.stop() { try? await channel.close() }
    }
}

/// One proxied connection: the two channels (on one event loop) and what the plan did so far.
/// Used only on that event loop.
final class Splice: @unchecked Sendable {
    let plan: FaultPlan
    let client: any Channel
    let server: any Channel
    let shared: FaultProxy.Shared
    var forwarded: [FaultPlan.Direction: Int] = [:]
    var stalled: Set<FaultPlan.Direction> = []
    /// Cut or reset: nothing more is forwarded.
    var ended = false
    /// Trickle: bytes waiting, whether a byte is on its way, and whether the source closed.
    var queued: [FaultPlan.Direction: ByteBuffer] = [:]
    var pumping: Set<FaultPlan.Direction> = []
    var sourceClosed: Set<FaultPlan.Direction> = []
    var trickleCounted = false

    init(plan: FaultPlan, client: any Channel, server: any Channel, shared: FaultProxy.Shared) {
        self.plan = plan
        self.client = client
        self.server = server
        self.shared = shared
    }

    func destination(_ direction: FaultPlan.Direction) -> any Channel { direction == .toTarget ? server : client }
    func source(_ direction: FaultPlan.Direction) -> any Channel { direction == .toTarget ? client : server }

    func received(_ buffer: ByteBuffer, going direction: FaultPlan.Direction) {
        var buffer = buffer
        guard !ended, !stalled.contains(direction) else { return }
        let destination = destination(direction)
        if plan.kind == .trickle {
            if !trickleCounted {
                trickleCounted = true
                shared.count(fault: .trickle)
            }
            queued[direction, default: destination.allocator.buffer(capacity: buffer.readableBytes)].writeBuffer(&buffer)
            pump(direction)
            return
        }
        let done = forwarded[direction, default: 0]
        let triggers = plan.kind != .pass && plan.direction == direction && done + buffer.readableBytes > plan.afterBytes
        guard triggers else {
            forward(buffer, direction)
            return
        }
        let prefix = buffer.readSlice(length: max(0, plan.afterBytes - done))!
        shared.count(fault: plan.kind)
        switch plan.kind {
        case .stall:
            stalled.insert(direction)
            forward(prefix, direction)
        case .cut:
            ended = true
            let written = forward(prefix, direction)
            source(direction).close(promise: nil)
            written.whenComplete { _ in destination.close(promise: nil) }
        case .reset:
            ended = true
            let written = forward(prefix, direction)
            Self.reset(source(direction))
            written.whenComplete { _ in Self.reset(destination) }
        case .pass, .trickle:
            preconditionFailure()
        }
    }

    @discardableResult
    func forward(_ buffer: ByteBuffer, _ direction: FaultPlan.Direction) -> EventLoopFuture<Void> {
        forwarded[direction, default: 0] += buffer.readableBytes
        shared.count(bytes: buffer.readableBytes, direction)
        return destination(direction).writeAndFlush(buffer)
    }

    /// Writes the next queued byte `direction`, then (on a later event loop turn) the next.
    func pump(_ direction: FaultPlan.Direction) {
        guard !pumping.contains(direction), !ended else { return }
        guard var queue = queued[direction], queue.readableBytes > 0 else {
            if sourceClosed.contains(direction) { destination(direction).close(promise: nil) }
            return
        }
        let byte = queue.readSlice(length: 1)!
        queue.discardReadBytes()
        queued[direction] = queue
        pumping.insert(direction)
        let loop = destination(direction).eventLoop
        forward(byte, direction).whenComplete { result in
            loop.execute {
                self.pumping.remove(direction)
                if case .failure = result {
                    self.queued[direction] = nil
                    return
                }
                self.pump(direction)
            }
        }
    }

    /// The channel reading `direction`'s bytes closed.
    func closed(reading direction: FaultPlan.Direction) {
        sourceClosed.insert(direction)
        // A cut or reset closes both ends its own way.
        if ended { return }
        // A stalled relay stays silent: its end closing is not passed on.
        if direction == .toClient && stalled.contains(.toClient) { return }
        if (queued[direction]?.readableBytes ?? 0) > 0 || pumping.contains(direction) { return }
        destination(direction).close(promise: nil)
    }

    /// An RST instead of a FIN: SO_LINGER on with a zero timeout, then close.
    static func reset(_ channel: any Channel) {
        guard let provider = channel as? any SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Reads one channel of a splice.
final class SideHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    let splice: Splice
    /// Which way the bytes read here go.
    let reads: FaultPlan.Direction

    init(splice: Splice, reads: FaultPlan.Direction) {
        self.splice = splice
        self.reads = reads
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        splice.received(unwrapInboundIn(data), going: reads)
    }

    func channelInactive(context: ChannelHandlerContext) {
        splice.closed(reading: reads)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
