import Foundation

/// Prints one JSON value on a line, keys sorted, so output is stable for scripts and diffs.
func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}
