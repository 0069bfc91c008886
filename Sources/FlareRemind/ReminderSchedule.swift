import Foundation

/// What a reminder's timer is made of, as text: a systemd user timer and service, or a crontab
/// line, each running `flare remind fire ID --folder DIR`. Pure functions; writing them to
/// disk, systemctl and crontab is the CLI's part.
public enum ReminderSchedule {
    /// The systemd units' name without the suffix: `flare-remind-r1`.
    public static func unitName(_ id: String) -> String { "flare-remind-\(id)" }

    /// The timer unit: daily at the reminder's time. Not `Persistent`, so a reminder missed
    /// while the machine was off does not arrive late at the next boot.
    public static func timerUnit(for reminder: Reminder) -> String {
        """
        # Written by `flare remind add`; `flare remind remove \(reminder.id)` removes it.
        [Unit]
        Description=\(description(of: reminder))

        [Timer]
        OnCalendar=*-*-* \(reminder.time):00
        Persistent=false

        [Install]
        WantedBy=timers.target

        """
    }

    /// The service the timer starts: `flare remind fire ID --folder FOLDER`, with `flare` and
    /// `folder` absolute paths.
    public static func serviceUnit(for reminder: Reminder, flare: String, folder: String) throws(ReminderError) -> String {
        """
        # Written by `flare remind add`; `flare remind remove \(reminder.id)` removes it.
        [Unit]
        Description=\(description(of: reminder))

        [Service]
        Type=oneshot
        ExecStart=\(try systemdQuoted(flare)) remind fire \(reminder.id) --folder \(try systemdQuoted(folder))

        """
    }

    /// The comment that ends the reminder's crontab line and marks it as this reminder's.
    public static func marker(_ id: String) -> String { "# flare-remind \(id)" }

    /// The reminder's crontab line: minute, hour, every day, the command, the marker. The
    /// command is quoted for /bin/sh, and its `%` escaped (cron turns a bare one into a line break).
    public static func crontabLine(for reminder: Reminder, flare: String, folder: String) throws(ReminderError) -> String {
        for path in [flare, folder] where path.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            throw .unusablePath(path)
        }
        let command = "\(Shell.bash.quoted(flare)) remind fire \(reminder.id) --folder \(Shell.bash.quoted(folder))"
        return "\(reminder.time.minute) \(reminder.time.hour) * * * \(command.replacingOccurrences(of: "%", with: #"\%"#)) \(marker(reminder.id))"
    }

    /// `crontab` (as `crontab -l` printed it) with `line` added at the end; every other line
    /// is kept as it was.
    public static func crontab(_ crontab: String, adding line: String) -> String {
        // Bytes, not characters: "\r\n" is one Character, which is not "\n".
        let kept = crontab.isEmpty || crontab.utf8.last == UInt8(ascii: "\n") ? crontab : crontab + "\n"
        return kept + line + "\n"
    }

    /// `crontab` without the lines of the reminders `ids`: only lines ending with one of their
    /// markers go; every other line, blank lines and comments included, is kept byte for byte.
    public static func crontab(_ crontab: String, removing ids: Set<String>) -> String {
        let markers = ids.map { " " + marker($0) }
        // Split where cron does, at each "\n" byte: as Characters, "\r\n" is one, not "\n".
        let lines = crontab.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let kept = lines.filter { line in
            let trimmed = String(String.UnicodeScalarView(line.unicodeScalars.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed()))
            return !markers.contains { trimmed.hasSuffix($0) }
        }
        return kept.joined(separator: "\n")
    }

    /// The units' Description: the reminder in a few words, `%` escaped (systemd expands `%x`).
    private static func description(of reminder: Reminder) -> String {
        "Flare reminder \(reminder.id): \(reminder.summary) at \(reminder.time)".replacingOccurrences(of: "%", with: "%%")
    }

    /// `path` as one word of an ExecStart line: in double quotes, with `\`, `"`, `$` and `%`
    /// escaped as systemd reads them.
    private static func systemdQuoted(_ path: String) throws(ReminderError) -> String {
        guard !path.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else { throw .unusablePath(path) }
        let escaped = path.replacingOccurrences(of: #"\"#, with: #"\\"#).replacingOccurrences(of: "\"", with: #"\""#)
            .replacingOccurrences(of: "$", with: "$$").replacingOccurrences(of: "%", with: "%%")
        return "\"\(escaped)\""
    }
}
