import FlareRemind
import Foundation
import Testing

/// The timers as text: systemd units, crontab lines and edits that leave a person's own lines
/// alone, and the prompt hooks; the quoting checked by the shells themselves.
@Suite struct ReminderScheduleTests {
    static let checkIn = try! Reminder(id: "r1", time: TimeOfDay(parsing: "20:00"), kind: .checkIn, scheduler: .systemd)
    static let pill = try! Reminder(
        id: "r10", time: TimeOfDay(parsing: "7:05"), kind: .took(name: "100% Vitamin D", reference: "100% Vitamin D"), scheduler: .cron)

    @Test func systemdUnits() throws {
        #expect(ReminderSchedule.unitName("r1") == "flare-remind-r1")
        #expect(ReminderSchedule.timerUnit(for: Self.checkIn) == """
            # Written by `flare remind add`; `flare remind remove r1` removes it.
            [Unit]
            Description=Flare reminder r1: check-in at 20:00

            [Timer]
            OnCalendar=*-*-* 20:00:00
            Persistent=false

            [Install]
            WantedBy=timers.target

            """)
        #expect(ReminderSchedule.timerUnit(for: Self.pill).contains("Description=Flare reminder r10: 100%% Vitamin D at 07:05\n"))
        #expect(ReminderSchedule.timerUnit(for: Self.pill).contains("OnCalendar=*-*-* 07:05:00\n"))
        let service = try ReminderSchedule.serviceUnit(for: Self.checkIn, flare: "/home/a b/bin/flare", folder: #"/home/a b/.config/100%$"x\y"#)
        #expect(service.contains("Type=oneshot\n"))
        #expect(service.contains(#"ExecStart="/home/a b/bin/flare" remind fire r1 --folder "/home/a b/.config/100%%$$\"x\\y""#))
        #expect(throws: ReminderError.unusablePath("/tmp/a\nb")) {
            try ReminderSchedule.serviceUnit(for: Self.checkIn, flare: "/tmp/a\nb", folder: "/tmp")
        }
    }

    @Test func crontabLines() throws {
        #expect(try ReminderSchedule.crontabLine(for: Self.checkIn, flare: "/usr/bin/flare", folder: "/home/a/.config/flare")
            == "0 20 * * * /usr/bin/flare remind fire r1 --folder /home/a/.config/flare # flare-remind r1")
        #expect(try ReminderSchedule.crontabLine(for: Self.pill, flare: "/opt/my flare/flare", folder: "/home/it's/50%")
            == #"5 7 * * * '/opt/my flare/flare' remind fire r10 --folder '/home/it'\''s/50\%' # flare-remind r10"#)
        #expect(throws: ReminderError.unusablePath("/a\rb")) { try ReminderSchedule.crontabLine(for: Self.pill, flare: "/a\rb", folder: "/f") }
    }

    /// What cron would run for a line (its `\%` unescaped, the command given to /bin/sh)
    /// reaches flare as exactly the intended arguments, the marker being a comment.
    @Test func crontabCommandsReachFlareWhole() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flare-cron \(UUID().uuidString) it's 100%")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let flare = folder.appendingPathComponent("fl$are `x`").path
        try Data("#!/bin/sh\nprintf '%s\\n' \"$@\"\n".utf8).write(to: URL(fileURLWithPath: flare))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: flare)
        let line = try ReminderSchedule.crontabLine(for: Self.pill, flare: flare, folder: folder.path)
        let command = line.split(separator: " ", maxSplits: 5)[5].replacingOccurrences(of: #"\%"#, with: "%")
        #expect(try Self.run("/bin/sh", ["-c", command]) == ["remind", "fire", "r10", "--folder", folder.path].joined(separator: "\n") + "\n")
    }

    @Test func crontabEditsKeepEveryOtherLine() {
        let line = "0 20 * * * /usr/bin/flare remind fire r1 --folder /f # flare-remind r1"
        #expect(ReminderSchedule.crontab("", adding: line) == line + "\n")
        #expect(ReminderSchedule.crontab("MAILTO=me", adding: line) == "MAILTO=me\n" + line + "\n")
        let mine = """
            # m h dom mon dow command
            MAILTO=""

            */5 * * * * backup.sh   # flare-remind r1 is mentioned here, not at the end
            0 9 * * * echo '# flare-remind r1' # flare-remind r10
            0 3 * * * cleanup.sh\r
            @reboot  start.sh # flare-remind r1x
            \u{1B}[31m garbage \u{0} line without a schedule
            """
        let added = ReminderSchedule.crontab(ReminderSchedule.crontab(mine + "\n", adding: line), adding: line.replacingOccurrences(of: "r1", with: "r2"))
        #expect(added.hasPrefix(mine + "\n"))
        #expect(ReminderSchedule.crontab(added, removing: ["r1", "r2"]) == mine + "\n")
        #expect(ReminderSchedule.crontab(added, removing: ["r1"]).hasSuffix("fire r2 --folder /f # flare-remind r2\n"))
        #expect(ReminderSchedule.crontab(mine, removing: ["r1", "r10"]) == mine.replacingOccurrences(of: "0 9 * * * echo '# flare-remind r1' # flare-remind r10\n", with: ""))
        #expect(ReminderSchedule.crontab(mine, removing: ["r3"]) == mine)
        #expect(ReminderSchedule.crontab(line + " \t\r\n", removing: ["r1"]) == "")
        let huge = String(repeating: "x", count: 1 << 20) + " # flare-remind r1"
        #expect(ReminderSchedule.crontab(huge, removing: ["r1"]) == "")
    }

    @Test func shellQuoting() {
        #expect(Shell.bash.quoted("/usr/bin/flare") == "/usr/bin/flare")
        #expect(Shell.bash.quoted("Vitamin D") == "'Vitamin D'")
        #expect(Shell.bash.quoted("") == "''")
        #expect(Shell.zsh.quoted("=ls") == "'=ls'")
        #expect(Shell.bash.quoted("it's") == #"'it'\''s'"#)
        #expect(Shell.fish.quoted(#"it's a\b"#) == #"'it\'s a\\b'"#)
    }

    /// bash, given the hook line, runs exactly the flare at an awkward path before each prompt,
    /// after what the prompt ran before.
    @Test func theBashHookRunsFlare() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flare-hook \(UUID().uuidString) it's $HOME")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let flare = folder.appendingPathComponent(#"fl"are`x`\"#).path
        try Data("#!/bin/sh\necho \"flare $*\"\n".utf8).write(to: URL(fileURLWithPath: flare))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: flare)
        let hook = Shell.bash.promptHook(flare: flare)
        #expect(try Self.run("/bin/bash", ["-c", "PROMPT_COMMAND='echo before'; \(hook); eval \"$PROMPT_COMMAND\""]) == "flare remind pending\nbefore\n")
        #expect(try Self.run("/bin/bash", ["-c", "unset PROMPT_COMMAND; \(hook); eval \"$PROMPT_COMMAND\""]) == "flare remind pending\n")
        #expect(Shell.zsh.promptHook(flare: "/usr/bin/flare") == "_flare_remind_pending() { /usr/bin/flare remind pending; }; precmd_functions+=(_flare_remind_pending)")
        #expect(Shell.fish.promptHook(flare: "/a b/flare") == "function _flare_remind_pending --on-event fish_prompt; '/a b/flare' remind pending; end")
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }
}
