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
