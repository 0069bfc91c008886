import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command running on a real terminal (a tmux session on a tmux server of its own), for
/// tests that type at prompts as a person does: a prompt that reads /dev/tty, or asks only when
/// standard input is a terminal, cannot be driven through a pipe.
public final class TerminalSession {
    public struct Timeout: Error, CustomStringConvertible {
        public let awaited: String
        public let screen: String
        public var description: String { "the terminal never showed \(awaited); it shows:\n\(screen)" }
    }

    /// tmux, where this machine has it (Tools/bootstrap installs it).
    public static let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private let folder: String

    /// Runs the shell command line `command` on a new 200×50 terminal whose server lives in
    /// a folder of `folder`. When the command ends, the pane stays with `exit status N`
    /// written, so its last words can be read; `end()` closes it.
    public init(_ command: String, in folder: TemporaryFolder) throws {
        // A server of its own per session: one just told to exit may still be listening.
        self.folder = folder.path("tmux-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: self.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try tmux(["new-session", "-d", "-x", "200", "-y", "50", "\(command); echo \"exit status $?\"; exec sleep 86400"])
    }

    /// Types `line` and Enter.
    public func send(_ line: String) throws {
        try tmux(["send-keys", "-l", line])
        try tmux(["send-keys", "Enter"])
    }

    /// Waits for the `prompt`th passphrase prompt, then types `text` and Enter.
    public func answer(prompt: Int, _ text: String) throws {
        _ = try waitForScreen("passphrase prompt \(prompt)") { $0.components(separatedBy: "Passphrase:").count - 1 >= prompt }
        try send(text)
    }

    /// Waits until the terminal shows `text`; the screen then.
    @discardableResult
    public func waitFor(_ text: String) throws -> String {
        try waitForScreen("\"\(text)\"") { $0.contains(text) }
    }

    /// The screen once the command has ended.
    public func waitForExit() throws -> String {
        try waitForScreen("the command's end") { $0.contains("exit status ") }
    }

    /// What the terminal shows now.
    public func screen() -> String {
        (try? tmux(["capture-pane", "-p", "-J"])) ?? ""
    }

    /// Ends the session and its server (and so whatever still runs in it).
    public func end() {
        _ = try? tmux(["kill-server"])
    }

    deinit { end() }

    private func waitForScreen(_ awaited: String, _ condition: (String) -> Bool) throws -> String {
        // Generous: under load each Argon2id run of a command can take seconds.
        let deadline = ContinuousClock.now + .seconds(120)
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = self.screen()
            if condition(screen) { return screen }
            usleep(100_000)
        }
        throw Timeout(awaited: awaited, screen: screen)
    }

    /// Runs tmux on this session's own server (`-L`, its socket under `folder`), no config
    /// file, and returns what it wrote.
    ///
    /// Spawned directly, not with `Process`: `new-session` forks the server, which keeps the
    /// client's descriptors, and `Process` waits for every holder of one of its own to exit.
    /// The output goes to a file for the same reason.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        guard let tmux = Self.tmux else { throw Timeout(awaited: "anything (tmux is not installed)", screen: "") }
        let outputPath = folder + "/output-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var environment = ProcessInfo.processInfo.environment
        environment["TMUX"] = nil
        environment["TMUX_TMPDIR"] = folder
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let words = [tmux, "-L", "flare", "-f", "/dev/null"] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // Test threads block signals; a server inheriting that would not stop at kill-server.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var child: pid_t = 0
        guard posix_spawn(&child, tmux, &actions, &attributes, argv, envp) == 0 else {
            throw Timeout(awaited: "tmux to start", screen: String(cString: strerror(errno)))
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// `word` quoted for a shell command line.
    public static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
