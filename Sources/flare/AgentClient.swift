import FlareCrypto
import FlareStore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command's side of the unlock agent (`UnlockAgent`): asking it for a vault's key, handing
/// it one (starting it if none runs), making it forget.
struct AgentClient {
    let socket: AgentSocket

    /// How long a command waits for the agent to answer.
    static let patience: Duration = .seconds(5)
    /// How long `flare unlock` waits for an agent it started to listen.
    static let startPatience: Duration = .seconds(10)

    init(socket: AgentSocket = .forThisUser()) {
        self.socket = socket
    }

    /// The name the agent knows the vault at `path` by: its canonical path (symbolic links and
    /// `..` resolved), so one file is one vault however a command names it.
    static func name(ofVaultAt path: String) -> String {
        guard let resolved = realpath(path, nil) else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The key the agent holds for the vault at `path`; nil when it holds none, or when there
    /// is no agent or it does not answer properly: the command then asks for the passphrase as
    /// if there were no agent.
    func unlock(forVaultAt path: String) -> VaultUnlock? {
        guard case .key(_, let unlock)? = try? ask(.key(vault: Self.name(ofVaultAt: path))) else { return nil }
        return unlock
    }

    /// Makes the agent forget the vault's key, if there is an agent; quietly does nothing
    /// otherwise (no agent holds it then).
    func forget(vaultAt path: String) {
        _ = try? ask(.forget(vault: Self.name(ofVaultAt: path)))
    }

    /// Makes the agent forget the vault's key (every key when `path` is nil); false when no
    /// agent was running.
    func lock(vaultAt path: String?) throws -> Bool {
        let request = path.map { AgentRequest.forget(vault: Self.name(ofVaultAt: $0)) } ?? .forgetAll
        switch try ask(request) {
        case nil: return false
        case .done?: return true
        case _?: throw AgentError.unreachable("answered something unexpected")
        }
    }

    /// How many seconds the agent holds the vault's key for yet; nil when it holds none.
    func secondsLeft(forVaultAt path: String) throws -> UInt32? {
        switch try ask(.status(vault: Self.name(ofVaultAt: path))) {
        case nil, .notHeld?: return nil
        case .held(let secondsLeft)?: return secondsLeft
        case _?: throw AgentError.unreachable("answered something unexpected")
        }
    }

    /// Hands the agent `unlock` for the vault at `path`, to keep for `seconds`, starting the
    /// agent first if none is running.
    func keep(_ unlock: VaultUnlock, forVaultAt path: String, seconds: UInt32) throws {
        try socket.makeFolder()
        let request = AgentRequest.keep(vault: Self.name(ofVaultAt: path), seconds: seconds, unlock: unlock)
        let deadline = ContinuousClock.now + Self.startPatience
        var lastStart: ContinuousClock.Instant?
        while true {
            switch try ask(request) {
            case .done?: return
            case .full?: throw AgentError.full
            case nil:
                guard ContinuousClock.now < deadline else { throw AgentError.unreachable("did not start listening at \(socket.path)") }
                // Started again after a second without an answer: the agent found may have
                // been one on its way out, which a new one waits behind.
                if lastStart.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? true {
                    try startAgent()
                    lastStart = .now
                }
                usleep(20_000)
            case _?: throw AgentError.unreachable("answered something unexpected")
            }
        }
    }

    /// Sends `request` and reads the answer; nil when no agent listens. The frames, which may
    /// hold a key, are wiped once used.
    private func ask(_ request: AgentRequest) throws -> AgentResponse? {
        guard try socket.folderExists(), let connection = try socket.connection(patience: Self.patience) else { return nil }
        guard connection.peerUID == getuid() else { throw AgentError.unreachable("at \(socket.path) runs as another user") }
        var frame = request.frame
        defer { wipe(&frame) }
        try connection.sendAll(frame)
        var body = try connection.receiveFrame()
        defer { wipe(&body) }
        guard let response = AgentResponse(body: body) else { throw AgentError.unreachable("answered something unexpected") }
        return response
    }

    /// Starts `flare agent` detached: its standard streams on /dev/null, no environment (so no
    /// `FLARE_PASSPHRASE` lingers in it), no descriptor of this process but those, no signal
    /// blocked; it leaves the session itself (`UnlockAgent.serve`).
    private func startAgent() throws {
        #if os(Linux)
        // Resolved by the kernel at exec: this very binary, even if its file was replaced since.
        let executable = "/proc/self/exe"
        #else
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
        Self.closeOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        let words: [String] = ["flare", "agent", socket.folder]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [nil]
        // No signal blocked or ignored by whatever ran this command: the agent can be stopped.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var stopping = sigset_t()
        sigemptyset(&stopping)
        for signal in [SIGTERM, SIGINT, SIGQUIT] { sigaddset(&stopping, signal) }
        posix_spawnattr_setsigdefault(&attributes, &stopping)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, arguments, &environment)
        guard status == 0 else { throw AgentError.unreachable("could not be started (\(String(cString: strerror(status))))") }
    }

    /// Marks every descriptor above the standard three close-on-exec, so the agent inherits
    /// none (a test's or a script's pipe held open by it would never reach its end). This
    /// process is about to exit, so it loses nothing by it.
    private static func closeOnExec() {
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
