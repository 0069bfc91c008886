import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A passphrase typed at a terminal (a real one, in tmux) is asked for again when it is wrong,
/// three times in all, before the command gives up with exit status 77; one given by
/// `$FLARE_PASSPHRASE` or `--passphrase-file` is not asked again.
@Suite(.enabled(if: TerminalSession.tmux != nil, "needs tmux to give flare a terminal"))
struct TerminalPassphraseTests {
    static let tryAgain = "flare: That passphrase does not unlock this vault; try again."

    @Test func aWrongPassphraseTypedAtTheTerminalIsAskedForAgain() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        let session = try sandbox.terminal(["list"])
        defer { session.end() }
        try session.answer(prompt: 1, "not the passphrase")
        try session.answer(prompt: 2, "nor this")
        try session.answer(prompt: 3, AgentSandbox.passphrase)
        let screen = try session.waitForExit()
        #expect(screen.contains("exit status 0"), "\(screen)")
        #expect(screen.contains("pain 4"))
        #expect(screen.components(separatedBy: Self.tryAgain).count - 1 == 2)
    }

    @Test func threeWrongPassphrasesGiveUp() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        // `flare unlock` asks the same way, and unlocks nothing when every try is wrong.
        let session = try sandbox.terminal(["unlock"])
        defer { session.end() }
        for prompt in 1...3 { try session.answer(prompt: prompt, "wrong \(prompt)") }
        let screen = try session.waitForExit()
        #expect(screen.contains("exit status 77"), "\(screen)")
        #expect(screen.contains("flare: The passphrase does not unlock this vault; check it and try again."))
        #expect(screen.components(separatedBy: "Passphrase:").count - 1 == 3, "\(screen)")
        #expect(screen.components(separatedBy: Self.tryAgain).count - 1 == 2)
        #expect(!FileManager.default.fileExists(atPath: sandbox.socket))
    }

    @Test func aGivenPassphraseIsNotAskedForAgain() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        let file = sandbox.folder.path("passphrase.txt")
        try Data("not the passphrase\n".utf8).write(to: URL(fileURLWithPath: file))
        for (arguments, environment) in [(["list"], ["FLARE_PASSPHRASE": "not the passphrase"]), (["list", "--passphrase-file", file], [:])] {
            let session = try sandbox.terminal(arguments, environment: environment)
            defer { session.end() }
            let screen = try session.waitForExit()
            #expect(screen.contains("exit status 77"), "\(arguments): \(screen)")
            #expect(!screen.contains("Passphrase:"), "\(arguments): \(screen)")
        }
    }

    @Test func unlockingAtTheTerminal() throws {
        let sandbox = try AgentSandbox()
        defer { sandbox.stop() }
        let unlock = try sandbox.terminal(["unlock", "--for", "5m"])
        defer { unlock.end() }
        try unlock.answer(prompt: 1, AgentSandbox.passphrase)
        let unlocked = try unlock.waitForExit()
        #expect(unlocked.contains("exit status 0"), "\(unlocked)")
        #expect(unlocked.contains("Unlocked \(sandbox.vault) until "))
        // Unlocked: a command at the terminal asks nothing.
        let list = try sandbox.terminal(["list"])
        defer { list.end() }
        let listed = try list.waitForExit()
        #expect(listed.contains("exit status 0"), "\(listed)")
        #expect(listed.contains("pain 4"))
        #expect(!listed.contains("Passphrase:"))
    }
}

/// `flare` run in a tmux session of its own, as at a terminal: keys typed, the screen read.
/// Without `$FLARE_PASSPHRASE` unless `environment` gives one.
final class TerminalSession {
    static let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private let folder: String

    init(_ folder: TemporaryFolder, vault: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        // A server of its own per session: one just told to exit may still be listening.
        self.folder = folder.path("tmux-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: self.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let variables = environment.merging(["FLARE_VAULT": vault]) { $1 }
            .map { "\($0.key)=\(Self.quoted($0.value))" }
        let command = (["env", "-u", "FLARE_PASSPHRASE"] + variables + [Self.quoted(CLITests.binary.path)] + arguments.map(Self.quoted))
            .joined(separator: " ")
        // The pane stays after flare exits, so its last words can be read: `read` waits for a
        // line that never comes, and ends when `end()` closes the terminal.
        try tmux(["new-session", "-d", "-x", "200", "-y", "50", "\(command); echo \"exit status $?\"; read line"])
    }

    /// Waits for the `prompt`th passphrase prompt, then types `text` and Enter.
    func answer(prompt: Int, _ text: String) throws {
        _ = try waitForScreen { $0.components(separatedBy: "Passphrase:").count - 1 >= prompt }
        try tmux(["send-keys", "-l", text])
        try tmux(["send-keys", "Enter"])
    }

    /// The screen once flare has exited.
    func waitForExit() throws -> String {
        try waitForScreen { $0.contains("exit status ") }
    }

    /// Ends the session and its server (and so the pane's processes).
    func end() {
        _ = try? tmux(["kill-server"])
    }

    private func waitForScreen(_ condition: (String) -> Bool) throws -> String {
        // Generous: under load each Argon2id run of a command can take seconds.
        let deadline = ContinuousClock.now + .seconds(120)
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = try tmux(["capture-pane", "-p", "-J"])
            if condition(screen) { return screen }
            usleep(100_000)
        }
        Issue.record("the terminal never showed what was awaited; it shows:\n\(screen)")
        throw CancellationError()
    }

    /// Runs tmux on this session's own server (`-L`, its socket under `folder`), no config
    /// file, and returns what it wrote.
    ///
    /// Spawned directly, not with `Process`: `new-session` forks the server, which keeps the
    /// client's descriptors, and `Process` waits for every holder of one of its own to exit.
    /// The output goes to a file for the same reason.
    @discardableResult private func tmux(_ arguments: [String]) throws -> String {
        let tmux = try #require(Self.tmux)
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
        try #require(posix_spawn(&child, tmux, &actions, &attributes, argv, envp) == 0)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    private static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
