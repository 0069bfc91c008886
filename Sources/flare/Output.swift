import Foundation

/// Prints one JSON value on a line, keys sorted, so output is stable for scripts and diffs.
func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

/// Writes `message` to standard error as a warning: the command goes on.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("flare: note: \(message)\n".utf8))
}

/// `count` and `noun`, plural when `count` is not 1: "1 change", "3 changes".
func plural(_ count: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
