import FlareFixtures
import Foundation
import Testing

@Suite struct FixtureTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/fixtures")

    @Test func everyProtocolFixturePasses() throws {
        let files = try FixtureSuite.files(at: [Self.folder.path])
        #expect(files.count >= 40)
        for file in files {
            let result = FixtureSuite.run(file: file)
            #expect(result.passed, "\(result.line)")
            #expect(result.name == file.deletingPathExtension().lastPathComponent)
        }
    }

    static func run(_ json: String) throws -> FixtureResult {
        try FixtureRunner.run(try Fixture(json: Data(json.utf8)))
    }

    @Test func aWrongExpectationFailsAndSaysWhatDiffered() throws {
        let result = try Self.run("""
            {"name": "wrong", "replicas": ["phone", "laptop"],
             "steps": [{"replica": "phone", "ops": [{"create": "e1", "type": "symptom"}, {"set": ["e1", "pain", 5]}]},
                       {"sync": ["phone", "laptop"]}],
             "expect": {"converged": true, "state": {"e1": {"type": "symptom", "fields": {"pain": 6}}}}}
            """)
        #expect(result.line.hasPrefix("FAIL wrong: phone state is"))
        #expect(result.line.contains("\"pain\":5"))
    }

    @Test func oneOfAndMultisetConflictsMatch() throws {
        let result = try Self.run("""
            {"name": "three", "replicas": ["a", "b", "c"],
             "steps": [{"replica": "a", "at": "2026-03-01T08:00:00Z", "ops": [{"create": "e", "type": "s"}]},
                       {"sync": ["a", "b"]}, {"sync": ["a", "c"]},
                       {"replica": "a", "at": "2026-03-01T09:00:00Z", "ops": [{"set": ["e", "pain", 1]}, {"insert": ["e", "n", 0, "ab"]}]},
                       {"replica": "b", "at": "2026-03-01T09:00:00Z", "ops": [{"set": ["e", "pain", 2]}, {"insert": ["e", "n", 0, "xy"]}]},
                       {"replica": "c", "at": "2026-03-01T09:00:00Z", "ops": [{"set": ["e", "pain", 3]}]},
                       {"sync": ["a", "b"]}, {"sync": ["b", "c"]}, {"sync": ["a", "c"]}],
             "expect": {"converged": true,
                        "state": {"e": {"type": "s", "fields": {"pain": 3, "n": {"one_of": ["abxy", "xyab"]}}}},
                        "conflicts": {"e": {"pain": [2, 1]}}}}
            """)
        #expect(result.passed, "\(result.line)")
    }

    @Test func convergedFalseIsChecked() throws {
        let result = try Self.run("""
            {"name": "apart", "replicas": ["a", "b"],
             "steps": [{"replica": "a", "ops": [{"create": "e", "type": "s"}]}],
             "expect": {"converged": true}}
            """)
        #expect(result.failure?.contains("did not converge") == true)
    }

    @Test(arguments: [
        ("{", "not valid JSON"),
        (#"{"name": "x", "replicas": ["a"], "steps": [], "expect": {}, "extra": 1}"#, "unknown key \"extra\""),
        (#"{"name": "x", "replicas": ["a", "a"], "steps": []}"#, "distinct"),
        (#"{"name": "x", "replicas": ["a-name-longer-than-16"], "steps": []}"#, "1 to 16 bytes"),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "b", "ops": [{"delete": "e"}]}]}"#, "step 1: \"replica\" names unknown replica \"b\""),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "a", "ops": [{"frobnicate": ["e"]}]}]}"#, "unknown op \"frobnicate\""),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "a", "at": "yesterday", "ops": [{"delete": "e"}]}]}"#, "ISO 8601"),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "a", "ops": [{"set": ["e", "f", [1]]}]}]}"#, "not scalars"),
    ])
    func malformedFilesSayWhy(json: String, problem: String) {
        #expect {
            _ = try Fixture(json: Data(json.utf8))
        } throws: { error in
            "\(error)".contains(problem)
        }
    }

    @Test func refusedEditsMakeTheFixtureMalformed() throws {
        let fixture = try Fixture(json: Data(#"""
            {"name": "x", "replicas": ["a", "b"],
             "steps": [{"replica": "a", "ops": [{"set": ["missing", "pain", 1]}]}]}
            """#.utf8))
        #expect(throws: FixtureError.malformed("step 1 (a): document missing does not exist")) { try FixtureRunner.run(fixture) }
        let deliver = try Fixture(json: Data(#"""
            {"name": "x", "replicas": ["a", "b"], "steps": [{"deliver": {"from": "a", "to": "b", "seqs": [1]}}]}
            """#.utf8))
        #expect(throws: FixtureError.malformed("step 1: a has made no change 1")) { try FixtureRunner.run(deliver) }
    }

    /// The CLI: one line per fixture, a summary, and the exit status.
    @Test func cliPrintsResultsAndExitStatus() throws {
        let products = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/flare")
        try #require(FileManager.default.isExecutableFile(atPath: products.path), "build flare first (Tools/test does)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flare-fixtures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"name": "good", "replicas": ["a"], "steps": [], "expect": {"state": {}}}"#.utf8)
            .write(to: folder.appendingPathComponent("good.json"))
        try Data("{".utf8).write(to: folder.appendingPathComponent("broken.json"))

        let process = Process()
        process.executableURL = products
        process.arguments = ["fixtures", "run", folder.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(process.terminationStatus == 1)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("FAIL broken: malformed fixture \(folder.path)/broken.json: not valid JSON") == true)
        #expect(lines.dropFirst().first == "PASS good")
        #expect(lines.last == "1 passed, 1 failed")
    }
}
