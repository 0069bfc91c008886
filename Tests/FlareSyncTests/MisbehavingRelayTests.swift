import FlareBytes
import FlareStore
import FlareWire
import NIOCore
import NIOPosix
import Testing
import TestSupport

@testable import FlareSync

/// Relays that do not follow the protocol: the device stops with a clear error and stores
/// nothing it was sent.
@Suite struct MisbehavingRelayTests {
    /// Answers every frame with `reply` (or nothing).
    final class Scripted: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: [UInt8]?

        init(reply: [UInt8]?) { self.reply = reply }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let reply else { return }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: reply)), promise: nil)
        }
    }

    static func serve(reply: [UInt8]?) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Scripted(reply: reply)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @Test func aRelayThatNeverAnswersTimesOut() async throws {
        let mute = try await Self.serve(reply: nil)
        let devices = try TestDevices()
        let vault = try devices.create("phone")
        var client = SyncClient()
        client.timeout = .seconds(1)
        await #expect(throws: SyncError.cut("because the relay stopped answering")) {
            try await client.sync(vault, relay: RelayAddress(host: "127.0.0.1", port: mute.localAddress!.port!))
        }
        #expect(try SyncState.load(from: vault) == nil)
        try vault.close()
        try await mute.close()
    }

    @Test func aRelayThatSendsGarbageOrTheWrongMessageIsRefused() async throws {
        let devices = try TestDevices()
        let vault = try devices.create("phone")
        for reply in [Frame.encode([0x55, 1, 2]), Frame.encode(Message.forgotten.encoded()), [0xFF, 0xFF, 0xFF, 0xFF]] {
            let noisy = try await Self.serve(reply: reply)
            await #expect(throws: SyncError.self) {
                try await SyncClient().sync(vault, relay: RelayAddress(host: "127.0.0.1", port: noisy.localAddress!.port!))
            }
            try await noisy.close()
        }
        #expect(try SyncState.load(from: vault) == nil)
        #expect(vault.replica.versionVector.isEmpty)
        try vault.close()
    }

    /// Answers each frame it receives with the next of `replies` (nothing once they run out).
    final class Script: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private var replies: [[UInt8]]

        init(_ replies: [[UInt8]]) { self.replies = replies }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !replies.isEmpty else { return }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: replies.removeFirst())), promise: nil)
        }
    }

    static func serve(script: [[UInt8]]) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Script(script)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    static let challenge = Frame.encode(Message.challenge(
        version: 3, nonce: [UInt8](repeating: 1, count: 32), session: WireID([UInt8](repeating: 2, count: 16))!, maximumFrame: 1 << 20,
        idleSeconds: 60).encoded())

    /// Case 7: a relay (or a path) that goes silent in the middle of a reply, after its header
    /// is in, ends the sync with a clear error within the timeout instead of hanging it; so
    /// does one that trickles a reply byte by byte slower than the timeout allows.
    @Test func aRelayThatStallsInTheMiddleOfAReplyTimesOut() async throws {
        let devices = try TestDevices()
        let vault = try devices.create("phone")
        for cut in [5, 6, 40] {
            let stalling = try await Self.serve(script: [Array(Self.challenge.prefix(cut))])
            var client = SyncClient()
            client.timeout = .seconds(1)
            await #expect(throws: SyncError.cut("because the relay stopped answering")) {
                try await client.sync(vault, relay: RelayAddress(host: "127.0.0.1", port: stalling.localAddress!.port!))
            }
            try await stalling.close()
        }
        try vault.close()
    }

    /// Case 2: a relay announcing the largest server seqs (a welcome or notify of 2^64 - 1)
    /// is refused as breaking the protocol; the device neither traps nor stores anything.
    @Test func aRelayAnnouncingImpossibleSeqsIsRefused() async throws {
        let devices = try TestDevices()
        let vault = try devices.create("phone")
        var welcome = ByteWriter()
        welcome.byte(0x05)
        welcome.raw([UInt8](repeating: 3, count: 16))
        welcome.varint(UInt64.max)
        welcome.varint(0)
        var notify = ByteWriter()
        notify.byte(0x14)
        notify.varint(UInt64.max)
        let good = Frame.encode(Message.welcome(store: WireID([UInt8](repeating: 3, count: 16))!, serverSeq: 0, held: [], epoch: 0).encoded())
        for script in [[Self.challenge, Frame.encode(welcome.bytes)], [Self.challenge, Frame.encode(notify.bytes) + good]] {
            let liar = try await Self.serve(script: script)
            var client = SyncClient()
            client.timeout = .seconds(5)
            let error = await #expect(throws: SyncError.self) {
                try await client.sync(vault, relay: RelayAddress(host: "127.0.0.1", port: liar.localAddress!.port!))
            }
            guard case .protocolViolation(let what)? = error else {
                Issue.record("expected a protocol violation, got \(String(describing: error))")
                continue
            }
            #expect(what.contains("2^63 - 1"))
            try await liar.close()
        }
        #expect(vault.replica.versionVector.isEmpty)
        try vault.close()
    }

    @Test func nobodyListening() async throws {
        let devices = try TestDevices()
        let vault = try devices.create("phone")
        let closed = try await Self.serve(reply: nil)
        let port = closed.localAddress!.port!
        try await closed.close()
        await #expect(throws: SyncError.unreachable("127.0.0.1:\(port)", reason: "connection refused")) {
            try await SyncClient().sync(vault, relay: RelayAddress(host: "127.0.0.1", port: port))
        }
        try vault.close()
    }
}
