import Foundation
import Testing
import TestSupport

/// Every input the fuzzers found a crash with (Tools/Fuzz/crashes), and every seed, runs through
/// its harness in the plain build of `flare-fuzz` without a trap: a fuzz crash stays a
/// regression test. The harnesses check more than "no trap" (re-encoding round trips, replies
/// that fit a frame, replicas that converge); see Tools/Fuzz/README.md.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/flare-fuzz")
    static let targets = ["changes", "snapshot", "checkpoint", "export", "frames", "messages", "relay", "fixture", "engine"]

    @Test(arguments: targets)
    func crashInputsAndSeedsRunWithoutATrap(target: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build flare-fuzz first (Tools/test does)")
        let folders = ["crashes", "corpus"].map { Self.root.appendingPathComponent("Tools/Fuzz/\($0)/\(target)").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        try #require(!folders.isEmpty)
        let (status, said) = try ChildProcess.run(Self.binary, [target] + folders, environment: ["SWIFT_BACKTRACE": "enable=no"])
        #expect(status == 0, "\(said)")
        #expect(said.contains("ran without a trap"), "\(said)")
    }
}
