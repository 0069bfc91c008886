/// Where a value sits inside a JSON document, written as in JSONPath: `$.steps[2].ops[0]`
/// (indices from 0; a key that is not a plain name is written `$["a key"]`).
public struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    public enum Segment: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public private(set) var segments: [Segment]

    /// The whole document, `$`.
    public static let root = JSONPath(segments: [])

    public static func + (path: JSONPath, key: String) -> JSONPath {
        JSONPath(segments: path.segments + [.key(key)])
    }

    public static func + (path: JSONPath, index: Int) -> JSONPath {
        JSONPath(segments: path.segments + [.index(index)])
    }

    public var description: String {
        var text = "$"
        for segment in segments {
            switch segment {
            case .index(let index): text += "[\(index)]"
            case .key(let key) where Self.isPlainName(key): text += ".\(key)"
            case .key(let key): text += "[\(JSONValue.quote(key))]"
            }
        }
        return text
    }

    /// ASCII letters, digits, `_` and `-`, not starting with a digit or `-`.
    static func isPlainName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, !("0"..."9").contains(first), first != "-" else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}
