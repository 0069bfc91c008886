import Foundation
import Testing
import TestSupport

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
