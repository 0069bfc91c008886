import FlareCRDT

/// One op of a fixture step, as written in the file.
public enum FixtureOperation: Sendable {
    case create(document: String, type: String)
    case set(document: String, field: String, value: Scalar)
    case add(document: String, field: String, element: String)
    case remove(document: String, field: String, element: String)
    case increment(document: String, field: String, amount: Int64)
    case insert(document: String, field: String, index: Int, text: String)
    case deleteText(document: String, field: String, index: Int, count: Int)
    case delete(document: String)

    init(_ value: JSONValue) throws {
        guard case .object(let members) = value else { throw FixtureError.malformed("an op must be an object") }
        if case .string(let document)? = members["create"] {
            guard members.count == 2, case .string(let type)? = members["type"] else {
                throw FixtureError.malformed("\"create\" takes a document id and a \"type\" string")
            }
            self = .create(document: document, type: type)
            return
        }
        guard members.count == 1, let (verb, argument) = members.first else {
            throw FixtureError.malformed("an op must have exactly one verb (create also takes \"type\"): \(value)")
        }
        func arguments(_ count: Int, _ shape: String) throws -> [JSONValue] {
            guard case .array(let values) = argument, values.count == count else {
                throw FixtureError.malformed("\"\(verb)\" takes \(shape)")
            }
            return values
        }
        func string(_ value: JSONValue, _ shape: String) throws -> String {
            guard case .string(let string) = value else { throw FixtureError.malformed("\"\(verb)\" takes \(shape)") }
            return string
        }
        func integer(_ value: JSONValue, _ shape: String) throws -> Int64 {
            guard case .int(let int) = value else { throw FixtureError.malformed("\"\(verb)\" takes \(shape)") }
            return int
        }
        switch verb {
        case "set":
            let shape = "[document, field, scalar]"
            let values = try arguments(3, shape)
            let scalar: Scalar
            switch values[2] {
            case .null: scalar = .null
            case .bool(let value): scalar = .bool(value)
            case .int(let value): scalar = .int(value)
            case .double(let value): scalar = .double(value)
            case .string(let value): scalar = .string(value)
            case .array, .object: throw FixtureError.malformed("\"set\" takes \(shape); arrays and objects are not scalars")
            }
            self = .set(document: try string(values[0], shape), field: try string(values[1], shape), value: scalar)
        case "add", "remove":
            let shape = "[document, field, string]"
            let values = try arguments(3, shape)
            let (document, field, element) = (try string(values[0], shape), try string(values[1], shape), try string(values[2], shape))
            self = verb == "add" ? .add(document: document, field: field, element: element)
                : .remove(document: document, field: field, element: element)
        case "incr":
            let shape = "[document, field, integer]"
            let values = try arguments(3, shape)
            self = .increment(document: try string(values[0], shape), field: try string(values[1], shape),
                              amount: try integer(values[2], shape))
        case "insert":
            let shape = "[document, field, index, string]"
            let values = try arguments(4, shape)
            self = .insert(document: try string(values[0], shape), field: try string(values[1], shape),
                           index: Int(try integer(values[2], shape)), text: try string(values[3], shape))
        case "delete_text":
            let shape = "[document, field, index, count]"
            let values = try arguments(4, shape)
            self = .deleteText(document: try string(values[0], shape), field: try string(values[1], shape),
                               index: Int(try integer(values[2], shape)), count: Int(try integer(values[3], shape)))
        case "delete":
            self = .delete(document: try string(argument, "a document id"))
        default:
            throw FixtureError.malformed("unknown op \"\(verb)\"")
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
