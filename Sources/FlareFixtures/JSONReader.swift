/// A strict JSON reader (RFC 8259) for fixture files and engine-protocol lines.
///
/// Hand-written rather than Foundation's, because a conformance suite must refuse what another
/// implementation's reader might take differently, and say where: `JSONSerialization` and
/// `JSONDecoder` silently keep one of two duplicate keys and report no line or column. This
/// reader refuses trailing commas, duplicate keys, comments, leading zeros, `NaN`, numbers out
/// of range (integers beyond Int64, decimals beyond Double), invalid UTF-8, lone surrogates and
/// nesting deeper than `maximumDepth`, and gives each problem's line and column.
///
/// It never traps, whatever the bytes: hostile files and hostile engines feed it. A problem it
/// can step over (a duplicate key, a trailing comma, a bad escape, an out-of-range number, bad
/// UTF-8 in a string, a byte order mark) is recorded and reading goes on, so one pass reports
/// them all; anything else ends the reading there.
public struct JSONReader {
    /// One thing wrong with the text, and where.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public let position: SourcePosition

        public var description: String { "\(position): \(message)" }
    }

    /// Arrays and objects nest at most this deep (a fixture needs about ten levels).
    public static let maximumDepth = 64

    /// Reads one JSON value filling the whole text (whitespace around it allowed). `root` is
    /// nil when a problem ended the reading; `problems` lists every problem found, in order.
    public static func read(_ bytes: [UInt8]) -> (root: JSONNode?, problems: [Problem]) {
        var reader = JSONReader(bytes)
        do throws(Problem) {
            if reader.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                reader.problem("the text starts with a byte order mark, which JSON does not allow")
                reader.index = 3
            }
            let root = try reader.value(depth: 0)
            reader.skipWhitespace()
            if reader.index < reader.bytes.count { throw reader.fatal("unexpected \(reader.describeNext()) after the JSON value") }
            return (root, reader.problems)
        } catch {
            return (nil, reader.problems + [error])
        }
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private var problems: [Problem] = []

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var position: SourcePosition { SourcePosition(line: line, column: column) }

    private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Consumes one byte, keeping line and column: a UTF-8 continuation byte is not a column.
    private mutating func advance() {
        guard index < bytes.count else { return }
        let byte = bytes[index]
        index += 1
        if byte == 0x0A {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func problem(_ message: String, at position: SourcePosition? = nil) {
        problems.append(Problem(message: message, position: position ?? self.position))
    }

    private func fatal(_ message: String, at position: SourcePosition? = nil) -> Problem {
        Problem(message: message, position: position ?? self.position)
    }

    private mutating func skipWhitespace() {
        while let byte = next, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { advance() }
    }

    /// The next token, quoted for a message: a word, a character, or the end of the text.
    private func describeNext() -> String {
        guard let byte = next else { return "end of text" }
        if Self.isWordByte(byte) {
            let word = bytes[index...].prefix(while: Self.isWordByte).prefix(24)
            return "\"\(String(decoding: word, as: UTF8.self))\""
        }
        if byte >= 0x21, byte < 0x7F { return "\"\(Character(Unicode.Scalar(byte)))\"" }
        if let (scalar, _) = Self.decodeScalar(bytes, at: index) {
            return "character U+\(Self.hex(scalar.value))"
        }
        return "byte 0x\(Self.hex(UInt32(byte), digits: 2)) (not UTF-8)"
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2B
            || byte == 0x2D || byte == 0x2E || byte == 0x5F
    }

    private mutating func value(depth: Int) throws(Problem) -> JSONNode {
        skipWhitespace()
        let start = position
        guard let byte = next else { throw fatal("unexpected end of text; expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""):
            let (string, valid) = try self.string()
            return JSONNode(content: valid ? .string(string) : .invalid, position: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "/"): throw fatal("comments are not allowed in JSON")
        default: throw fatal("unexpected \(describeNext()); expected a value")
        }
    }

    private mutating func literal(_ word: String, _ content: JSONNode.Content) throws(Problem) -> JSONNode {
        let start = position
        let expected = Array(word.utf8)
        guard bytes[index...].starts(with: expected),
              index + expected.count == bytes.count || !Self.isWordByte(bytes[index + expected.count]) else {
            throw fatal("unexpected \(describeNext()); expected a value")
        }
        for _ in expected { advance() }
        return JSONNode(content: content, position: start)
    }

    private mutating func array(depth: Int) throws(Problem) -> JSONNode {
        let start = position
        guard depth <= Self.maximumDepth else { throw fatal("arrays and objects nest deeper than \(Self.maximumDepth) levels") }
        advance()
        var elements: [JSONNode] = []
        skipWhitespace()
        if next == UInt8(ascii: "]") {
            advance()
            return JSONNode(content: .array(elements), position: start)
        }
        while true {
            elements.append(try value(depth: depth))
            if try closes(with: "]", in: "an array") { return JSONNode(content: .array(elements), position: start) }
        }
    }

    /// After an array element or object member: true (past the bracket) at `closing`, false
    /// (past the comma) at a comma; a comma before `closing` is a problem, and is read as the
    /// end, so the rest of the document is still checked.
    private mutating func closes(with closing: Unicode.Scalar, in container: String) throws(Problem) -> Bool {
        skipWhitespace()
        switch next {
        case UInt8(ascii: ","):
            let comma = position
            advance()
            skipWhitespace()
            guard next == UInt8(ascii: closing) else { return false }
            problem("trailing comma before \"\(closing)\"", at: comma)
            advance()
            return true
        case UInt8(ascii: closing):
            advance()
            return true
        default:
            throw fatal("unexpected \(describeNext()) in \(container); expected \",\" or \"\(closing)\"")
        }
    }

    private mutating func object(depth: Int) throws(Problem) -> JSONNode {
        let start = position
        guard depth <= Self.maximumDepth else { throw fatal("arrays and objects nest deeper than \(Self.maximumDepth) levels") }
        advance()
        var members: [JSONNode.Member] = []
        // Keyed by Swift's String equality, which is canonical equivalence: "é" and "e" + U+0301
        // are one key to every dictionary after this, so they are reported as duplicates too.
        var seen: [String: (key: String, position: SourcePosition)] = [:]
        skipWhitespace()
        if next == UInt8(ascii: "}") {
            advance()
            return JSONNode(content: .object(members), position: start)
        }
        while true {
            skipWhitespace()
            let keyPosition = position
            guard next == UInt8(ascii: "\"") else {
                throw fatal("unexpected \(describeNext()) in an object; expected a key in double quotes")
            }
            let (key, _) = try string()
            skipWhitespace()
            guard next == UInt8(ascii: ":") else { throw fatal("unexpected \(describeNext()) after a key; expected \":\"") }
            advance()
            let member = try value(depth: depth)
            if let first = seen[key] {
                let same = first.key.unicodeScalars.elementsEqual(key.unicodeScalars)
                problem(same ? "duplicate key \(JSONValue.quote(key)) (first at \(first.position))"
                    : "key \(JSONValue.quote(key)) is canonically equivalent to key \(JSONValue.quote(first.key)) at \(first.position); they cannot both be kept",
                    at: keyPosition)
            } else {
                seen[key] = (key, keyPosition)
                members.append(JSONNode.Member(key: key, keyPosition: keyPosition, value: member))
            }
            if try closes(with: "}", in: "an object") { return JSONNode(content: .object(members), position: start) }
        }
    }

    /// Reads a string from its opening quote; `valid` is false if a problem was recorded in it.
    private mutating func string() throws(Problem) -> (String, valid: Bool) {
        advance()
        var scalars = String.UnicodeScalarView()
        var valid = true
        while true {
            guard let byte = next else { throw fatal("unterminated string: the text ends before its closing quote") }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return (String(scalars), valid)
            case UInt8(ascii: "\\"):
                let escape = position
                advance()
                if let scalar = try escaped(at: escape) { scalars.append(scalar) } else { valid = false }
            case 0x00..<0x20:
                throw fatal("control character U+\(Self.hex(UInt32(byte))) in a string; write it as an escape such as \\u\(Self.hex(UInt32(byte)))")
            case 0x20..<0x80:
                scalars.append(Unicode.Scalar(byte))
                advance()
            default:
                if let (scalar, length) = Self.decodeScalar(bytes, at: index) {
                    scalars.append(scalar)
                    for _ in 0..<length { advance() }
                } else {
                    problem("invalid UTF-8 (byte 0x\(Self.hex(UInt32(byte), digits: 2)))")
                    valid = false
                    advance()
                }
            }
        }
    }

    /// Reads an escape after its backslash; nil (with a problem recorded) if it is invalid.
    private mutating func escaped(at escape: SourcePosition) throws(Problem) -> Unicode.Scalar? {
        guard let byte = next else { throw fatal("unterminated string: the text ends inside an escape") }
        let simple: [UInt8: Unicode.Scalar] = [
            UInt8(ascii: "\""): "\"", UInt8(ascii: "\\"): "\\", UInt8(ascii: "/"): "/", UInt8(ascii: "b"): "\u{08}",
            UInt8(ascii: "f"): "\u{0C}", UInt8(ascii: "n"): "\n", UInt8(ascii: "r"): "\r", UInt8(ascii: "t"): "\t",
        ]
        if let scalar = simple[byte] {
            advance()
            return scalar
        }
        guard byte == UInt8(ascii: "u") else {
            if byte < 0x20 || byte >= 0x7F {
                problem("invalid escape in a string", at: escape)
            } else {
                problem("invalid escape \\\(Character(Unicode.Scalar(byte))) in a string", at: escape)
                advance()
            }
            return nil
        }
        advance()
        guard let unit = hexUnit() else {
            problem("\\u must be followed by four hexadecimal digits", at: escape)
            return nil
        }
        switch unit {
        case 0xD800...0xDBFF:
            let low = position
            if next == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") {
                advance()
                advance()
                guard let second = hexUnit() else {
                    problem("\\u must be followed by four hexadecimal digits", at: low)
                    return nil
                }
                if (0xDC00...0xDFFF).contains(second), let scalar = Unicode.Scalar(0x10000 + (unit - 0xD800) << 10 + (second - 0xDC00)) {
                    return scalar
                }
                problem("\\u\(Self.hex(unit)) (a high surrogate) must be followed by a low surrogate, not \\u\(Self.hex(second))", at: escape)
                return nil
            }
            problem("lone surrogate \\u\(Self.hex(unit)): a high surrogate must be followed by a \\u low surrogate", at: escape)
            return nil
        case 0xDC00...0xDFFF:
            problem("lone surrogate \\u\(Self.hex(unit)): a low surrogate must follow a high one", at: escape)
            return nil
        default:
            return Unicode.Scalar(unit)
        }
    }

    /// Four hexadecimal digits, consumed only if all four are there.
    private mutating func hexUnit() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var unit: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Self.hexDigit(byte) else { return nil }
            unit = unit << 4 | digit
        }
        for _ in 0..<4 { advance() }
        return unit
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// `value` in upper-case hexadecimal, zero-padded to `digits`.
    static func hex(_ value: UInt32, digits: Int = 4) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Decodes one well-formed UTF-8 sequence (no overlong forms, surrogates or values past
    /// U+10FFFF) starting at `start`: the scalar and its length in bytes.
    static func decodeScalar(_ bytes: [UInt8], at start: Int) -> (Unicode.Scalar, Int)? {
        guard start < bytes.count else { return nil }
        let lead = bytes[start]
        let length: Int
        var value: UInt32
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0: length = 3; value = 0; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xED: length = 3; value = 0x0D; high = 0x9F
        case 0xF0: length = 4; value = 0; low = 0x90
        case 0xF1...0xF3: length = 4; value = UInt32(lead & 0x07)
        case 0xF4: length = 4; value = 4; high = 0x8F
        default: return nil
        }
        guard start + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let byte = bytes[start + offset]
            guard byte >= (offset == 1 ? low : 0x80), byte <= (offset == 1 ? high : 0xBF) else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return Unicode.Scalar(value).map { ($0, length) }
    }

    /// Reads a number by RFC 8259's grammar: an integer (no fraction or exponent) must fit
    /// Int64, any other number must be a finite Double.
    private mutating func number() throws(Problem) -> JSONNode {
        let start = position
        let first = index
        func digits() -> Int {
            var count = 0
            while let byte = next, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                advance()
                count += 1
            }
            return count
        }
        if next == UInt8(ascii: "-") { advance() }
        guard let lead = next, lead >= UInt8(ascii: "0"), lead <= UInt8(ascii: "9") else {
            throw fatal("a number needs a digit after \"-\"")
        }
        if lead == UInt8(ascii: "0") {
            advance()
            if let byte = next, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                throw fatal("a number cannot have a leading zero", at: start)
            }
        } else {
            _ = digits()
        }
        var isInteger = true
        if next == UInt8(ascii: ".") {
            isInteger = false
            advance()
            guard digits() > 0 else { throw fatal("a number needs a digit after \".\"") }
        }
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            isInteger = false
            advance()
            if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { advance() }
            guard digits() > 0 else { throw fatal("a number needs a digit in its exponent") }
        }
        if let byte = next, Self.isWordByte(byte) { throw fatal("unexpected \(describeNext()) after a number") }
        let text = String(decoding: bytes[first..<index], as: UTF8.self)
        if isInteger {
            if let value = Int64(text) { return JSONNode(content: .int(value), position: start) }
            problem("integer \(text.prefix(40)) is out of range (-2^63 to 2^63 - 1)", at: start)
        } else if let value = Double(text), value.isFinite {
            return JSONNode(content: .double(value), position: start)
        } else {
            problem("number \(text.prefix(40)) is out of range for a double", at: start)
        }
        return JSONNode(content: .invalid, position: start)
    }
}
