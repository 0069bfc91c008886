import FlareFixtures
import Foundation
import Testing

/// Protocol/fixture.schema.json says what the Swift parser accepts.
@Suite struct SchemaTests {
    static let schemaFile = FixtureTests.root.appendingPathComponent("Protocol/fixture.schema.json")

    static func schema() throws -> JSONValue {
        let (root, problems) = JSONReader.read([UInt8](try Data(contentsOf: schemaFile)))
        #expect(problems.isEmpty, "\(problems)")
        return try #require(root?.value)
    }

    static func object(_ value: JSONValue?) -> [String: JSONValue]? {
        guard case .object(let members)? = value else { return nil }
        return members
    }

    static func strings(_ value: JSONValue?) -> [String]? {
        guard case .array(let values)? = value else { return nil }
        return values.compactMap { if case .string(let string) = $0 { string } else { nil } }
    }

    /// The plain-object form of a definition: itself, or the branch of its `anyOf` that is
    /// not `{"one_of": [...]}`.
    static func objectForm(_ definition: [String: JSONValue]) -> [String: JSONValue]? {
        if definition["properties"] != nil { return definition }
        guard case .array(let branches)? = definition["anyOf"] else { return nil }
        return branches.compactMap(object).first { branch in
            guard let properties = object(branch["properties"]) else { return false }
            return properties["one_of"] == nil
        }
    }

    @Test func everyObjectOfTheFormatHasTheParsersKeys() throws {
        let schema = try Self.schema()
        let root = try #require(Self.object(schema))
        #expect(root["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        #expect(root["$ref"] == .string("#/$defs/fixture"))
        let definitions = try #require(Self.object(root["$defs"]))
        for (name, keys) in FixtureFormat.objects {
            let definition = try #require(Self.object(definitions[name]), "no $defs.\(name)")
            let form = try #require(Self.objectForm(definition), "no object form in $defs.\(name)")
            #expect(Set(Self.strings(form["required"]) ?? []) == Set(keys.required), "\(name)")
            #expect(Set(Self.object(form["properties"])?.keys.map { $0 } ?? []) == Set(keys.required + keys.optional), "\(name)")
            #expect(form["additionalProperties"] == .bool(false), "\(name)")
        }
        // The ops: one definition each, whose first required key is the op's.
        guard case .array(let ops)? = Self.object(definitions["op"])?["oneOf"] else { Issue.record("no $defs.op.oneOf"); return }
        let verbs = ops.compactMap { reference -> String? in
            guard case .string(let target)? = Self.object(reference)?["$ref"] else { return nil }
            let name = String(target.dropFirst("#/$defs/".count))
            return Self.strings(Self.object(definitions[name])?["required"])?.first
        }
        #expect(verbs == FixtureFormat.operations)
        // Every $ref points at a definition.
        for target in Self.references(schema) {
            #expect(target.hasPrefix("#/$defs/") && definitions[String(target.dropFirst("#/$defs/".count))] != nil, "\(target)")
        }
    }

    static func references(_ value: JSONValue) -> [String] {
        switch value {
        case .object(let members):
            let own: [String] = if case .string(let target)? = members["$ref"] { [target] } else { [] }
            return own + members.values.flatMap(references)
        case .array(let values): return values.flatMap(references)
        default: return []
        }
    }

    static let hasJSONSchema: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import jsonschema"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// A fixture using every step, op and expectation form.
    static let everything = """
        {"name": "everything", "replicas": ["phone", "laptop"],
         "steps": [{"replica": "phone", "at": "2026-03-01T08:00:00Z", "ops": [{"create": "e1", "type": "symptom"}, {"set": ["e1", "pain", 5]},
                     {"add": ["e1", "regions", "neck"]}, {"remove": ["e1", "regions", "hips"]}, {"incr": ["e1", "doses", -2]},
                     {"insert": ["e1", "note", 0, "ache"]}, {"delete_text": ["e1", "note", 0, 1]}, {"create": "e2", "type": "s"}, {"delete": "e2"}]},
                   {"deliver": {"from": "phone", "to": "laptop", "seqs": [1]}},
                   {"sync": ["phone", "laptop"]}],
         "expect": {"converged": true,
                    "state": {"e1": {"type": {"one_of": ["symptom"]}, "fields": {"pain": 5, "regions": ["neck"], "doses": -2,
                                                                                   "note": {"one_of": ["che", "ache"]}}}},
                    "conflicts": {},
                    "replicas": {"laptop": {"state": {"one_of": [{"e1": {"one_of": [{"type": "symptom", "fields": {"pain": 5,
                                 "regions": [{"one_of": ["neck"]}], "doses": -2, "note": "che"}}]}}]},
                                            "conflicts": {"one_of": [{}, {"e1": {"pain": [{"one_of": [4, 6]}]}}]}}}}}
        """

    /// Changes to `everything` that break its shape: the parser and the schema must both refuse each.
    static let breakages: [(String, @Sendable (inout JSONValue) -> Void)] = [
        ("no name", { $0[["name"]] = nil }),
        ("no expect", { $0[["expect"]] = nil }),
        ("extra key", { $0[["color"]] = .string("red") }),
        ("empty replicas", { $0[["replicas"]] = .array([]) }),
        ("replica not a string", { $0[["replicas"]] = .array([.int(1)]) }),
        ("step with no shape", { $0[["steps"]] = .array([.object([:])]) }),
        ("step extra key", { $0[["steps", 1, "color"]] = .string("red") }),
        ("empty ops", { $0[["steps", 0, "ops"]] = .array([]) }),
        ("at not a time", { $0[["steps", 0, "at"]] = .string("yesterday") }),
        ("at a number", { $0[["steps", 0, "at"]] = .int(5) }),
        ("unknown op", { $0[["steps", 0, "ops", 1]] = .object(["frobnicate": .array([])]) }),
        ("two verbs", { $0[["steps", 0, "ops", 1, "add"]] = .array([.string("e1"), .string("f"), .string("x")]) }),
        ("set of an array", { $0[["steps", 0, "ops", 1, "set", 2]] = .array([]) }),
        ("set too long", { $0[["steps", 0, "ops", 1, "set", 3]] = .int(1) }),
        ("incr of a string", { $0[["steps", 0, "ops", 4, "incr", 2]] = .string("2") }),
        ("negative index", { $0[["steps", 0, "ops", 5, "insert", 2]] = .int(-1) }),
        ("create without type", { $0[["steps", 0, "ops", 0, "type"]] = nil }),
        ("create with extra key", { $0[["steps", 0, "ops", 0, "color"]] = .string("red") }),
        ("delete of a number", { $0[["steps", 0, "ops", 8, "delete"]] = .int(2) }),
        ("deliver without seqs", { $0[["steps", 1, "deliver", "seqs"]] = nil }),
        ("seq zero", { $0[["steps", 1, "deliver", "seqs", 0]] = .int(0) }),
        ("sync of one", { $0[["steps", 2, "sync"]] = .array([.string("phone")]) }),
        ("converged a string", { $0[["expect", "converged"]] = .string("yes") }),
        ("expect extra key", { $0[["expect", "color"]] = .string("red") }),
        ("document typo", { $0[["expect", "state", "e1", "feilds"]] = .object([:]) }),
        ("document without type", { $0[["expect", "state", "e1", "type"]] = nil }),
        ("field an object", { $0[["expect", "state", "e1", "fields", "pain"]] = .object(["x": .int(1)]) }),
        ("set element a number", { $0[["expect", "state", "e1", "fields", "regions", 0]] = .int(1) }),
        ("one_of with company", { $0[["expect", "state", "e1", "fields", "note", "x"]] = .int(1) }),
        ("one_of empty", { $0[["expect", "state", "e1", "fields", "note", "one_of"]] = .array([]) }),
        ("one_of not an array", { $0[["expect", "state", "e1", "fields", "note", "one_of"]] = .string("ache") }),
        ("conflicts list empty", { $0[["expect", "conflicts"]] = .object(["e1": .object(["pain": .array([])])]) }),
        ("conflicts document empty", { $0[["expect", "conflicts"]] = .object(["e1": .object([:])]) }),
        ("loser an array", { $0[["expect", "conflicts"]] = .object(["e1": .object(["pain": .array([.array([])])])]) }),
        ("replica expectation extra key", { $0[["expect", "replicas", "laptop", "converged"]] = .bool(true) }),
    ]

    /// Python's `jsonschema` (when installed) holds every Protocol fixture valid and refuses
    /// every breakage the parser refuses.
    @Test(.enabled(if: hasJSONSchema)) func theSchemaAgreesWithTheParser() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flare-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (root, _) = JSONReader.read(Array(Self.everything.utf8))
        let base = try #require(root?.value)
        #expect(throws: Never.self) { try Fixture(json: Data(Self.everything.utf8), fileName: "everything") }
        var expected: [String: Bool] = [:]
        for (index, (name, breakage)) in Self.breakages.enumerated() {
            var broken = base
            breakage(&broken)
            #expect(broken != base, "\(name) changed nothing")
            let file = "broken-\(index).json"
            try Data(broken.description.utf8).write(to: folder.appendingPathComponent(file))
            #expect(throws: FixtureError.self, "\(name)") { try Fixture(json: Data(broken.description.utf8)) }
            expected[file] = false
        }
        try Data(Self.everything.utf8).write(to: folder.appendingPathComponent("everything.json"))
        expected["everything.json"] = true
        for file in try FileManager.default.contentsOfDirectory(atPath: FixtureTests.folder.path) where file.hasSuffix(".json") {
            try FileManager.default.copyItem(at: FixtureTests.folder.appendingPathComponent(file), to: folder.appendingPathComponent("p-" + file))
            expected["p-" + file] = true
        }

        let script = """
            import glob, json, os, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema)
            for path in sorted(glob.glob(os.path.join(sys.argv[2], "*.json"))):
                print(os.path.basename(path), "valid" if validator.is_valid(json.load(open(path))) else "invalid")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Self.schemaFile.path, folder.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        var verdicts: [String: Bool] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            verdicts[String(parts[0])] = parts.last == "valid"
        }
        #expect(verdicts.count == expected.count)
        for (file, valid) in expected {
            let name = file.hasPrefix("broken-") ? Self.breakages[Int(file.dropFirst(7).dropLast(5))!].0 : file
            #expect(verdicts[file] == valid, "\(name): the schema says \(verdicts[file].map { $0 ? "valid" : "invalid" } ?? "nothing")")
        }
    }
}

extension JSONValue {
    /// The value at a path of keys and indices; setting nil removes an object member.
    subscript(path: [any Sendable]) -> JSONValue? {
        get {
            guard let first = path.first else { return self }
            let rest = Array(path.dropFirst())
            switch (self, first) {
            case (.object(let members), let key as String): return members[key]?[rest]
            case (.array(let values), let index as Int) where values.indices.contains(index): return values[index][rest]
            default: return nil
            }
        }
        set {
            guard let first = path.first else {
                if let newValue { self = newValue }
                return
            }
            let rest = Array(path.dropFirst())
            switch (self, first) {
            case (.object(var members), let key as String):
                if rest.isEmpty {
                    members[key] = newValue
                } else {
                    var child = members[key] ?? .null
                    child[rest] = newValue
                    members[key] = child
                }
                self = .object(members)
            case (.array(var values), let index as Int):
                if index == values.count, let newValue, rest.isEmpty {
                    values.append(newValue)
                } else if values.indices.contains(index) {
                    var child = values[index]
                    child[rest] = newValue
                    values[index] = child
                }
                self = .array(values)
            default:
                break
            }
        }
    }
}
