/// The shapes of states and conflicts (Protocol/FIXTURES.md, "Expectations"): in a fixture's
/// `expect`, with `one_of` allowed at any depth, checked when the file is read so that a typo
/// such as `"feilds"` is reported where it is rather than as a difference after the run; and
/// in an engine's dump, without `one_of` (an engine answers with values, not alternatives).
enum ExpectedShape {
    case state, document, type, fields, fieldValue, setElement
    case conflicts, documentConflicts, losers, loser

    /// Checks `node`; false if it reported a problem.
    func check(_ node: JSONNode, _ path: JSONPath, allowingOneOf: Bool = true, _ checker: inout JSONChecker) -> Bool {
        let before = checker.problems.count
        visit(node, path, allowingOneOf, &checker)
        return checker.problems.count == before
    }

    private func visit(_ node: JSONNode, _ path: JSONPath, _ oneOf: Bool, _ checker: inout JSONChecker) {
        if oneOf, case .object(let members) = node.content, members.contains(where: { $0.key == "one_of" }) {
            guard members.count == 1 else {
                checker.report("\"one_of\" must be the only key of its object", node, path)
                return
            }
            guard let alternatives = checker.array(members[0].value, path + "one_of", "\"one_of\"", nonEmpty: true) else { return }
            for (index, alternative) in alternatives.enumerated() { visit(alternative, path + "one_of" + index, oneOf, &checker) }
            return
        }
        switch self {
        case .state, .fields, .conflicts, .documentConflicts:
            let (what, member): (String, ExpectedShape) = switch self {
            case .state: ("\"state\" (document id → document)", .document)
            case .fields: ("\"fields\" (field → value)", .fieldValue)
            case .conflicts: ("\"conflicts\" (document id → field → losing values)", .documentConflicts)
            default: ("a document's conflicts (field → losing values)", .losers)
            }
            guard case .object(let members) = node.content else {
                _ = checker.members(node, path, what, required: [])
                return
            }
            if self == .documentConflicts, members.isEmpty {
                checker.report("a document without conflicting fields must be left out of \"conflicts\"", node, path)
            }
            for entry in members { member.visit(entry.value, path + entry.key, oneOf, &checker) }
        case .document:
            let keys = FixtureFormat.objects["document"]!
            guard let members = checker.members(node, path, "a document", required: keys.required, optional: keys.optional) else { return }
            if let type = members["type"] { ExpectedShape.type.visit(type, path + "type", oneOf, &checker) }
            if let fields = members["fields"] { ExpectedShape.fields.visit(fields, path + "fields", oneOf, &checker) }
        case .type, .setElement:
            _ = checker.string(node, path, self == .type ? "a document's \"type\"" : "a set element")
        case .fieldValue:
            switch node.content {
            case .null, .bool, .int, .double, .string, .invalid: return
            case .array(let elements):
                for (index, element) in elements.enumerated() { ExpectedShape.setElement.visit(element, path + index, oneOf, &checker) }
            case .object:
                checker.report("a field's value is a scalar, a string or an array of strings (a set), not an object", node, path)
            }
        case .losers:
            guard let elements = checker.array(node, path, "a field's losing values") else { return }
            if elements.isEmpty { checker.report("a field without losing values must be left out of \"conflicts\"", node, path) }
            for (index, element) in elements.enumerated() { ExpectedShape.loser.visit(element, path + index, oneOf, &checker) }
        case .loser:
            switch node.content {
            case .null, .bool, .int, .double, .string, .invalid: return
            case .array, .object: checker.report("a losing value is a scalar (null, a boolean, a number or a string), not \(node.kindName)", node, path)
            }
        }
    }
}
