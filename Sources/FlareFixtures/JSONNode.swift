/// A place in a text file: line and column, both from 1. Lines end at LF; the column counts
/// Unicode scalars, so it matches what an editor shows for any UTF-8 text.
public struct SourcePosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A JSON value as `JSONReader` read it: the value, where it starts, and object members in
/// file order with where each key starts, so every problem found later can say where it is.
public struct JSONNode: Sendable {
    /// One member of an object.
    public struct Member: Sendable {
        public let key: String
        public let keyPosition: SourcePosition
        public let value: JSONNode
    }

    public indirect enum Content: Sendable {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
        case array([JSONNode])
        /// Members in file order, keys distinct (a duplicate is reported and dropped).
        case object([Member])
        /// A value the reader has already reported (a number out of range, a string with a
        /// bad escape or bad UTF-8); checks of its meaning skip it rather than report it again.
        case invalid
    }

    public let content: Content
    public let position: SourcePosition

    /// The member `key` of an object.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = content else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The plain value, or nil if an invalid value lies anywhere inside.
    public var value: JSONValue? {
        switch content {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .double(let value): return .double(value)
        case .string(let value): return .string(value)
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard let value = element.value else { return nil }
                values.append(value)
            }
            return .array(values)
        case .object(let members):
            var values: [String: JSONValue] = [:]
            for member in members {
                guard let value = member.value.value else { return nil }
                values[member.key] = value
            }
            return .object(values)
        case .invalid: return nil
        }
    }

    /// The kind of value, as problems name it ("a string", "an object").
    public var kindName: String {
        switch content {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a decimal number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        case .invalid: return "an invalid value"
        }
    }
}
