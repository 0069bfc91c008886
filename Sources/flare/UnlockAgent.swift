import FlareCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The unlock agent: a background `flare agent` process, one per user, that `flare unlock`
/// starts. It keeps vault keys (`AgentKeys`) in guarded memory, hands them to this user's
/// commands over its socket (`AgentSocket`), forgets each when its time is up, and exits when
/// it holds none.
///
/// It serves one client at a time: requests are tiny, and each client has `clientPatience` to
/// make its request and take the answer, so a stuck or hostile one delays the others only that
/// long. Anything that is not exactly one well-formed request from this user is dropped
/// without an answer.
enum UnlockAgent {
    /// How long one client may take over its request and answer.
    static let clientPatience: Duration = .seconds(2)
    /// How long a new agent waits for its first key before it exits (its starter gave up).
    static let firstKeyPatience: Duration = .seconds(10)
    /// How often an agent checks that its socket is still there, when nothing else wakes it.
    static let socketCheckInterval: Duration = .seconds(30)

    /// Runs the agent for `socket` until it holds no key; returns at once if another agent
    /// already serves there.
    static func serve(_ socket: AgentSocket) throws {
        detach()
        try socket.makeFolder()
        let lock = open(socket.lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        // The lock stays held (its descriptor open) for the life of the process.
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else { return }
        let listener = try socket.listening()
        defer { listener.stop() }
        let started = ContinuousClock.now
        var keys = AgentKeys()
        while true {
            let now = ContinuousClock.now
            keys.expire(at: now)
            guard !keys.isEmpty || (!keys.hasKeptAny && now - started < firstKeyPatience), listener.isReachable else { return }
            let wake = min(keys.nextExpiry ?? started + firstKeyPatience, now + socketCheckInterval)
            if let client = listener.nextClient(until: wake, patience: clientPatience) {
                answer(client, from: &keys)
            }
        }
    }

    /// Leaves the terminal's session (so a Ctrl-C or hang-up there does not reach the agent)
    /// and the starter's working folder; a dead client's connection is an error, not SIGPIPE;
    /// and no core dump is written should the agent crash.
    private static func detach() {
        setsid()
        chdir("/")
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        #if os(Linux)
        setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
        #else
        setrlimit(RLIMIT_CORE, &noCore)
        #endif
    }

    /// Serves one client: checks who it is, reads its request, answers. Buffers that held a
    /// key are wiped before they are let go.
    private static func answer(_ client: AgentConnection, from keys: inout AgentKeys) {
        guard client.peerUID == getuid(), var body = try? client.receiveFrame() else { return }
        defer { wipe(&body) }
        guard let request = AgentRequest(body: body) else { return }
        var reply = keys.answer(request, at: .now).frame
        defer { wipe(&reply) }
        try? client.sendAll(reply)
    }
}
