import FlareWire
import Foundation
import Testing
import TestSupport

/// `--version` on both binaries, and help that speaks to people, not to the project's tracker.
@Suite struct VersionTests {
    @Test func bothBinariesSayTheirRelease() throws {
        let flare = try ChildProcess.run(CLITests.binary, ["--version"])
        #expect(flare.status == 0)
        #expect(flare.output == FlareRelease.description + "\n")
        try #require(FileManager.default.isExecutableFile(atPath: RelayProcess.binary.path), "build flare-relay first (Tools/test does)")
        let relay = try ChildProcess.run(RelayProcess.binary, ["--version"])
        #expect(relay.status == 0)
        #expect(relay.output == FlareRelease.description + "\n")
        #expect(FlareRelease.description.hasPrefix(FlareRelease.version + " (sync protocol 3"))
    }

    @Test func helpNamesNoIssueNumbers() throws {
        for command in [[], ["init"], ["join"], ["log"], ["edit"], ["sync"], ["report"], ["insights"], ["export"], ["import"], ["fixtures"], ["remind"], ["remind", "add"]] {
            let help = try ChildProcess.run(CLITests.binary, command + ["--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.output.range(of: "issue [0-9]", options: .regularExpression) == nil, "flare \(command.joined(separator: " ")) --help: \(help.output)")
        }
    }
}
