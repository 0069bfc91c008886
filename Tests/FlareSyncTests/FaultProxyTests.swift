import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import TestSupport
import ToolSupport

/// The test proxy itself: each plan does to the bytes what it says, and nothing else.
@Suite struct FaultProxyTests {
    /// What one end of a connection saw: the bytes, and how it ended.
    final class Seen: Sendable {
        struct State {
            var bytes: [UInt8] = []
            var ended = false
            var error: (any Error)?
        }
        let state = NIOLockedValueBox(State())
        var bytes: [UInt8] { state.withLockedValue { $0.bytes } }
        var ended: Bool { state.withLockedValue { $0.ended } }
    }

    /// Records what arrives; with `echo`, sends it back.
    final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let seen: Seen
        let echo: Bool

        init(seen: Seen, echo: Bool) {
            self.seen = seen
            self.echo = echo
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            seen.state.withLockedValue { $0.bytes += buffer.readableBytesView }
            if echo { context.writeAndFlush(data, promise: nil) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            seen.state.withLockedValue { $0.ended = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            seen.state.withLockedValue { if $0.error == nil { $0.error = error } }
            context.close(promise: nil)
        }
    }

    /// An echo server whose connections record what they received (one `Seen` per connection).
    final class EchoServer: Sendable {
        let channel: any Channel
        let connections: NIOLockedValueBox<[Seen]>
        let children: NIOLockedValueBox<[any Channel]>

        init() async throws {
            let connections = NIOLockedValueBox<[Seen]>([])
            let children = NIOLockedValueBox<[any Channel]>([])
            self.connections = connections
            self.children = children
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    let seen = Seen()
                    connections.withLockedValue { $0.append(seen) }
                    children.withLockedValue { $0.append(channel) }
                    return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Recorder(seen: seen, echo: true)) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        }

        var port: Int { channel.localAddress!.port! }
        var first: Seen? { connections.withLockedValue { $0.first } }
    }

    static func connect(to port: Int) async throws -> (any Channel, Seen) {
        let seen = Seen()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Recorder(seen: seen, echo: false)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return (channel, seen)
    }

    /// Waits until `condition` holds, for at most 30 seconds (generous: the machine is shared).
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<600 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    static func payload(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(state: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Sends `bytes` in writes of a few sizes.
    static func send(_ bytes: [UInt8], on channel: any Channel) async throws {
        var rest = bytes[...]
        var size = 1
        while !rest.isEmpty {
            let chunk = rest.prefix(size)
            rest = rest.dropFirst(chunk.count)
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: chunk))
            size = size * 7 % 4001 + 1
        }
    }

    @Test(arguments: [FaultPlan.pass, .trickle])
    func passAndTrickleCarryEveryByteBothWays(plan: FaultPlan) async throws {
        let server = try await EchoServer()
        let proxy = try await FaultProxy.start(target: server.port)
        proxy.use(plan)
        let (client, seen) = try await Self.connect(to: proxy.port)
        let sent = Self.payload(20_000, seed: 1)
        try await Self.send(sent, on: client)
        #expect(try await Self.eventually { seen.bytes.count >= sent.count })
        #expect(seen.bytes == sent)
        #expect(server.first?.bytes == sent)
        #expect(proxy.counts.faults[.trickle] == (plan == .trickle ? 1 : nil))
        #expect(proxy.counts.bytes[.toTarget] == sent.count && proxy.counts.bytes[.toClient] == sent.count)
        // The client's close reaches the server.
        try await client.close()
        #expect(try await Self.eventually { server.first?.ended == true })
        await proxy.stop()
        try await server.channel.close()
    }

    @Test(arguments: FaultPlan.Direction.allCases)
    func aCutEndsBothConnectionsAfterExactlySoManyBytes(direction: FaultPlan.Direction) async throws {
        let server = try await EchoServer()
        let proxy = try await FaultProxy.start(target: server.port)
        let after = 1234
        let kind = FaultPlan.Kind.cut
        proxy.use(.cut(direction, after: after))
        let (client, seen) = try await Self.connect(to: proxy.port)
        let sent = Self.payload(5000, seed: 2)
        try? await Self.send(sent, on: client)
        #expect(try await Self.eventually { seen.ended })
        #expect(try await Self.eventually { server.first?.ended == true })
        let serverSeen = try #require(server.first)
        switch direction {
        case .toTarget:
            // The server got exactly the first bytes, then a FIN; the client what was echoed
            // before the cut.
            #expect(serverSeen.bytes == Array(sent.prefix(after)))
            #expect(seen.bytes.count <= after && Array(sent.prefix(seen.bytes.count)) == seen.bytes)
        case .toClient:
            #expect(seen.bytes == Array(sent.prefix(after)))
            #expect(Array(sent.prefix(serverSeen.bytes.count)) == serverSeen.bytes)
        }
        #expect(proxy.counts.faults[kind] == 1)
        await proxy.stop()
        try await server.channel.close()
    }

    @Test(arguments: FaultPlan.Direction.allCases)
    func aStallKeepsTheConnectionOpenAndSilentOneWay(direction: FaultPlan.Direction) async throws {
        let server = try await EchoServer()
        let proxy = try await FaultProxy.start(target: server.port)
        let after = 777
        proxy.use(.stall(direction, after: after))
        let (client, seen) = try await Self.connect(to: proxy.port)
        let sent = Self.payload(5000, seed: 3)
        try await Self.send(sent, on: client)
        let expected = direction == .toTarget ? after : sent.count
        #expect(try await Self.eventually { server.first?.bytes.count == expected })
        #expect(try await Self.eventually { seen.bytes.count >= after })
        // Time for anything more to arrive (none should), then: exactly the first bytes, and
        // both connections still open (no FIN, no RST).
        try await Task.sleep(for: .milliseconds(300))
        #expect(seen.bytes == Array(sent.prefix(after)))
        #expect(server.first?.bytes == Array(sent.prefix(expected)))
        #expect(!seen.ended && server.first?.ended == false && client.isActive)
        if direction == .toClient {
            // The silent end closing is not passed on either: the client sees silence.
            for child in server.children.withLockedValue({ $0 }) { try await child.close() }
            #expect(try await Self.eventually { server.first?.ended == true })
            try await Task.sleep(for: .milliseconds(300))
            #expect(!seen.ended && client.isActive)
        }
        // Stopping the proxy ends it.
        await proxy.stop()
        #expect(try await Self.eventually { seen.ended })
        #expect(proxy.counts.faults[.stall] == 1)
        try? await server.channel.close()
    }
}

extension FaultProxyTests {
    /// How a blocking socket's reads ended.
    enum End: Equatable {
        case fin
        case error(Int32)
        case stillOpen
    }

    /// A blocking loopback socket on a thread of its own (off Swift's cooperative pool): sends
    /// `send`, then reads until the peer ends the connection (30 s at most).
    static func onThread(_ body: @escaping @Sendable () -> ([UInt8], End)) async -> ([UInt8], End) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    static func converse(_ fd: Int32, sending bytes: [UInt8]) -> ([UInt8], End) {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        var received: [UInt8] = []
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, min($0.count, 1000), Int32(MSG_NOSIGNAL)) }
            // A reset that arrives while sending is reported to the send, once: the reads after
            // it would only see the end of the stream.
            if sent < 0, errno == ECONNRESET {
                close(fd)
                return (received, .error(ECONNRESET))
            }
            if sent <= 0 { break }
            offset += sent
        }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += chunk.prefix(count)
                continue
            }
            let end: End = count == 0 ? .fin : (errno == EAGAIN || errno == EWOULDBLOCK ? .stillOpen : .error(errno))
            close(fd)
            return (received, end)
        }
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    @Test(arguments: FaultPlan.Direction.allCases)
    func aResetSendsAnRSTBothWays(direction: FaultPlan.Direction) async throws {
        // A blocking server socket that takes one connection.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(listener, 4) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        defer { close(listener) }

        let proxy = try await FaultProxy.start(target: port)
        let after = 999
        proxy.use(.reset(direction, after: after))
        let clientSends = direction == .toTarget ? Self.payload(5000, seed: 4) : []
        let serverSends = direction == .toClient ? Self.payload(5000, seed: 5) : []
        async let server = Self.onThread {
            let fd = accept(listener, nil, nil)
            return Self.converse(fd, sending: serverSends)
        }
        async let client = Self.onThread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var target = Self.loopback(port: proxy.port)
            let connected = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else { return ([], .error(errno)) }
            return Self.converse(fd, sending: clientSends)
        }
        let (serverGot, serverEnd) = await server
        let (clientGot, clientEnd) = await client
        // Both ends see "connection reset by peer", not a FIN; data in flight may be dropped
        // with the RST, never more than the plan's bytes pass.
        #expect(serverEnd == .error(ECONNRESET))
        #expect(clientEnd == .error(ECONNRESET))
        let sent = direction == .toTarget ? clientSends : serverSends
        let got = direction == .toTarget ? serverGot : clientGot
        #expect(got.count <= after && Array(sent.prefix(got.count)) == got)
        #expect(proxy.counts.faults[.reset] == 1)
        await proxy.stop()
    }
}
