import FlareCrypto
import FlareRelay
import FlareWire
import Foundation
import NIOPosix
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client on loopback, speaking frames; reads time out after 5 s.
final class WireClient {
    private let descriptor: Int32
    private var decoder = Frame.Decoder()

    init(port: Int) throws {
        descriptor = try Self.connect(port: port)
    }

    /// A TCP socket connected to 127.0.0.1:`port`, whose reads time out after 5 s.
    static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw WireError.malformed("cannot connect to port \(port)")
        }
        return descriptor
    }

    deinit { close(descriptor) }

    func send(_ message: Message) { raw(Frame.encode(message.encoded())) }

    func raw(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends what the socket takes now without waiting (a peer that never reads would
    /// otherwise block the sender once its buffers fill).
    func trySend(_ message: Message) {
        let bytes = Frame.encode(message.encoded())
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    /// Sends FIN: no more bytes from this side.
    func shutdownWriting() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Whether the relay has closed the connection (without waiting).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// The next message, or nil when the relay closed the connection (or nothing came in 5 s).
    func receive() throws -> Message? {
        while true {
            if let payload = try decoder.next() { return try Message.decode(payload) }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            decoder.feed(chunk.prefix(count))
        }
    }
}

@Suite struct RelayServerTests {
    /// A device that joins or authenticates over a real connection.
    static func connect(_ device: RelaySessionTests.Device, port: Int, join: Bool) throws -> WireClient {
        let client = try WireClient(port: port)
        let nonce = Random.bytes(32)
        client.send(.hello(lowestVersion: 3, highestVersion: 3, vault: device.vault, deviceKey: device.deviceKey.publicKey, nonce: nonce, replica: device.replica))
        guard case .challenge(let version, let relayNonce, let session, _, _)? = try client.receive() else {
            throw WireError.malformed("no challenge")
        }
        let transcript = Transcript.auth(
            vault: device.vault, deviceKey: device.deviceKey.publicKey, replica: device.replica, deviceNonce: nonce, relayNonce: relayNonce, session: session, version: version)
        if join {
            let admission = device.keys.authKey.signature(for: Transcript.admission(vault: device.vault, deviceKey: device.deviceKey.publicKey, replica: device.replica))
            client.send(.join(vaultAuthKey: device.keys.authKey.publicKey, admission: admission, invite: "", signature: device.deviceKey.signature(for: transcript)))
        } else {
            client.send(.auth(signature: device.deviceKey.signature(for: transcript)))
        }
        guard case .welcome? = try client.receive() else { throw WireError.malformed("no welcome") }
        return client
    }

    /// When a device moves the vault to a new key epoch, the relay tells the vault's other
    /// connections at once (`rekeyed`) and refuses and closes those of the keys it revoked.
    @Test func aRevocationReachesTheConnectedDevicesAtOnce() async throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await RelayServer.start(host: "127.0.0.1", port: 0, storage: storage, settings: .init(open: true), group: group)
        let secret = VaultSecret.random()
        let (laptopDevice, tabletDevice, phoneDevice) = (RelaySessionTests.Device(secret), RelaySessionTests.Device(secret), RelaySessionTests.Device(secret))
        let laptop = try Self.connect(laptopDevice, port: server.port, join: true)
        let tablet = try Self.connect(tabletDevice, port: server.port, join: true)
        let phone = try Self.connect(phoneDevice, port: server.port, join: true)
        let keys = [laptopDevice, tabletDevice, phoneDevice].map(\.deviceKey.publicKey)
        laptop.send(.epochPut(laptopDevice.record(
            epoch: 1, parent: laptopDevice.keys.authKey, next: .random(), revoking: [keys[2]], keeping: [keys[0], keys[1]])))
        guard case .epochStored(1)? = try laptop.receive() else { Issue.record("not stored"); return }
        guard case .rekeyed(1)? = try tablet.receive() else { Issue.record("the tablet was not told"); return }
        guard case .error(.revoked, _)? = try phone.receive() else { Issue.record("the phone was not refused"); return }
        #expect(try phone.receive() == nil, "the phone's connection closes")
        try await server.stop()
        try await group.shutdownGracefully()
    }

    @Test func devicesSyncAndHearOfEachOthersPushes() async throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await RelayServer.start(host: "127.0.0.1", port: 0, storage: storage, settings: .init(open: true), group: group)
        let secret = VaultSecret.random()
        let phoneDevice = RelaySessionTests.Device(secret)
        let laptopDevice = RelaySessionTests.Device(secret)

        let phone = try Self.connect(phoneDevice, port: server.port, join: true)
        phone.send(.push([phoneDevice.envelope(1, 2)]))
        guard case .ack(_, _, 1)? = try phone.receive() else { Issue.record("no ack"); return }

        let laptop = try Self.connect(laptopDevice, port: server.port, join: true)
        laptop.send(.pull(afterServerSeq: 0, maximumBytes: 1 << 20))
        guard case .batch(let items, false)? = try laptop.receive() else { Issue.record("no batch"); return }
        #expect(items.map(\.serverSeq) == [1])
        laptop.send(.push([laptopDevice.envelope(1, 1)]))
        guard case .ack(_, _, 2)? = try laptop.receive() else { Issue.record("no second ack"); return }
        // The phone, still connected, hears of it.
        guard case .notify(2)? = try phone.receive() else { Issue.record("no notify"); return }

        // A frame over the limit: an error, then the connection closes; the relay goes on.
        let greedy = try WireClient(port: server.port)
        greedy.raw([0x7F, 0xFF, 0xFF, 0xFF])
        guard case .error(.frameTooLarge, _)? = try greedy.receive() else { Issue.record("no frameTooLarge"); return }
        #expect(try greedy.receive() == nil, "the connection closes")

        // Garbage inside a frame.
        let noisy = try WireClient(port: server.port)
        noisy.raw(Frame.encode([0x55, 1, 2, 3]))
        guard case .error(.malformed, _)? = try noisy.receive() else { Issue.record("no malformed"); return }
        #expect(try noisy.receive() == nil, "the connection closes")

        // A truncated frame from a client that goes away.
        do {
            let quitter = try WireClient(port: server.port)
            quitter.raw([0x00, 0x00])
        }
        let again = try Self.connect(phoneDevice, port: server.port, join: false)
        again.send(.ping(nonce: 9))
        guard case .pong(9)? = try again.receive() else { Issue.record("relay stopped serving"); return }
        #expect(try storage.position(of: phoneDevice.vault).serverSeq == 2)

        try await server.stop()
        try await group.shutdownGracefully()
    }
}
