@testable import FlareFixtures
import Foundation
import Testing

@Suite struct FixtureTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = root.appendingPathComponent("Protocol/fixtures")

    @Test func everyProtocolFixturePassesThroughTheEngineProtocol() throws {
        let files = try FixtureSuite.files(at: [Self.folder.path])
        #expect(files.count >= 60)
        let session = EngineSession.flare()
        for file in files {
            let result = FixtureSuite.run(file: file, on: session)
            #expect(result.passed, "\(result.text)")
            #expect(result.name == ((file as NSString).lastPathComponent as NSString).deletingPathExtension)
        }
    }

    static func run(_ json: String) throws -> FixtureResult {
        FixtureRunner.run(try Fixture(json: Data(json.utf8)), on: .flare())
    }

    static func problems(_ json: String, fileName: String? = nil) -> [String] {
        do {
            _ = try Fixture(json: Data(json.utf8), fileName: fileName)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func aWrongExpectationSaysWhichFieldDiffered() throws {
        let result = try Self.run("""
            {"name": "wrong", "replicas": ["phone", "laptop"],
             "steps": [{"replica": "phone", "ops": [{"create": "e1", "type": "symptom"}, {"set": ["e1", "pain", 5]},
                                                    {"add": ["e1", "regions", "shoulders"]}]},
                       {"sync": ["phone", "laptop"]}],
             "expect": {"converged": true,
                        "state": {"e1": {"type": "symptom", "fields": {"pain": 6, "regions": ["neck", "shoulders"]}},
                                  "e2": {"type": "symptom", "fields": {}}},
                        "replicas": {"laptop": {"state": {"e1": {"type": "treatment", "fields": {"pain": 5, "regions": ["shoulders"]}}},
                                                "conflicts": {"e1": {"pain": [6]}}}}}}
            """)
        #expect(result.text == """
            FAIL wrong
              phone: e1.pain expected 6, got 5
              phone: e1.regions expected ["neck","shoulders"], got ["shoulders"]
              phone: e2 expected {"fields":{},"type":"symptom"}, got nothing
              laptop: type of e1 expected "treatment", got "symptom"
              laptop: conflicts of e1.pain expected [6], got nothing
            """)
        #expect(result.differences[1] == FixtureDifference(
            replica: "phone", part: .state, path: ["e1", "fields", "regions"],
            expected: .array([.string("neck"), .string("shoulders")]), actual: .array([.string("shoulders")])))
        #expect(result.json().description.contains(
            #"{"expected":["neck","shoulders"],"got":["shoulders"],"part":"state","path":["e1","fields","regions"],"replica":"phone"}"#))
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
                        "conflicts": {"e": {"pain": [{"one_of": [1, 2]}, 1.0]}}}}
            """)
        #expect(result.passed, "\(result.text)")
    }

    /// A greedy pairing would give the `one_of` the 1 and leave 2 unmatched.
    @Test func multisetsPairElementsAsAWhole() {
        let oneOf = JSONValue.object(["one_of": .array([.int(1), .int(2)])])
        #expect(FixtureComparison.matches(.array([oneOf, .int(1)]), .array([.int(1), .int(2)]), multisetDepth: 0))
        #expect(!FixtureComparison.matches(.array([oneOf, .int(1)]), .array([.int(2), .int(2)]), multisetDepth: 0))
        #expect(FixtureComparison.matches(.array([.int(2), .double(1)]), .array([.int(1), .int(2)]), multisetDepth: 0))
        #expect(!FixtureComparison.matches(.array([.int(1), .int(1)]), .array([.int(1), .int(2)]), multisetDepth: 0))
        #expect(!FixtureComparison.matches(.int(9_007_199_254_740_993), .double(9_007_199_254_740_992)))
    }

    @Test func convergenceIsCheckedFieldByField() throws {
        let apart = try Self.run("""
            {"name": "apart", "replicas": ["a", "b"],
             "steps": [{"replica": "a", "ops": [{"create": "e", "type": "s"}, {"set": ["e", "pain", 4]}]}], "expect": {"converged": true}}
            """)
        #expect(apart.text == """
            FAIL apart
              not converged: e is nothing on b, {"fields":{"pain":4},"type":"s"} on a
            """)
        let same = try Self.run(#"{"name": "same", "replicas": ["a", "b"], "steps": [], "expect": {"converged": false}}"#)
        #expect(same.differences == [FixtureDifference(replica: nil, part: .converged, path: [], expected: .bool(false), actual: .bool(true))])
    }

    @Test(arguments: [
        ("{", "1:2: unexpected end of text in an object; expected a key in double quotes"),
        (#"{"name": "x", "replicas": ["a"], "steps": [], "expect": {}, "extra": 1}"#,
         #"1:61: $.extra: unknown key "extra" in a fixture (allowed: "name", "replicas", "steps", "expect")"#),
        (#"{"name": "x", "replicas": ["a", "a"], "steps": [], "expect": {}}"#, #"1:33: $.replicas[1]: replica "a" is listed twice"#),
        (#"{"name": "x", "replicas": ["a-name-longer-than-16"], "steps": [], "expect": {}}"#, "must be 1 to 16 bytes of UTF-8"),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "b", "ops": [{"delete": "e"}]}], "expect": {}}"#,
         #"1:56: $.steps[0].replica: "replica" names "b", which is not one of the replicas"#),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "a", "ops": [{"frobnicate": ["e"]}]}], "expect": {}}"#,
         #"1:70: $.steps[0].ops[0].frobnicate: unknown op "frobnicate""#),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "a", "at": "2026-02-30T00:00:00Z", "ops": [{"delete": "e"}]}], "expect": {}}"#,
         "$.steps[0].at: \"at\" must be a UTC time"),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "a", "ops": [{"set": ["e", "f", [1]]}]}], "expect": {}}"#,
         "$.steps[0].ops[0].set[2]: the value of \"set\" must be a scalar"),
        (#"{"name": "x", "replicas": ["a"], "steps": [{"replica": "a", "ops": [{"insert": ["e", "f", -1, "x"]}]}], "expect": {}}"#,
         "$.steps[0].ops[0].insert[2]: the index of \"insert\" must be at least 0, not -1"),
        (#"{"name": "x", "replicas": ["a", "b"], "steps": [{"deliver": {"from": "a", "to": "b", "seqs": [1]}}], "expect": {}}"#,
         "$.steps[0].deliver.seqs[0]: a has made 0 changes before this step, so it has no change 1"),
        (#"{"name": "x", "replicas": ["a"], "steps": [], "expect": {"state": {"e": {"type": "s", "feilds": {}}}}}"#,
         #"$.expect.state.e.feilds: unknown key "feilds" in a document"#),
        (#"{"name": "x", "replicas": ["a"], "steps": [], "expect": {"conflicts": {"e": {"pain": []}}}}"#,
         "$.expect.conflicts.e.pain: a field without losing values must be left out"),
        (#"{"name": "x", "replicas": ["a"], "steps": []}"#, #"1:1: $: a fixture lacks the required key "expect""#),
        (#"{"name": "x", "replicas": ["a"], "steps": [], "expect": {"converged": 1}}"#, "$.expect.converged: \"expect.converged\" must be true or false"),
    ])
    func malformedFilesSayWhereAndWhy(json: String, problem: String) {
        let problems = Self.problems(json)
        #expect(problems.contains { $0.contains(problem) }, "\(problems)")
    }

    /// Every problem of a file is reported, syntax and meaning alike, in file order.
    @Test func everyProblemIsReportedWithItsPlace() {
        let problems = Self.problems("""
            {"name": "other", "replicas": ["phone", "phone"],
             "steps": [{"replica": "tablet", "ops": []},
                       {"sync": ["phone"]},
                       {"replica": "phone", "ops": [{"set": ["e1", "pain", 99999999999999999999]}, {"incr": ["e1", "n", 1.5]},],
                        "color": "red"}],
             "expect": {"converged": true, "converged": false, "replicas": {"watch": {}}}}
            """, fileName: "fixture")
        #expect(problems == [
            #"1:10: $.name: "name" is "other" but the file is fixture.json; they must be equal"#,
            #"1:41: $.replicas[1]: replica "phone" is listed twice"#,
            #"2:24: $.steps[0].replica: "replica" names "tablet", which is not one of the replicas"#,
            #"2:41: $.steps[0].ops: "ops" must not be empty"#,
            #"3:21: $.steps[1].sync: "sync" must name two replicas, not 1"#,
            "4:64: integer 99999999999999999999 is out of range (-2^63 to 2^63 - 1)",
            #"4:109: $.steps[2].ops[1].incr[2]: the amount of "incr" must be an integer, not a decimal number"#,
            #"4:114: trailing comma before "]""#,
            #"5:13: $.steps[2].color: unknown key "color" in a change step (or a step with "sync" or "deliver") (allowed: "replica", "ops", "at")"#,
            "6:32: duplicate key \"converged\" (first at 6:13)",
            #"6:65: $.expect.replicas.watch: "expect.replicas" names "watch", which is not one of the replicas"#,
        ])
    }

    @Test func aStepTheEngineRefusesFailsTheFixture() throws {
        let result = try Self.run(#"""
            {"name": "x", "replicas": ["a", "b"], "steps": [{"replica": "a", "ops": [{"set": ["missing", "pain", 1]}]}], "expect": {}}
            """#)
        #expect(result.problems == [FixtureProblem(.refused, "the engine refused a's change (invalid_step): document missing does not exist", step: 1)])
        #expect(result.text == "FAIL x\n  step 1: the engine refused a's change (invalid_step): document missing does not exist")
    }

    @Test func tracesGiveEveryStampGivenAndReceived() throws {
        let result = try Self.run("""
            {"name": "t", "replicas": ["phone", "laptop"],
             "steps": [{"replica": "phone", "at": "2026-03-01T08:00:00Z", "ops": [{"create": "e1", "type": "symptom"}]},
                       {"replica": "laptop", "ops": [{"create": "e2", "type": "symptom"}]},
                       {"replica": "laptop", "ops": [{"delete": "e2"}]},
                       {"deliver": {"from": "laptop", "to": "phone", "seqs": [2]}},
                       {"sync": ["phone", "laptop"]}],
             "expect": {}}
            """)
        #expect(result.traceText == """
            TRACE t
              step 1: phone made change 1 at 2026-03-01T08:00:00Z, stamped 2026-03-01T08:00:00Z/0
              step 2: laptop made change 1 at 2026-01-01T00:00:00Z, stamped 2026-01-01T00:00:00Z/0
              step 3: laptop made change 2 at 2026-01-01T00:00:01Z, stamped 2026-01-01T00:00:01Z/0
              step 4: phone received laptop@2 2026-01-01T00:00:01Z/0
              step 5: sync phone laptop: laptop received phone@1 2026-03-01T08:00:00Z/0, phone received laptop@1 2026-01-01T00:00:00Z/0, phone received laptop@2 2026-01-01T00:00:01Z/0
              end: phone holds {"e1":{"fields":{},"type":"symptom"}}, conflicts {}
              end: laptop holds {"e1":{"fields":{},"type":"symptom"}}, conflicts {}
            """)
    }

    @Test func timesAreReadStrictly() {
        #expect(FixtureTime.milliseconds(iso8601: "2026-03-01T08:00:00Z") == 1_772_352_000_000)
        #expect(FixtureTime.milliseconds(iso8601: "1970-01-01T00:00:00Z") == 0)
        #expect(FixtureTime.milliseconds(iso8601: "9999-12-31T23:59:59Z") == 253_402_300_799_000)
        #expect(FixtureTime.milliseconds(iso8601: "2024-02-29T00:00:00Z") != nil)
        for text in ["2026-02-29T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T08:00:60Z", "1969-12-31T23:59:59Z",
                     "2026-03-01T08:00:00", "2026-03-01 08:00:00Z", "2026-03-01T08:00:00.5Z", "+026-03-01T08:00:00Z", "２026-03-01T08:00:00Z"] {
            #expect(FixtureTime.milliseconds(iso8601: text) == nil, "\(text)")
        }
        #expect(FixtureTime.text(milliseconds: 1_772_352_000_250) == "2026-03-01T08:00:00.250Z")
        #expect(FixtureTime.text(milliseconds: 253_402_300_799_000) == "9999-12-31T23:59:59Z")
    }

    /// The reference adapter answers anything with one answer line.
    @Test func theReferenceAdapterAnswersEveryRequest() {
        var engine = FlareEngine(name: "flare test")
        let exchanges: [(String, String)] = [
            (#"{"id":0,"op":"hello","protocol":1}"#, #"{"engine":"flare test","id":0,"ok":true,"protocol":1}"#),
            (#"{"id":1,"op":"hello","protocol":2}"#, #"{"error":"unsupported","id":1,"message":"this engine speaks protocol 1, not 2","ok":false}"#),
            ("not json", #"{"error":"failed","id":null,"message":"the request is not JSON: 1:1: unexpected \"not\"; expected a value","ok":false}"#),
            (#"{"id":2,"op":"teleport"}"#,
             #"{"error":"unsupported","id":2,"message":"unknown op \"teleport\"; this engine knows hello, replicas, change, deliver, sync, dump","ok":false}"#),
            (#"{"id":3,"op":"replicas","replicas":["phone","laptop"],"fixture":"f"}"#, #"{"id":3,"ok":true}"#),
            (#"{"id":4,"op":"change","replica":"phone","at":1000,"ops":[{"create":"e1","type":"symptom"},{"add":["e1","regions","neck"]}]}"#,
             #"{"hlc":[1000,0],"id":4,"ok":true,"seq":1}"#),
            (#"{"id":5,"op":"change","replica":"phone","at":500,"ops":[{"create":"e1","type":"symptom"}]}"#,
             #"{"error":"invalid_step","id":5,"message":"document e1 already exists","ok":false}"#),
            (#"{"id":6,"op":"deliver","from":"phone","to":"laptop","seq":2}"#,
             #"{"error":"invalid_step","id":6,"message":"phone has made no change 2","ok":false}"#),
            (#"{"id":7,"op":"sync","replicas":["phone","laptop"]}"#,
             #"{"id":7,"ok":true,"received":[{"hlc":[1000,0],"replica":"phone","seq":1,"to":"laptop"}]}"#),
            (#"{"id":8,"op":"dump","replica":"laptop"}"#,
             #"{"conflicts":{},"id":8,"ok":true,"state":{"e1":{"fields":{"regions":["neck"]},"type":"symptom"}}}"#),
            (#"{"id":9,"op":"dump","replica":"tablet"}"#,
             #"{"error":"failed","id":9,"message":"1:31: $.replica: \"replica\" names \"tablet\", which is not one of the replicas","ok":false}"#),
        ]
        for (request, answer) in exchanges {
            #expect(engine.answer(Array(request.utf8)) == answer)
        }
    }
}
