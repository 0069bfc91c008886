import Foundation

/// A command running on a real terminal (a detached tmux session), for tests that type at
/// prompts as a person does: a prompt that reads /dev/tty, or asks only when standard input is
/// a terminal, cannot be driven through a pipe.
public final class TerminalSession {
    public enum Failure: Error, CustomStringConvertible {
        case tmux(String)
        case timedOut(waitingFor: String, screen: String)

        public var description: String {
            switch self {
            case .tmux(let message): return "tmux: \(message)"
            case .timedOut(let text, let screen): return "no \"\(text)\" on the terminal; it shows:\n\(screen)"
            }
        }
    }

    private let name = "flare-test-\(UUID().uuidString.prefix(8))"

    /// Starts `command` (a shell command line) on a new 200×50 terminal.
    public init(_ command: String) throws {
        // The first session starts the tmux server, which keeps whatever output it inherits
        // open: nothing is read from this call, or the read would wait for the server's end.
        try Self.tmux(["new-session", "-d", "-s", name, "-x", "200", "-y", "50", command + "; sleep 600"], reading: false)
    }

    /// Types `line` and Enter.
    public func send(_ line: String) throws {
        try Self.tmux(["send-keys", "-t", name, "-l", line])
        try Self.tmux(["send-keys", "-t", name, "Enter"])
    }

    /// What the terminal shows now.
    public func screen() -> String {
        (try? Self.tmux(["capture-pane", "-p", "-J", "-t", name])) ?? ""
    }

    /// Waits until the terminal shows `text`, for up to `seconds` (generous: a loaded machine
    /// is slow, and waiting costs nothing when it is not).
    public func waitFor(_ text: String, seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if screen().contains(text) { return }
            usleep(100_000)
        }
        throw Failure.timedOut(waitingFor: text, screen: screen())
    }

    /// Ends the session and whatever still runs in it.
    public func close() {
        _ = try? Self.tmux(["kill-session", "-t", name])
    }

    deinit { close() }

    /// Runs tmux on a server of the tests' own (not the user's, nor their configuration).
    @discardableResult
    private static func tmux(_ arguments: [String], reading: Bool = true) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-L", "flare-tests", "-f", "/dev/null"] + arguments
        let output = Pipe()
        process.standardOutput = reading ? output : FileHandle.nullDevice
        process.standardError = reading ? output : FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = reading ? String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) : ""
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.tmux("\(arguments.first ?? "") failed: \(text)") }
        return text
    }
}
