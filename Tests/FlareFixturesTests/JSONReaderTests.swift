import FlareFixtures
import Foundation
import Testing

@Suite struct JSONReaderTests {
    static func read(_ text: String) -> (value: JSONValue?, problems: [String]) {
        read(Array(text.utf8))
    }

    static func read(_ bytes: [UInt8]) -> (value: JSONValue?, problems: [String]) {
        let (root, problems) = JSONReader.read(bytes)
        return (root?.value, problems.map(\.description))
    }

    @Test func readsWhatRFC8259Allows() {
        #expect(Self.read(#" {"a": [1, -0, 2.5, 1e2, -1.5E-3, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude16"]} "#).value == .object([
            "a": .array([.int(1), .int(0), .double(2.5), .double(100), .double(-0.0015), .bool(true), .bool(false), .null,
                         .string("x\"\\/\u{08}\u{0C}\n\r\té😖")]),
        ]))
        #expect(Self.read("-9223372036854775808").value == .int(.min))
        #expect(Self.read("9223372036854775807").value == .int(.max))
        #expect(Self.read("\"😖 é\"").value == .string("😖 é"))
        #expect(Self.read("[]").value == .array([]))
        #expect(Self.read("\"\\u0000\"").value == .string("\u{0}"))
    }

    @Test(arguments: [
        ("", "1:1: unexpected end of text; expected a value"),
        ("[1,]", #"1:3: trailing comma before "]""#),
        (#"{"a": 1,}"#, #"1:8: trailing comma before "}""#),
        (#"{"a": 1, "a": 2}"#, #"1:10: duplicate key "a" (first at 1:2)"#),
        ("{\"\u{E9}\": 1, \"e\u{301}\": 2}", "is canonically equivalent to key"),
        ("[1] // note", "1:5: unexpected \"/\" after the JSON value"),
        ("/* c */ 1", "1:1: comments are not allowed in JSON"),
        ("01", "1:1: a number cannot have a leading zero"),
        ("1.", "1:3: a number needs a digit after \".\""),
        (".5", "1:1: unexpected \".5\"; expected a value"),
        ("-", "1:2: a number needs a digit after \"-\""),
        ("+1", "1:1: unexpected \"+1\"; expected a value"),
        ("1e", "1:3: a number needs a digit in its exponent"),
        ("NaN", "1:1: unexpected \"NaN\"; expected a value"),
        ("Infinity", "1:1: unexpected \"Infinity\"; expected a value"),
        ("9223372036854775808", "1:1: integer 9223372036854775808 is out of range (-2^63 to 2^63 - 1)"),
        ("1e400", "1:1: number 1e400 is out of range for a double"),
        ("truex", "1:1: unexpected \"truex\"; expected a value"),
        ("[1 2]", "1:4: unexpected \"2\" in an array; expected \",\" or \"]\""),
        ("{1: 2}", "1:2: unexpected \"1\" in an object; expected a key in double quotes"),
        ("\"a\nb\"", "1:3: control character U+000A in a string; write it as an escape such as \\u000A"),
        (#""\x""#, #"1:2: invalid escape \x in a string"#),
        (#""\u12""#, #"1:2: \u must be followed by four hexadecimal digits"#),
        (#""\ud83d""#, #"1:2: lone surrogate \uD83D: a high surrogate must be followed by a \u low surrogate"#),
        (#""\ude16""#, #"1:2: lone surrogate \uDE16: a low surrogate must follow a high one"#),
        (#""\ud83d\u0041""#, #"1:2: \uD83D (a high surrogate) must be followed by a low surrogate, not \u0041"#),
        ("\"abc", "1:5: unterminated string: the text ends before its closing quote"),
        ("[1] [2]", "1:5: unexpected \"[\" after the JSON value"),
        ("\u{FEFF}1", "1:1: the text starts with a byte order mark, which JSON does not allow"),
    ])
    func refusesWhatItMustAndSaysWhere(text: String, problem: String) {
        let problems = Self.read(text).problems
        #expect(problems.contains { $0.contains(problem) }, "\(problems)")
    }

    @Test func refusesInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
                               [0x22, 0xE2, 0x82, 0x22], [0x22, 0xFF, 0x22], [0x22, 0x80, 0x22]] {
            #expect(Self.read(bytes).problems.first?.hasPrefix("1:2: invalid UTF-8") == true, "\(bytes)")
        }
        #expect(Self.read([0xFF]).problems == ["1:1: unexpected byte 0xFF (not UTF-8); expected a value"])
    }

    @Test func columnsCountCharactersAndLinesEndAtLF() {
        #expect(Self.read("{\"é😖\": 1,\n  \"b\": 2,\r\n  \"b\": 3}").problems == [#"3:3: duplicate key "b" (first at 2:3)"#])
    }

    @Test func nestingIsBounded() {
        let deepest = String(repeating: "[", count: JSONReader.maximumDepth) + String(repeating: "]", count: JSONReader.maximumDepth)
        #expect(Self.read(deepest).problems.isEmpty)
        let deeper = "[" + deepest + "]"
        #expect(Self.read(deeper).problems == ["1:65: arrays and objects nest deeper than 64 levels"])
        #expect(Self.read(String(repeating: "{\"a\":", count: 100_000)).problems.count == 1)
    }

    /// What both readers accept, they read alike (Foundation's reader is the reference for
    /// valid JSON; it only accepts more).
    @Test func agreesWithFoundationOnValidJSON() throws {
        var generator = SplitMix(seed: 1)
        for _ in 0..<500 {
            let text = Self.randomJSON(&generator, depth: 0)
            let ours = try #require(Self.read(text).value, "\(text)")
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.same(ours, theirs), "\(text)")
            #expect(Self.read(ours.description).value == ours, "\(text)")
        }
    }

    /// Random and mutated inputs never trap the reader (in a child process, so a trap is a
    /// failed expectation rather than a dead test run).
    @Test func neverTrapsOnAnyBytes() async {
        await #expect(processExitsWith: .success) {
            var generator = SplitMix(seed: 7)
            let seeds = [#"{"a": [1, 2.5e3, "x\u00e9", {"b": null}], "c": true}"#, "[[[[\"\\ud83d\\ude16\"]]]]", "-0.0e-0"].map { Array($0.utf8) }
            let alphabet = Array(#"{}[]:,"\ u0123456789abcdefABCDEF.eE+-tfnrl/"#.utf8) + [0x00, 0x0A, 0x80, 0xBF, 0xC0, 0xED, 0xF4, 0xFF]
            for round in 0..<20_000 {
                var bytes = seeds[round % seeds.count]
                if round % 4 == 0 {
                    bytes = (0..<Int(generator.next() % 64)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
                } else {
                    for _ in 0...(generator.next() % 4) where !bytes.isEmpty {
                        let at = Int(generator.next() % UInt64(bytes.count))
                        switch generator.next() % 3 {
                        case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                        case 1: bytes.remove(at: at)
                        default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                        }
                    }
                }
                let (root, problems) = JSONReader.read(bytes)
                if root == nil, problems.isEmpty { fatalError("no value and no problem") }
                _ = try? Fixture(bytes: bytes)
            }
        }
    }

    static func randomJSON(_ generator: inout SplitMix, depth: Int) -> String {
        let strings = ["", "a", "é", "e\u{301}", "😖", "\\n", "\\u00e9", "\\ud83d\\ude16", "\\\"", "tab\\t"]
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return "null"
        case 1: return generator.next() % 2 == 0 ? "true" : "false"
        case 2: return String(Int64(bitPattern: generator.next()) >> (generator.next() % 64))
        case 3: return ["0.5", "-2.25e3", "1E-7", "123456.789", "1e308", "-0.0"][Int(generator.next() % 6)]
        case 4: return "\"" + strings[Int(generator.next() % UInt64(strings.count))] + "\""
        case 5: return "[" + (0..<generator.next() % 4).map { _ in randomJSON(&generator, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let keys = Set((0..<generator.next() % 4).map { "k\($0 * 7 % 5)" })
            return "{" + keys.sorted().map { "\"\($0)\": " + randomJSON(&generator, depth: depth + 1) }.joined(separator: ", ") + "}"
        }
    }

    static func same(_ value: JSONValue, _ object: Any) -> Bool {
        switch value {
        case .null: return object is NSNull
        case .bool(let bool): return (object as? Bool) == bool
        case .int(let int): return (object as? NSNumber)?.int64Value == int
        case .double(let double): return (object as? NSNumber)?.doubleValue == double
        case .string(let string): return (object as? String).map { $0.unicodeScalars.elementsEqual(string.unicodeScalars) } ?? false
        case .array(let values):
            guard let array = object as? [Any], array.count == values.count else { return false }
            return zip(values, array).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let dictionary = object as? [String: Any], dictionary.count == members.count else { return false }
            return members.allSatisfy { key, value in dictionary[key].map { same(value, $0) } ?? false }
        }
    }
}

/// A small deterministic generator for reproducible random inputs.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
