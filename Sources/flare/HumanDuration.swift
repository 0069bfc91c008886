/// Lengths of time as people type and read them: `90s`, `15m`, `2h`, `1h30m`.
enum HumanDuration {
    /// The seconds `text` names: whole numbers each followed by `h`, `m` or `s`, largest unit
    /// first, each unit at most once; nil for anything else (a bare number is refused, since
    /// it could mean seconds or minutes).
    static func seconds(_ text: String) -> Int? {
        var total = 0
        var digits = ""
        var units = ["h": 3600, "m": 60, "s": 1]
        var smallestSoFar = Int.max
        for character in text.lowercased() {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let unit = units.removeValue(forKey: String(character)), unit < smallestSoFar, digits.count <= 6,
                let count = Int(digits)
            else { return nil }
            total += count * unit
            smallestSoFar = unit
            digits = ""
        }
        return digits.isEmpty && smallestSoFar != .max ? total : nil
    }

    /// `seconds` in words, largest units first: `1 hour 30 minutes`, `15 minutes`, `2 seconds`.
    static func describe(seconds: Int) -> String {
        let parts = [(seconds / 3600, "hour"), (seconds % 3600 / 60, "minute"), (seconds % 60, "second")]
            .filter { $0.0 > 0 }
            .map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
        return parts.isEmpty ? "0 seconds" : parts.joined(separator: " ")
    }
}
