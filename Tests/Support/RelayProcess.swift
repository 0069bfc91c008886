import Foundation

/// The built `flare-relay serve` as a child process on loopback, for tests that need the
/// real binary: started, killed, restarted on the same port.
public final class RelayProcess {
    public static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/flare-relay")

    public let process = Process()
    /// The port it listens on.
    public private(set) var port = 0
    /// The port of its metrics endpoint, when started with one.
    public private(set) var metricsPort: Int?
    /// Its log, in a file: a pipe nobody drains would stop the relay once full.
    public let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("flare-relay-\(UUID().uuidString).log").path

    /// Starts `flare-relay serve --data data` with `arguments`, on `port` (0: any free port),
    /// and waits for its "listening" log line.
    public init(data: String, port: Int = 0, arguments: [String] = [], withMetrics: Bool = false) throws {
        process.executableURL = Self.binary
        process.arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--data", data] + arguments
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw RelayProcessError.didNotStart("cannot create \(logPath)") }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        var text = ""
        while !text.contains("listening") || (withMetrics && !text.contains("] metrics")) {
            guard process.isRunning else { break }
            usleep(20_000)
            text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        }
        text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? text
        guard let address = text.split(whereSeparator: \.isWhitespace).first(where: { $0.hasPrefix("address=") }),
            let listening = Int(address.split(separator: ":").last ?? "")
        else {
            process.terminate()
            throw RelayProcessError.didNotStart(text)
        }
        self.port = listening
        metricsPort = text.split(separator: "\n").first { $0.hasSuffix("] metrics") }
            .flatMap { $0.split(separator: " ").first { $0.hasPrefix("address=") } }
            .flatMap { Int($0.split(separator: ":").last ?? "") }
    }

    /// Starts on a port outside the kernel's ephemeral range (32768–60999 here), so it can be
    /// restarted on the same port: no client socket of a parallel test can hold it meanwhile.
    public static func restartable(data: String, arguments: [String] = []) throws -> RelayProcess {
        var lastError: (any Error)?
        for _ in 0..<20 {
            do {
                return try RelayProcess(data: data, port: Int.random(in: 20_000..<32_000), arguments: arguments)
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    /// Runs a `flare-relay` subcommand to its end; its status and output (both streams).
    public static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ChildProcess.run(binary, arguments)
    }

    /// SIGKILL: no chance to finish anything.
    public func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then waits for the exit.
    public func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill() }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

public enum RelayProcessError: Error {
    case didNotStart(String)
}
