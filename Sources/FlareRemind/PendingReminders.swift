import Foundation

/// Reminders that came when no notification could be shown, kept one per line in a small file
/// until the next shell prompt prints them (`flare remind pending`).
public enum PendingReminders {
    /// At most this many lines are printed at a prompt, the latest; more would bury the prompt.
    public static let mostShown = 10
    /// At most this many bytes of the file are read; a file that big was not written by Flare.
    public static let mostRead = 64 << 10

    /// Whether `message` needs adding to the file whose text is `existing`: not when it is
    /// already waiting there (a reminder that came on three days unseen is shown once).
    public static func needsAdding(_ message: String, to existing: String) -> Bool {
        !existing.split(whereSeparator: \.isNewline).contains { $0 == message }
    }

    /// The lines to print from the file's bytes: each once, in the order they came, without
    /// control characters (a tampered file cannot send escape sequences to the terminal), blank
    /// lines dropped, the last `mostShown`.
    public static func lines(in data: Data) -> [String] {
        let text = String(decoding: data.prefix(mostRead), as: UTF8.self)
        var seen: Set<String> = []
        var lines: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let clean = String(String.UnicodeScalarView(line.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
                .trimmingCharacters(in: .whitespaces)
            if !clean.isEmpty, seen.insert(clean).inserted { lines.append(clean) }
        }
        return Array(lines.suffix(mostShown))
    }
}
