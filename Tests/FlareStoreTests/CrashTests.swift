import Foundation
import Testing

/// The crash test (Tools/CrashTest): a child process writes to a vault in a loop and is killed
/// with SIGKILL at random moments, 50 times; after every kill the vault must open, pass its
/// integrity check and hold every change whose write had returned. `Tools/crash-test` runs
/// the same for longer.
@Suite struct CrashTests {
    @Test func fiftyKillsLoseNothingAcknowledged() throws {
        let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/flare-store-crash")
        try #require(FileManager.default.isExecutableFile(atPath: tool.path), "build the package first (Tools/test does)")
        let seed = UInt64.random(in: 0...UInt64.max)
        let process = Process()
        process.executableURL = tool
        process.arguments = ["run", "--kills", "50", "--seed", String(seed)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let failure = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "seed \(seed): \(failure)")
        let summary = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
        #expect(summary?["kills"] as? Int == 50, "seed \(seed): \(report)")
        #expect((summary?["own_changes"] as? Int ?? 0) > 0, "seed \(seed): \(report)")
    }
}
