import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `flare unlock` and `flare lock` (the built binary): the unlock agent keeps a vault's key for
/// a while, commands given no passphrase use it, and it forgets the key on time, on `flare
/// lock` and when the passphrase changes; it keeps serving whatever a client sends it.
@Suite struct UnlockCLITests {
    @Test func anUnlockedVaultOpensWithoutAPassphraseUntilLocked() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        let locked = try sandbox.flare(["list"])
        #expect(locked.status == 64)
        #expect(locked.errors.contains("No passphrase"))

        let unlocked = try sandbox.flare(["unlock", "--for", "10m"], passphrase: AgentSandbox.passphrase)
        #expect(unlocked.status == 0, "\(unlocked.errors)")
        #expect(unlocked.output.hasPrefix("Unlocked \(sandbox.vault) until "))
        #expect(unlocked.output.contains("(10 minutes)"))
        let listed = try sandbox.flare(["list", "--json"])
        #expect(listed.status == 0, "\(listed.errors)")
        #expect((listed.json as? [Any])?.count == 1)
        #expect(try sandbox.flare(["unlock", "--status"]).output.hasPrefix("\(sandbox.vault) is unlocked until "))
        // An explicit passphrase comes first, so a wrong one is not masked by the agent's key.
        #expect(try sandbox.flare(["list"], passphrase: "not the passphrase").status == 77)

        // Only this user can reach the agent: its folder 0700, its socket 0600, both ours.
        for (path, type, mode) in [(sandbox.agentFolder, S_IFDIR, 0o700), (sandbox.socket, S_IFSOCK, 0o600)] {
            var info = stat()
            #expect(lstat(path, &info) == 0)
            #expect(info.st_mode & S_IFMT == type, "\(path)")
            #expect(info.st_mode & 0o777 == mode, "\(path) has mode \(String(info.st_mode & 0o777, radix: 8))")
            #expect(info.st_uid == getuid())
        }

        let lockedAgain = try sandbox.flare(["lock"])
        #expect(lockedAgain.status == 0)
        #expect(lockedAgain.output == "Locked every vault.\n")
        #expect(sandbox.waitForAgentToExit(), "an agent holding nothing exits")
        let refused = try sandbox.flare(["list"])
        #expect(refused.status == 64)
        #expect(refused.errors.contains("No passphrase"))
        #expect(try sandbox.flare(["unlock", "--status"]).output == "\(sandbox.vault) is locked.\n")
        #expect(try sandbox.flare(["lock"]).output == "Nothing was unlocked.\n")
    }

    @Test func aKeyIsForgottenWhenItsTimeIsUp() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        #expect(try sandbox.flare(["unlock", "--for", "2s"], passphrase: AgentSandbox.passphrase).status == 0)
        // Not timed tightly: a loaded machine may be slow to run each command.
        let deadline = ContinuousClock.now + .seconds(60)
        var status = ""
        while ContinuousClock.now < deadline {
            status = try sandbox.flare(["unlock", "--status"]).output
            if status.hasSuffix("is locked.\n") { break }
            usleep(200_000)
        }
        #expect(status == "\(sandbox.vault) is locked.\n")
        #expect(sandbox.waitForAgentToExit())
        #expect(try sandbox.flare(["list"]).status == 64)
        for duration in ["0s", "13h", "15", "m5", "5m5m"] {
            let refused = try sandbox.flare(["unlock", "--for", duration], passphrase: AgentSandbox.passphrase)
            #expect(refused.status == 64, "\(duration)")
            #expect(refused.errors.contains("--for takes a time from 1s to 12h"))
        }
    }

    @Test func aWrongPassphraseUnlocksNothing() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        let wrong = try sandbox.flare(["unlock"], passphrase: "not the passphrase")
        #expect(wrong.status == 77)
        #expect(wrong.errors == "flare: The passphrase does not unlock this vault; check it and try again.\n")
        #expect(!FileManager.default.fileExists(atPath: sandbox.socket), "no agent was started")
        #expect(try sandbox.flare(["unlock", "--status"]).output == "\(sandbox.vault) is locked.\n")
        #expect(try sandbox.flare(["list"]).status == 64)
    }

    @Test func aChangedPassphraseRetiresTheKey() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        #expect(try sandbox.flare(["unlock"], passphrase: AgentSandbox.passphrase).status == 0)
        // `flare passphrase` asks for the current passphrase even while unlocked, then locks.
        let unasked = try sandbox.flare(["passphrase"], environment: ["FLARE_NEW_PASSPHRASE": "river blue lamp"])
        #expect(unasked.status == 64)
        #expect(unasked.errors.contains("No passphrase"))
        let changed = try sandbox.flare(
            ["passphrase"], passphrase: AgentSandbox.passphrase, environment: ["FLARE_NEW_PASSPHRASE": "river blue lamp"])
        #expect(changed.status == 0, "\(changed.errors)")
        #expect(try sandbox.flare(["unlock", "--status"]).output == "\(sandbox.vault) is locked.\n")

        // Changed where this agent cannot be reached: it still holds the old key, which no
        // longer opens the vault. The command then asks (here: fails for want of a terminal),
        // and the agent forgets the key.
        #expect(try sandbox.flare(["unlock"], passphrase: "river blue lamp").status == 0)
        let elsewhere = try TemporaryFolder()
        let changedElsewhere = try CLITests.flare(
            ["passphrase"], vault: sandbox.vault, passphrase: "river blue lamp",
            environment: ["XDG_RUNTIME_DIR": elsewhere.url.path, "FLARE_NEW_PASSPHRASE": "mountain green door"])
        #expect(changedElsewhere.status == 0, "\(changedElsewhere.errors)")
        let stale = try sandbox.flare(["list"])
        #expect(stale.status == 64)
        #expect(stale.errors.contains("The key `flare unlock` kept no longer opens this vault"))
        #expect(try sandbox.flare(["unlock", "--status"]).output == "\(sandbox.vault) is locked.\n")
        #expect(try sandbox.flare(["list"], passphrase: "mountain green door").status == 0)
    }

    @Test func anAgentFolderOthersCouldUseIsRefused() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        try FileManager.default.createDirectory(atPath: sandbox.agentFolder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        let refused = try sandbox.flare(["unlock"], passphrase: AgentSandbox.passphrase)
        #expect(refused.status == 73)
        #expect(refused.errors.contains("The unlock agent's folder \(sandbox.agentFolder) is open to other users"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.socket))
        // Other commands do not use such a folder: they ask for the passphrase.
        #expect(try sandbox.flare(["list"]).status == 64)
        #expect(try sandbox.flare(["list"], passphrase: AgentSandbox.passphrase).status == 0)
    }

    @Test func theAgentSurvivesWhatAnyClientSends() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        #expect(try sandbox.flare(["unlock"], passphrase: AgentSandbox.passphrase).status == 0)
        let path = Array(sandbox.vault.utf8)
        try #require(path.count < 128, "the frames below give the path's length as one byte")
        let hostile: [(String, [UInt8])] = [
            ("nothing", []),
            ("random bytes", (0..<1000).map { _ in UInt8.random(in: 0...255) }),
            ("a length of 4 GiB", [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]),
            ("a zero length", [0, 0, 0, 0]),
            ("a body shorter than announced", [0, 0, 0, 100, 1, 2]),
            ("another version", [0, 0, 0, 2, 2, 5]),
            ("an unknown kind", [0, 0, 0, 2, 1, 99]),
            ("a path longer than announced", [0, 0, 0, 4, 1, 2, 50, 47]),
            ("trailing bytes", frame([1, 2, UInt8(path.count)] + path + [0])),
            ("a key request with invalid UTF-8", frame([1, 2, 2, 0xC3, 0x28])),
            ("a keep request cut short in its key", frame([1, 1, UInt8(path.count)] + path + [60] + [UInt8](repeating: 7, count: 16) + [1, 0x80, 0x40, 1, 2, 3])),
            ("a keep request with impossible parameters", frame([1, 1, UInt8(path.count)] + path + [60] + [UInt8](repeating: 7, count: 16) + [0, 0] + [UInt8](repeating: 1, count: 32))),
        ]
        for (what, bytes) in hostile {
            let answer = try RawClient.exchange(sandbox.socket, bytes)
            #expect(answer.isEmpty, "\(what): dropped without an answer")
            let listed = try sandbox.flare(["list"])
            #expect(listed.status == 0, "after \(what): \(listed.errors)")
        }
        // A client that connects and says nothing is dropped after its patience; meanwhile
        // others wait, then are served.
        let silent = try RawClient.connection(to: sandbox.socket)
        defer { close(silent) }
        let listed = try sandbox.flare(["list"])
        #expect(listed.status == 0, "\(listed.errors)")
        #expect(try sandbox.flare(["unlock", "--status"]).output.contains("is unlocked until"))
    }

    /// A request frame around `body`.
    private func frame(_ body: [UInt8]) -> [UInt8] {
        [0, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }
}

/// A vault with one entry and a runtime folder (`XDG_RUNTIME_DIR`) of its own, so that each test
/// has its own agent; `stop()` makes sure that agent is gone.
final class AgentSandbox {
    static let passphrase = "a passphrase for tests"

    let folder: TemporaryFolder
    let vault: String
    let runtime: String
    var agentFolder: String { runtime + "/flare" }
    var socket: String { agentFolder + "/agent.sock" }

    init() throws {
        folder = try TemporaryFolder()
        vault = folder.path("journal.flare")
        runtime = folder.path("run")
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        #expect(try CLITests.flare(["init"], vault: vault).status == 0)
        #expect(try CLITests.flare(["log", "--pain", "4"], vault: vault).status == 0)
    }

    /// Runs `flare` on the vault with this sandbox's runtime folder; no passphrase unless given.
    func flare(_ arguments: [String], passphrase: String? = nil, environment: [String: String] = [:]) throws -> CLITests.Result {
        try CLITests.flare(arguments, vault: vault, passphrase: passphrase, environment: environment.merging(["XDG_RUNTIME_DIR": runtime]) { $1 })
    }

    /// `flare arguments` at a terminal, with this sandbox's runtime folder.
    func terminal(_ arguments: [String], environment: [String: String] = [:]) throws -> TerminalSession {
        try TerminalSession(folder, vault: vault, arguments, environment: environment.merging(["XDG_RUNTIME_DIR": runtime]) { $1 })
    }

    /// Whether the agent exited (it removes its socket as it does) within a generous time.
    func waitForAgentToExit() -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while FileManager.default.fileExists(atPath: socket) {
            guard ContinuousClock.now < deadline else { return false }
            usleep(50_000)
        }
        return true
    }

    /// Locks everything; if the agent then does not exit, kills it and records a failure.
    func stop() {
        guard FileManager.default.fileExists(atPath: socket) else { return }
        _ = try? flare(["lock"])
        guard !waitForAgentToExit() else { return }
        Issue.record("the agent did not exit after flare lock")
        if let pid = try? RawClient.peerPID(socket) { kill(pid, SIGKILL) }
    }
}

/// A client that speaks raw bytes to the agent's socket, as anything running as this user can.
enum RawClient {
    /// A connection to the Unix socket at `path`.
    static func connection(to path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(status == 0, "connect: \(String(cString: strerror(errno)))")
        return descriptor
    }

    /// Sends `bytes`, closes the sending side, and returns everything the agent answers.
    static func exchange(_ path: String, _ bytes: [UInt8]) throws -> [UInt8] {
        let descriptor = try connection(to: path)
        defer { close(descriptor) }
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        shutdown(descriptor, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[..<count]
        }
        return answer
    }

    /// The process id of the agent listening at `path` (`SO_PEERCRED`: pid, uid, gid).
    static func peerPID(_ path: String) throws -> pid_t {
        let descriptor = try connection(to: path)
        defer { close(descriptor) }
        var credentials = [Int32](repeating: 0, count: 3)
        var size = socklen_t(MemoryLayout<Int32>.size * 3)
        _ = credentials.withUnsafeMutableBytes { getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &size) }
        return credentials[0]
    }
}
