import FlareCRDT
import FlareCrypto
import FlareRelay
import FlareStore
import FlareSync
import FlareWire
import NIOPosix
import TestSupport

/// A relay on loopback in this process, over SQLite storage in a file.
struct TestRelay: Sendable {
    let path: String
    let port: Int
    let settings: RelaySession.Settings
    let storage: SQLiteRelayStorage
    let server: RelayServer

    /// Starts on `port`, or when it is 0 on a port outside the kernel's ephemeral range
    /// (32768–60999 here), so the test can restart it on the same port: no client socket of a
    /// parallel test can hold it meanwhile. Its idle limit is ten minutes: a test waiting for a
    /// thread on a loaded machine is not a slow-loris peer to be cut off.
    static func start(at path: String, port: Int = 0, settings: RelaySession.Settings = .init(idleSeconds: 600, open: true)) async throws -> TestRelay {
        let storage = try SQLiteRelayStorage(path: path)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let server = try await RelayServer.start(
                    host: "127.0.0.1", port: port == 0 ? Int.random(in: 20_000..<32_000) : port, storage: storage, settings: settings,
                    group: MultiThreadedEventLoopGroup.singleton)
                return TestRelay(path: path, port: server.port, settings: settings, storage: storage, server: server)
            } catch where port == 0 && attempt < 20 {
                continue
            } catch where attempt < 50 {
                // Restarting on the same port: the old connections may hold it for a moment.
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    var address: RelayAddress { RelayAddress(host: "127.0.0.1", port: port) }

    func stop() async throws { try await server.stop() }

    /// A new relay on the same storage file, port and settings (after `stop()`).
    func restarted() async throws -> TestRelay {
        try await TestRelay.start(at: path, port: port, settings: settings)
    }
}

extension SyncClient {
    /// A client whose sync stops `relay` once the first envelopes of `phase` are through.
    static func cutting(_ relay: TestRelay, during phase: SyncProgress.Phase) -> SyncClient {
        var client = SyncClient()
        client.progress = { progress in
            if progress.phase == phase, progress.envelopesDone > 0 { try? await relay.stop() }
        }
        return client
    }
}

/// Devices of one vault, as files in a folder.
struct TestDevices: Sendable {
    static let passphrase = "correct horse battery staple"
    let folder: TemporaryFolder
    let secret = VaultSecret.random()

    init() throws { folder = try TemporaryFolder() }

    func path(_ name: String) -> String { folder.path(name + ".flare") }

    /// Creates device `name` (a new vault's first device, or joining it).
    func create(_ name: String) throws -> Vault {
        try Vault.create(at: path(name), passphrase: Self.passphrase, joining: secret, parameters: .minimumForTests)
    }

    func open(_ name: String) throws -> Vault {
        try Vault.open(at: path(name), passphrase: Self.passphrase)
    }

    /// Opens device `name`, runs `body`, closes it.
    func with<Result>(_ name: String, _ body: (Vault) async throws -> Result) async throws -> Result {
        try await open(name).closing(after: body)
    }
}

extension Vault {
    /// Logs `count` symptom entries named `prefix-N`, in one transaction.
    func logEntries(_ prefix: String, count: Int, pain: Int64 = 4) throws {
        _ = try write { batch in
            for index in 0..<count {
                _ = try batch.makeChange { change in
                    let id = "\(prefix)-\(index)"
                    try change.create(id, type: "symptom")
                    try change.set(id, "pain", to: .int(pain))
                    try change.add(id, "regions", "lower back")
                    try change.insertText(id, "note", at: 0, "stiff on waking, eased after a walk (\(prefix) \(index))")
                }
            }
        }
    }

    /// The state, byte for byte (for "converged" checks).
    var stateBytes: [UInt8] { replica.snapshot.encoded() }
}
