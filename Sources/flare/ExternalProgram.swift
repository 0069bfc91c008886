import Foundation

/// A program of the system flare runs for reminders (systemctl, crontab, notify-send), found on
/// PATH unless an environment variable names another, so tests and people can point flare at
/// their own: `FLARE_SYSTEMCTL`, `FLARE_CRONTAB`, `FLARE_NOTIFY_SEND`. Set to empty, the
/// variable means "do not use one".
struct ExternalProgram {
    /// What the person would call it: "systemctl".
    let name: String
    let path: String

    /// What one run did.
    struct Outcome {
        let status: Int32
        /// Its standard output as bytes: a crontab is rewritten only when it is UTF-8 text.
        let output: Data
        let errors: String

        /// Its standard output, when it is UTF-8 text.
        var text: String? { String(data: output, encoding: .utf8) }

        var succeeded: Bool { status == 0 }
        /// The first line of its errors (else of its output), for messages.
        var complaint: String {
            let text = errors.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? String(decoding: output, as: UTF8.self) : errors
            return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit status \(status)"
        }
    }

    /// `name`, or what `variable` names, when it is an executable file; nil when there is none.
    static func find(_ name: String, overriddenBy variable: String) -> ExternalProgram? {
        let environment = ProcessInfo.processInfo.environment
        let wanted = environment[variable] ?? name
        guard !wanted.isEmpty else { return nil }
        if wanted.contains("/") {
            return FileManager.default.isExecutableFile(atPath: wanted) ? ExternalProgram(name: name, path: wanted) : nil
        }
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
            let path = "\(folder)/\(wanted)"
            if FileManager.default.isExecutableFile(atPath: path) { return ExternalProgram(name: name, path: path) }
        }
        return nil
    }

    /// Runs it with `arguments`, `input` on its standard input, and `environment` added to
    /// flare's, and waits for it to end.
    func run(_ arguments: [String], input: String? = nil, environment extra: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        do {
            try process.run()
        } catch {
            throw CLIError.unavailable("Cannot run \(path): \(error.localizedDescription)")
        }
        if let input {
            // A program that exits without reading its input must not kill flare with SIGPIPE.
            signal(SIGPIPE, SIG_IGN)
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        // Both pipes are drained at once, so a program that fills one while flare reads the
        // other cannot stall.
        let errorBytes = Drained()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) { errorBytes.data = errors.fileHandleForReading.readDataToEndOfFile() }
        let outputBytes = output.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, output: outputBytes,
            errors: String(decoding: errorBytes.data, as: UTF8.self))
    }
}

/// What one stream of a program said.
// @unchecked Sendable: `data` is written by the one reading task and read only after the
// DispatchGroup it runs in has been waited for.
private final class Drained: @unchecked Sendable {
    var data = Data()
}
