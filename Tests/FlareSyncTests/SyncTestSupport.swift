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
    let storage: SQLiteRelayStorage
    let server: RelayServer

    /// Starts on `port`, or when it is 0 on a port outside the kernel's ephemeral range
    /// (32768–60999 here), so the test can restart it on the same port: no client socket of a
    /// parallel test can hold it meanwhile.
    static func start(at path: String, port: Int = 0, settings: RelaySession.Settings = .init(open: true)) async throws -> TestRelay {
        let storage = try SQLiteRelayStorage(path: path)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let server = try await RelayServer.start(
                    host: "127.0.0.1", port: port == 0 ? Int.random(in: 20_000..<32_000) : port, storage: storage, settings: settings,
                    group: MultiThreadedEventLoopGroup.singleton)
                return TestRelay(storage: storage, server: server)
            } catch where port == 0 && attempt < 20 {
                continue
            }
        }
    }

    var address: RelayAddress { RelayAddress(host: "127.0.0.1", port: server.port) }

    func stop() async throws { try await server.stop() }
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
        let vault = try open(name)
        do {
            let result = try await body(vault)
            try vault.close()
            return result
        } catch {
            try? vault.close()
            throw error
        }
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
