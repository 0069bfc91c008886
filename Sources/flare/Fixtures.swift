import ArgumentParser
import FlareFixtures
import Foundation

struct Fixtures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Conflict-merge fixtures: scripted multi-device edits and their expected merge.",
        subcommands: [Run.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run fixture files against the CRDT engine.",
            discussion: """
                Prints `PASS name` or `FAIL name: what differed` for each fixture, then \
                `N passed, M failed`. The format is described in Protocol/FIXTURES.md.

                Exit status: 0 when every fixture passed, 1 when any failed or a file is malformed.
                """
        )

        @Argument(help: "Fixture files, or folders searched for .json files.")
        var paths: [String]

        func run() throws {
            let files: [URL]
            do { files = try FixtureSuite.files(at: paths) } catch {
                throw ValidationError("\(error)")
            }
            guard !files.isEmpty else { throw ValidationError("no .json fixture files found in \(paths.joined(separator: ", "))") }
            var passed = 0
            var failed = 0
            for file in files {
                let result = FixtureSuite.run(file: file)
                print(result.line)
                if result.passed { passed += 1 } else { failed += 1 }
            }
            print("\(passed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode.failure }
        }
    }
}
