import Foundation
import Testing
import TestSupport

/// `flare fixtures run` and `flare fixtures engine`, as a person adopting the suite for their
/// own engine runs them: through the reference adapter, and against engines that are wrong,
/// crash, hang or print garbage (a Python proxy in front of the reference adapter).
@Suite struct FixturesCLITests {
    static let root = CLITests.binary.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Protocol/fixtures").path
    static let adapter = "'\(CLITests.binary.path)' fixtures engine"

    static func run(_ arguments: [String]) throws -> CLITests.Result {
        try CLITests.flare(["fixtures", "run"] + arguments, vault: "/nonexistent/unused.flare")
    }

    static func fixture(_ name: String) -> String { "\(fixtures)/\(name).json" }

    /// Forwards requests to the reference adapter, misbehaving as MODE says.
    static let proxy = """
        import json, subprocess, sys, time
        mode, flare = sys.argv[1], sys.argv[2]
        engine = subprocess.Popen([flare, "fixtures", "engine"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for line in sys.stdin:
            request = json.loads(line)
            op = request["op"]
            if mode == "crash-on-sync" and op == "sync":
                sys.exit(3)
            if mode == "hang-on-change" and op == "change":
                time.sleep(600)
            if mode == "garbage" and op == "dump":
                print("this is not json", flush=True)
                continue
            engine.stdin.write(line)
            engine.stdin.flush()
            answer = json.loads(engine.stdout.readline())
            if mode == "remove-wins" and op == "dump":
                for document in answer["state"].values():
                    for field, value in document["fields"].items():
                        if isinstance(value, list):
                            document["fields"][field] = [v for v in value if v != "neck"]
            if mode == "wrong-seq" and op == "change":
                answer["seq"] += 1
            if mode == "wrong-stamp" and op == "deliver":
                answer["hlc"] = [0, 0]
            if mode == "wrong-id":
                answer["id"] += 1
            if mode == "bad-dump" and op == "dump":
                answer["state"] = {"e1": {"type": "symptom", "fields": {"pain": {"one_of": [5, 6]}}}}
            print(json.dumps(answer), flush=True)
        """

    static func proxyEngine(_ mode: String, in folder: TemporaryFolder) throws -> String {
        let script = folder.path("proxy.py")
        try Data(proxy.utf8).write(to: URL(fileURLWithPath: script))
        return "python3 '\(script)' \(mode) '\(CLITests.binary.path)'"
    }

    @Test func theWholeSuiteRunsThroughTheReferenceAdapter() throws {
        let count = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures).filter { $0.hasSuffix(".json") }.count
        let result = try Self.run(["--engine", Self.adapter, Self.fixtures])
        let lines = result.output.split(separator: "\n")
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(lines.filter { $0.hasPrefix("PASS ") }.count == count)
        #expect(lines.last.map(String.init) == "\(count) passed, 0 failed")
    }

    @Test func aWrongEngineFailsFieldByField() throws {
        let folder = try TemporaryFolder()
        let result = try Self.run(["--engine", try Self.proxyEngine("remove-wins", in: folder),
                                   Self.fixture("set-concurrent-add-remove-add-wins"), Self.fixture("lww-concurrent-higher-hlc-wins")])
        #expect(result.status == 1)
        #expect(result.output == """
            FAIL set-concurrent-add-remove-add-wins
              phone: e1.regions expected ["neck","shoulders"], got ["shoulders"]
              laptop: e1.regions expected ["neck","shoulders"], got ["shoulders"]
            PASS lww-concurrent-higher-hlc-wins
            1 passed, 1 failed

            """)
    }

    @Test func jsonPrintsOneObjectPerFixture() throws {
        let folder = try TemporaryFolder()
        let result = try Self.run(["--json", "--engine", try Self.proxyEngine("remove-wins", in: folder),
                                   Self.fixture("set-concurrent-add-remove-add-wins"), Self.fixture("lww-concurrent-higher-hlc-wins")])
        #expect(result.status == 1)
        let objects = try result.output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 2)
        #expect(objects[0]["name"] as? String == "set-concurrent-add-remove-add-wins")
        #expect(objects[0]["file"] as? String == Self.fixture("set-concurrent-add-remove-add-wins"))
        #expect(objects[0]["passed"] as? Bool == false)
        let difference = try #require((objects[0]["differences"] as? [[String: Any]])?.first)
        #expect(difference["replica"] as? String == "phone")
        #expect(difference["part"] as? String == "state")
        #expect(difference["path"] as? [String] == ["e1", "fields", "regions"])
        #expect(difference["expected"] as? [String] == ["neck", "shoulders"])
        #expect(difference["got"] as? [String] == ["shoulders"])
        #expect((objects[0]["errors"] as? [Any])?.isEmpty == true)
        #expect(objects[1]["passed"] as? Bool == true)
        #expect(objects[1]["trace"] == nil)
    }

    @Test func traceShowsTheStampsOfEveryStep() throws {
        let result = try Self.run(["--trace", "--engine", Self.adapter, Self.fixture("hlc-advanced-by-received-change-beats-later-wall-time")])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "TRACE hlc-advanced-by-received-change-beats-later-wall-time")
        #expect(lines.contains { $0.hasPrefix("  step 1: ") && $0.contains(", stamped 20") })
        #expect(lines.contains { $0.contains(": sync ") && $0.contains(" received ") })
        #expect(lines.contains { $0.hasPrefix("  end: ") })
        let json = try Self.run(["--json", "--trace", Self.fixture("hlc-advanced-by-received-change-beats-later-wall-time")])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let first = try #require((object["trace"] as? [[String: Any]])?.first)
        #expect(first["op"] as? String == "change")
        #expect((first["hlc"] as? [Int])?.count == 2)
    }

    /// Each misbehaviour is one fixture's error, and the next fixture starts a fresh engine.
    @Test(arguments: [
        ("crash-on-sync", "step 2: during the sync of phone and laptop: the engine closed its output without answering; it exited with status 3"),
        ("garbage", "during the dump of phone: printed a line that is not a JSON object (1:1: unexpected \"this\"; expected a value): \"this is not json\""),
        ("wrong-seq", "step 1: the engine's answer to phone's change is wrong: 1:"),
        ("wrong-id", "during the handshake (hello): the engine failed the handshake: answered request 0 with id 1"),
        ("bad-dump", "the engine's answer to the dump of phone is wrong: 1:"),
    ])
    func hostileEnginesGiveClearErrors(mode: String, message: String) throws {
        let folder = try TemporaryFolder()
        let result = try Self.run(["--engine", try Self.proxyEngine(mode, in: folder), Self.fixture("lww-concurrent-higher-hlc-wins"),
                                   Self.fixture("delivery-missing-first-change-nothing-applied")])
        #expect(result.status == 1)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "FAIL lww-concurrent-higher-hlc-wins", "\(result.output)")
        #expect(lines.dropFirst().first?.contains(message) == true, "\(result.output)")
        // A fresh engine takes the next fixture, which has no sync and passes, or (garbage)
        // gets as far as its own dumps.
        if mode == "crash-on-sync" {
            #expect(lines.contains("PASS delivery-missing-first-change-nothing-applied"), "\(result.output)")
        } else if mode == "garbage" {
            #expect(lines.dropFirst(3).first?.contains(message) == true, "\(result.output)")
        }
    }

    @Test func aStampThatChangesInTransitIsCaught() throws {
        let folder = try TemporaryFolder()
        let result = try Self.run(["--engine", try Self.proxyEngine("wrong-stamp", in: folder), Self.fixture("delivery-duplicates-are-idempotent")])
        #expect(result.status == 1)
        #expect(result.output.contains("is wrong: it gives "), "\(result.output)")
        #expect(result.output.contains("the stamp 1970-01-01T00:00:00Z/0, but the change was made with "), "\(result.output)")
    }

    @Test func aHangingEngineIsStoppedAtTheTimeout() throws {
        let folder = try TemporaryFolder()
        // A child in the background holds the engine's output open: it must be stopped too.
        let engine = "sleep 600 & exec " + (try Self.proxyEngine("hang-on-change", in: folder))
        let start = ContinuousClock.now
        let result = try Self.run(["--timeout", "0.5", "--engine", engine, Self.fixture("lww-concurrent-higher-hlc-wins"),
                                   Self.fixture("counter-negative-increments")])
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(result.status == 1)
        #expect(result.output == """
            FAIL lww-concurrent-higher-hlc-wins
              step 1: during phone's change: the engine did not finish answering within 0.5 s; it was stopped
            FAIL counter-negative-increments
              step 1: during phone's change: the engine did not finish answering within 0.5 s; it was stopped
            0 passed, 2 failed

            """)
    }

    @Test func anEngineThatNeverStartsFailsEveryFixtureAtOnce() throws {
        let start = ContinuousClock.now
        let result = try Self.run(["--timeout", "0.5", "--engine", "sleep 600", Self.fixture("lww-concurrent-higher-hlc-wins"),
                                   Self.fixture("counter-negative-increments")])
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(result.status == 1)
        #expect(result.output == """
            FAIL lww-concurrent-higher-hlc-wins
              during the handshake (hello): the engine failed the handshake: the engine did not finish answering within 0.5 s; it was stopped
            FAIL counter-negative-increments
              during the handshake (hello): not run, because the engine failed the handshake: the engine did not finish answering within 0.5 s; it was stopped
            0 passed, 2 failed

            """)
        let missing = try Self.run(["--engine", "/nonexistent/engine", Self.fixture("lww-concurrent-higher-hlc-wins")])
        #expect(missing.status == 1)
        // The shell may exit before or after Flare writes the hello: either way, its status is said.
        #expect(missing.output.contains("during the handshake (hello): the engine failed the handshake: the engine "), "\(missing.output)")
        #expect(missing.output.contains("; it exited with status 127\n"), "\(missing.output)")
    }

    @Test func aMalformedFileReportsEveryProblemWithItsPlace() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("broken.json")
        try Data("""
            {"name": "broken-name", "replicas": ["phone"],
             "steps": [{"replica": "tablet", "ops": [{"set": ["e1", "pain", 5],}]}],
             "expect": {"state": {}, "state": {}}}
            """.utf8).write(to: URL(fileURLWithPath: file))
        let result = try Self.run([file])
        #expect(result.status == 1)
        #expect(result.output == """
            FAIL broken
              \(file):1:10: $.name: "name" is "broken-name" but the file is broken.json; they must be equal
              \(file):2:24: $.steps[0].replica: "replica" names "tablet", which is not one of the replicas
              \(file):2:67: trailing comma before "}"
              \(file):3:26: duplicate key "state" (first at 3:13)
            0 passed, 1 failed

            """)
    }

    /// The CLI: one line per fixture, a summary, and the exit status.
    @Test func printsResultsAndExitStatus() throws {
        let folder = try TemporaryFolder()
        try Data(#"{"name": "good", "replicas": ["a"], "steps": [], "expect": {"state": {}}}"#.utf8)
            .write(to: URL(fileURLWithPath: folder.path("good.json")))
        try Data("{".utf8).write(to: URL(fileURLWithPath: folder.path("broken.json")))
        let result = try Self.run([folder.url.path])
        #expect(result.status == 1)
        #expect(result.output == """
            FAIL broken
              \(folder.url.path)/broken.json:1:2: unexpected end of text in an object; expected a key in double quotes
            PASS good
            1 passed, 1 failed

            """)
    }

    @Test(arguments: [
        ["--timeout", "0", "x.json"], ["--timeout", "nan", "x.json"], ["--timeout", "soon", "x.json"], ["--engine", " ", "x.json"],
        ["/nonexistent/folder"], [],
    ])
    func badCommandLinesExit64(arguments: [String]) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 64, "\(result.errors)")
    }

    @Test func aFolderWithoutFixturesIsABadCommandLine() throws {
        let folder = try TemporaryFolder()
        let result = try Self.run([folder.url.path])
        #expect(result.status == 64)
        #expect(result.errors.contains("no .json fixture files found"))
    }
}
