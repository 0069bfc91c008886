import Foundation
import Testing

/// Every input the fuzzers found a crash with (Tools/Fuzz/crashes), and every seed, runs through
/// its harness in the plain build of `flare-fuzz` without a trap: a fuzz crash stays a
/// regression test. The harnesses check more than "no trap" (re-encoding round trips, replies
/// that fit a frame, replicas that converge); see Tools/Fuzz/README.md.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/flare-fuzz")
    static let targets = ["changes", "snapshot", "checkpoint", "export", "frames", "messages", "relay", "fixture"]

    @Test(arguments: targets)
    func crashInputsAndSeedsRunWithoutATrap(target: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build flare-fuzz first (Tools/test does)")
        let folders = ["crashes", "corpus"].map { Self.root.appendingPathComponent("Tools/Fuzz/\($0)/\(target)").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        try #require(!folders.isEmpty)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = [target] + folders
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(said)")
        #expect(said.contains("ran without a trap"), "\(said)")
    }
}
