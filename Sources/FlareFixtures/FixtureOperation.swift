import FlareCRDT

/// One op of a fixture step, as written in the file and sent to engines.
public enum FixtureOperation: Sendable, Equatable {
    case create(document: String, type: String)
    case set(document: String, field: String, value: Scalar)
    case add(document: String, field: String, element: String)
    case remove(document: String, field: String, element: String)
    case increment(document: String, field: String, amount: Int64)
    case insert(document: String, field: String, index: Int, text: String)
    case deleteText(document: String, field: String, index: Int, count: Int)
    case delete(document: String)

    /// Reads an op, reporting every problem in it; nil if there was one.
    static func parse(_ node: JSONNode, _ path: JSONPath, _ checker: inout JSONChecker) -> FixtureOperation? {
        let before = checker.problems.count
        guard case .object(let members) = node.content else {
            _ = checker.members(node, path, "an op", required: [])
            return nil
        }
        if node["create"] != nil {
            let keys = FixtureFormat.objects["createOp"]!
            guard let members = checker.members(node, path, "a create op", required: keys.required, optional: keys.optional) else { return nil }
            let document = members["create"].flatMap { checker.string($0, path + "create", "\"create\" (the document id)") }
            let type = members["type"].flatMap { checker.string($0, path + "type", "\"type\"") }
            guard let document, let type, checker.problems.count == before else { return nil }
            return .create(document: document, type: type)
        }
        let verbs = FixtureFormat.operations.map { "\"\($0)\"" }.joined(separator: ", ")
        guard members.count == 1, let verb = members.first else {
            checker.report(members.isEmpty ? "an op cannot be empty; it has one key of \(verbs)"
                : "an op has exactly one key of \(verbs), not \(members.map { JSONValue.quote($0.key) }.joined(separator: ", "))", node, path)
            return nil
        }
        let argumentPath = path + verb.key
        let argument = verb.value
        func arguments(_ shape: String, count: Int) -> [JSONNode]? {
            guard let values = checker.array(argument, argumentPath, "\"\(verb.key)\"") else { return nil }
            guard values.count == count else {
                checker.report("\"\(verb.key)\" takes \(shape), \(count) values, not \(values.count)", argument, argumentPath)
                return nil
            }
            return values
        }
        func string(_ values: [JSONNode], _ index: Int, _ what: String) -> String? {
            checker.string(values[index], argumentPath + index, "the \(what) of \"\(verb.key)\"")
        }
        func index(_ values: [JSONNode], _ at: Int, _ what: String) -> Int? {
            checker.integer(values[at], argumentPath + at, "the \(what) of \"\(verb.key)\"", in: 0...Int64.max).flatMap { Int(exactly: $0) }
        }
        let operation: FixtureOperation?
        switch verb.key {
        case "set":
            guard let values = arguments("[document, field, scalar]", count: 3) else { return nil }
            let (document, field) = (string(values, 0, "document"), string(values, 1, "field"))
            let scalar: Scalar?
            switch values[2].content {
            case .null: scalar = .null
            case .bool(let value): scalar = .bool(value)
            case .int(let value): scalar = .int(value)
            case .double(let value): scalar = .double(value)
            case .string(let value): scalar = .string(value)
            case .invalid: scalar = nil
            case .array, .object:
                checker.report("the value of \"set\" must be a scalar (null, a boolean, a number or a string), not \(values[2].kindName)",
                               values[2], argumentPath + 2)
                scalar = nil
            }
            operation = document.flatMap { document in field.flatMap { field in scalar.map { .set(document: document, field: field, value: $0) } } }
        case "add", "remove":
            guard let values = arguments("[document, field, string]", count: 3) else { return nil }
            let (document, field, element) = (string(values, 0, "document"), string(values, 1, "field"), string(values, 2, "element"))
            guard let document, let field, let element else { return nil }
            operation = verb.key == "add" ? .add(document: document, field: field, element: element)
                : .remove(document: document, field: field, element: element)
        case "incr":
            guard let values = arguments("[document, field, integer]", count: 3) else { return nil }
            let (document, field) = (string(values, 0, "document"), string(values, 1, "field"))
            let amount = checker.integer(values[2], argumentPath + 2, "the amount of \"incr\"", in: Int64.min...Int64.max)
            guard let document, let field, let amount else { return nil }
            operation = .increment(document: document, field: field, amount: amount)
        case "insert":
            guard let values = arguments("[document, field, index, string]", count: 4) else { return nil }
            let (document, field) = (string(values, 0, "document"), string(values, 1, "field"))
            let (at, text) = (index(values, 2, "index"), string(values, 3, "text"))
            guard let document, let field, let at, let text else { return nil }
            operation = .insert(document: document, field: field, index: at, text: text)
        case "delete_text":
            guard let values = arguments("[document, field, index, count]", count: 4) else { return nil }
            let (document, field) = (string(values, 0, "document"), string(values, 1, "field"))
            let (at, count) = (index(values, 2, "index"), index(values, 3, "count"))
            guard let document, let field, let at, let count else { return nil }
            operation = .deleteText(document: document, field: field, index: at, count: count)
        case "delete":
            operation = checker.string(argument, argumentPath, "\"delete\" (the document id)").map { .delete(document: $0) }
        default:
            checker.append(FixtureProblem(checker.kind, "unknown op \(JSONValue.quote(verb.key)); ops are \(verbs)",
                                          path: argumentPath, position: verb.keyPosition))
            return nil
        }
        return checker.problems.count == before ? operation : nil
    }

    /// The op as the file writes it, for engine requests.
    var json: JSONValue {
        func call(_ verb: String, _ values: [JSONValue]) -> JSONValue { .object([verb: .array(values)]) }
        switch self {
        case .create(let document, let type): return .object(["create": .string(document), "type": .string(type)])
        case .set(let document, let field, let value): return call("set", [.string(document), .string(field), ReplicaView.json(value)])
        case .add(let document, let field, let element): return call("add", [.string(document), .string(field), .string(element)])
        case .remove(let document, let field, let element): return call("remove", [.string(document), .string(field), .string(element)])
        case .increment(let document, let field, let amount): return call("incr", [.string(document), .string(field), .int(amount)])
        case .insert(let document, let field, let index, let text):
            return call("insert", [.string(document), .string(field), .int(Int64(index)), .string(text)])
        case .deleteText(let document, let field, let index, let count):
            return call("delete_text", [.string(document), .string(field), .int(Int64(index)), .int(Int64(count))])
        case .delete(let document): return .object(["delete": .string(document)])
        }
    }

    /// Records the op in a change.
    func record(in builder: inout ChangeBuilder) throws {
        switch self {
        case .create(let document, let type): try builder.create(document, type: type)
        case .set(let document, let field, let value): try builder.set(document, field, to: value)
        case .add(let document, let field, let element): try builder.add(document, field, element)
        case .remove(let document, let field, let element): try builder.remove(document, field, element)
        case .increment(let document, let field, let amount): try builder.increment(document, field, by: amount)
        case .insert(let document, let field, let index, let text): try builder.insertText(document, field, at: index, text)
        case .deleteText(let document, let field, let index, let count):
            try builder.deleteText(document, field, at: index, count: count)
        case .delete(let document): try builder.delete(document)
        }
    }
}
