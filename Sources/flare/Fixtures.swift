import ArgumentParser
import FlareFixtures
import FlareWire
import Foundation

struct Fixtures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Conflict-merge fixtures: scripted multi-device edits and their expected merge.",
        subcommands: [Run.self, Engine.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run fixture files against Flare's CRDT engine, or another engine.",
            discussion: """
                Prints `PASS name`, or `FAIL name` and one indented line per difference or \
                problem (a field that differs, a malformed part of the file with its line and \
                column, a step the engine refused or broke on), then `N passed, M failed`. \
                With --json, one JSON object per fixture instead. The format and the engine \
                protocol are described in Protocol/FIXTURES.md.

                Exit status: 0 when every fixture passed; 1 when any failed, a file is \
                malformed or the engine failed; 64 for a bad command line.
                """
        )

        @Option(help: ArgumentHelp(
            "Run the fixtures on another engine: a shell command speaking the engine protocol on standard input and output.",
            valueName: "command"))
        var engine: String?

        @Option(help: ArgumentHelp("Seconds an engine has to answer each request (with --engine).", valueName: "seconds"))
        var timeout: Double = 10

        @Flag(help: "Print one JSON object per fixture (name, file, passed, differences, errors).")
        var json = false

        @Flag(help: "Print each step with the HLC stamps the replicas gave or received, and the final states.")
        var trace = false

        @Argument(help: "Fixture files, or folders searched for .json files.")
        var paths: [String]

        func validate() throws {
            guard timeout.isFinite, timeout > 0, timeout <= 3600 else {
                throw ValidationError("--timeout must be more than 0 and at most 3600 seconds")
            }
            if let engine, engine.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--engine needs a command")
            }
            _ = try files()
        }

        /// The fixture files at `paths`; a missing path, or none found, is a usage error.
        private func files() throws -> [String] {
            let files: [String]
            do { files = try FixtureSuite.files(at: paths) } catch {
                throw ValidationError("\(error)")
            }
            guard !files.isEmpty else { throw ValidationError("no .json fixture files found in \(paths.joined(separator: ", "))") }
            return files
        }

        func run() throws {
            let files = try files()
            let session: EngineSession
            if let engine {
                let limit = Duration.milliseconds(Int64((timeout * 1000).rounded(.up)))
                session = EngineSession(transport: EngineProcess(command: engine, timeout: limit))
            } else {
                session = .flare()
            }
            defer { session.close() }
            var passed = 0
            var failed = 0
            for file in files {
                let result = FixtureSuite.run(file: file, on: session)
                if json {
                    Self.emit(result.json(trace: trace).description)
                } else {
                    if trace { Self.emit(result.traceText) }
                    Self.emit(result.text)
                }
                if result.passed { passed += 1 } else { failed += 1 }
            }
            if !json { Self.emit("\(passed) passed, \(failed) failed") }
            if failed > 0 { throw ExitCode.failure }
        }

        /// Writes a line unbuffered, so each fixture's result shows as soon as it is known.
        private static func emit(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }

    struct Engine: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve Flare's CRDT engine over the fixture engine protocol on standard input and output.",
            discussion: """
                The reference adapter of Protocol/FIXTURES.md ("Engine protocol"): reads one JSON \
                request a line and writes one JSON answer a line, until its input ends. \
                `flare fixtures run --engine "flare fixtures engine" Protocol/fixtures` runs the \
                suite through it.
                """
        )

        func run() throws {
            var engine = FlareEngine(name: "flare \(FlareRelease.description)")
            var pending: [UInt8] = []
            var overlong = false
            var chunk = [UInt8](repeating: 0, count: 65_536)
            func answer(_ line: [UInt8]) {
                let text = overlong
                    ? #"{"error":"failed","id":null,"message":"the request is longer than the protocol allows","ok":false}"#
                    : engine.answer(line)
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
            while true {
                let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                var start = 0
                for index in 0..<count where chunk[index] == 0x0A {
                    if !overlong { pending += chunk[start..<index] }
                    answer(pending)
                    pending = []
                    overlong = false
                    start = index + 1
                }
                if !overlong { pending += chunk[start..<count] }
                if pending.count > EngineRequest.maximumLineLength {
                    overlong = true
                    pending = []
                }
            }
            if !pending.isEmpty || overlong { answer(pending) }
        }
    }
}
