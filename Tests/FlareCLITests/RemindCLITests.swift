import Foundation
import Testing
import TestSupport

/// `flare remind` on the built binary, in a temporary home whose systemctl, crontab and
/// notify-send are scripts that record how they were called: the real user's crontab and
/// systemd are never touched.
@Suite struct RemindCLITests {
    /// A temporary home and the fake programs, each appending `name arguments…` to `log`.
    final class Machine {
        let folder: TemporaryFolder
        var home: String { folder.path("home") }
        var config: String { home + "/.config" }
        var crontabFile: String { folder.path("crontab") }
        var vault: String { folder.path("journal.flare") }
        var log: String { folder.path("calls.log") }
        /// What every run gets, changed by a test to say which programs exist.
        var environment: [String: String]

        init() throws {
            folder = try TemporaryFolder()
            try FileManager.default.createDirectory(atPath: folder.path("home"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder.path("run"), withIntermediateDirectories: true)
            environment = [:]
            let log = self.log
            let crontab = crontabFile
            try script("systemctl", """
                echo "systemctl $*" >> '\(log)'
                [ -n "${FAKE_NO_SYSTEMD:-}" ] && { echo "Failed to connect to bus: No medium found" >&2; exit 1; }
                [ "$2" = enable ] && [ -n "${FAKE_ENABLE_FAILS:-}" ] && { echo "Failed to enable unit: Unit file $4 does not exist." >&2; exit 1; }
                exit 0
                """)
            try script("crontab", """
                echo "crontab $*" >> '\(log)'
                case "$1" in
                  -l) if [ -f '\(crontab)' ]; then cat '\(crontab)'; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
                  -) [ -n "${FAKE_CRONTAB_REFUSES:-}" ] && { echo '"-":3: bad minute' >&2; exit 1; }; cat > '\(crontab)' ;;
                esac
                """)
            try script("notify-send", """
                echo "notify-send $* bus=${DBUS_SESSION_BUS_ADDRESS:-}" >> '\(log)'
                [ -z "${FAKE_NOTIFY_FAILS:-}" ]
                """)
            environment = [
                "HOME": home, "XDG_CONFIG_HOME": "", "XDG_RUNTIME_DIR": folder.path("run"), "SHELL": "/bin/bash",
                "DISPLAY": "", "WAYLAND_DISPLAY": "", "DBUS_SESSION_BUS_ADDRESS": "",
                "FLARE_SYSTEMCTL": folder.path("systemctl"), "FLARE_CRONTAB": folder.path("crontab-program"),
                "FLARE_NOTIFY_SEND": folder.path("notify-send"),
            ]
        }

        private func script(_ name: String, _ body: String) throws {
            let path = folder.path(name == "crontab" ? "crontab-program" : name)
            try Data("#!/bin/bash\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }

        /// Runs `flare arguments` in this machine, with `extra` added to its environment.
        func flare(_ arguments: [String], _ extra: [String: String] = [:]) throws -> CLITests.Result {
            try CLITests.flare(arguments, vault: vault, environment: environment.merging(extra) { $1 })
        }

        /// The calls the fake programs recorded since the last look, and forgets them.
        func calls() -> [String] {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: log)
            return text.split(separator: "\n").map(String.init)
        }

        func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

        func permissions(_ path: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int
        }
    }

    static var program: String { CLITests.binary.resolvingSymlinksInPath().path }

    @Test func aSystemdTimerWhereSystemdAnswers() throws {
        let machine = try Machine()
        let units = machine.config + "/systemd/user/"
        let added = try machine.flare(["remind", "add", "20:00"])
        #expect(added.status == 0, "\(added.errors)")
        #expect(added.output == """
            Added r1: every day at 20:00, a reminder to check in (systemd timer flare-remind-r1.timer).
            Where no desktop notification can be shown, reminders wait for your next shell prompt; to see them there, run once: flare remind shell-hook bash >> ~/.bashrc

            """)
        #expect(machine.calls() == [
            "systemctl --user show-environment", "systemctl --user daemon-reload", "systemctl --user enable --now flare-remind-r1.timer",
        ])
        #expect(machine.read(units + "flare-remind-r1.timer")?.contains("OnCalendar=*-*-* 20:00:00\nPersistent=false\n") == true)
        #expect(machine.read(units + "flare-remind-r1.service")?.contains(
            "ExecStart=\"\(Self.program)\" remind fire r1 --folder \"\(machine.config)/flare\"\n") == true)
        #expect(machine.permissions(machine.config + "/flare") == 0o700)
        #expect(machine.permissions(machine.config + "/flare/reminders.json") == 0o600)

        let second = try machine.flare(["remind", "add", "7:30", "--checkin"])
        #expect(second.output == "Added r2: every day at 07:30, a reminder to check in (systemd timer flare-remind-r2.timer).\n", "advice only once")
        _ = machine.calls()

        // systemd refuses the timer: nothing of it is left, and the list is as it was.
        let refused = try machine.flare(["remind", "add", "21:00"], ["FAKE_ENABLE_FAILS": "1"])
        #expect(refused.status == 69)
        #expect(refused.errors == "flare: `systemctl --user enable --now flare-remind-r3.timer` failed: Failed to enable unit: Unit file flare-remind-r3.timer does not exist.; nothing was added.\n")
        #expect(!FileManager.default.fileExists(atPath: units + "flare-remind-r3.timer"))
        #expect(!FileManager.default.fileExists(atPath: units + "flare-remind-r3.service"))
        #expect(machine.calls().last == "systemctl --user daemon-reload")

        let listed = try machine.flare(["remind", "list"])
        #expect(listed.output == """
            r2  07:30  check-in: flare checkin  (systemd timer flare-remind-r2.timer)
            r1  20:00  check-in: flare checkin  (systemd timer flare-remind-r1.timer)

            """)
        #expect(try machine.flare(["remind", "add", "20:00"]).errors == "flare: Reminder r1 already does that: at 20:00, it reminds you to check in.\n")
        _ = machine.calls()

        let removed = try machine.flare(["remind", "remove", "r1"])
        #expect(removed.status == 0, "\(removed.errors)")
        #expect(removed.output == "Removed r1, the 20:00 reminder to check in, and its systemd timer flare-remind-r1.timer.\n")
        #expect(machine.calls() == ["systemctl --user disable --now flare-remind-r1.timer", "systemctl --user daemon-reload"])
        #expect(!FileManager.default.fileExists(atPath: units + "flare-remind-r1.timer"))
        #expect(!FileManager.default.fileExists(atPath: units + "flare-remind-r1.service"))
        #expect(FileManager.default.fileExists(atPath: units + "flare-remind-r2.timer"))
        #expect(try machine.flare(["remind", "remove", "r1"]).status == 66)
        #expect(try machine.flare(["remind", "remove", "all"]).output.hasPrefix("Removed r2,"))
        #expect(try machine.flare(["remind", "list", "--json"]).output == "[]\n")
        #expect(machine.read(machine.crontabFile) == nil, "systemd answered, so the crontab was never touched")
    }

    @Test func aCrontabLineWhereSystemdDoesNotAnswerAndThePersonsLinesSurvive() throws {
        let machine = try Machine()
        machine.environment["FAKE_NO_SYSTEMD"] = "1"
        let theirs = "# their own\nMAILTO=\"\"\n*/5 * * * * backup.sh # flare-remind r1x\n0 3 * * * cleanup.sh\r\n\n@reboot start.sh"
        try Data(theirs.utf8).write(to: URL(fileURLWithPath: machine.crontabFile))
        #expect(try machine.flare(["init", "--device-name", "laptop"]).status == 0)
        #expect(try machine.flare(["treat", "--kind", "medication", "--name", "Amitriptyline"]).status == 0)

        let typo = try machine.flare(["remind", "add", "08:00", "--took", "amitriptylin"])
        #expect(typo.status == 66)
        #expect(typo.errors == "flare: No treatment called amitriptylin and no treatment with that id; did you mean Amitriptyline?\n")
        #expect(try machine.flare(["remind", "add", "08:00", "--took", "x", "--checkin"]).status == 64)
        #expect(machine.read(machine.crontabFile) == theirs)

        let checkIn = try machine.flare(["remind", "add", "20:00"])
        #expect(checkIn.status == 0, "\(checkIn.errors)")
        #expect(checkIn.output.hasPrefix("Added r1: every day at 20:00, a reminder to check in (crontab line).\n"))
        let pill = try machine.flare(["remind", "add", "08:00", "--took", "AMITRIPTYLINE", "--json"])
        #expect(pill.status == 0, "\(pill.errors)")
        let object = try #require(pill.json as? [String: Any])
        #expect(object["treatment"] as? String == "Amitriptyline")
        #expect(object["scheduler"] as? String == "cron")
        let folder = machine.config + "/flare"
        let lines = [
            "0 20 * * * \(Self.program) remind fire r1 --folder \(folder) # flare-remind r1",
            "0 8 * * * \(Self.program) remind fire r2 --folder \(folder) # flare-remind r2",
        ]
        #expect(machine.read(machine.crontabFile) == theirs + "\n" + lines.joined(separator: "\n") + "\n")
        #expect(try machine.flare(["remind", "list"]).output.contains("r2  08:00  Amitriptyline: flare took Amitriptyline  (crontab line)\n"))

        #expect(try machine.flare(["remind", "remove", "r1"]).status == 0)
        #expect(machine.read(machine.crontabFile) == theirs + "\n" + lines[1] + "\n")

        // A crontab that will not take the change: the reminder stays, the crontab too.
        let refused = try machine.flare(["remind", "remove", "r2"], ["FAKE_CRONTAB_REFUSES": "1"])
        #expect(refused.status == 69)
        #expect(refused.errors == "flare: `crontab -` refused the new crontab: \"-\":3: bad minute; the crontab was not changed.\n")
        #expect(try machine.flare(["remind", "list"]).output.hasPrefix("r2  08:00"))
        #expect(try machine.flare(["remind", "add", "21:00"], ["FAKE_CRONTAB_REFUSES": "1"]).status == 69)
        #expect(try machine.flare(["remind", "list", "--json"]).json as? [[String: Any]] != nil)
        #expect(try #require(try machine.flare(["remind", "list", "--json"]).json as? [[String: Any]]).count == 1, "nothing half-added")

        #expect(try machine.flare(["remind", "remove", "all"]).status == 0)
        #expect(machine.read(machine.crontabFile) == theirs + "\n", "the person's lines, byte for byte (the missing final newline added)")
        #expect(!machine.calls().contains { $0.hasPrefix("systemctl --user enable") })

        // A crontab that is not UTF-8 text is not rewritten.
        let binary = Data([0x30, 0x20, 0xFF, 0xFE, 0x0A])
        try binary.write(to: URL(fileURLWithPath: machine.crontabFile))
        let notText = try machine.flare(["remind", "add", "20:00"])
        #expect(notText.status == 64)
        #expect(notText.errors == "flare: Your crontab is not UTF-8 text; flare leaves it alone. Change it with crontab -e.\n")
        #expect(FileManager.default.contents(atPath: machine.crontabFile) == binary)
    }

    @Test func withNeitherNothingIsAdded() throws {
        let machine = try Machine()
        for environment in [["FLARE_SYSTEMCTL": "", "FLARE_CRONTAB": machine.folder.path("none")], ["FAKE_NO_SYSTEMD": "1", "FLARE_CRONTAB": ""]] {
            let refused = try machine.flare(["remind", "add", "20:00"], environment)
            #expect(refused.status == 69)
            #expect(refused.errors == """
                flare: No timer can be installed: no systemd user instance answers `systemctl --user`, and there is no crontab command. Install cron (on Debian or Ubuntu: sudo apt install cron), or add the reminder from a login session with systemd; nothing was added.

                """)
        }
        #expect(!FileManager.default.fileExists(atPath: machine.config + "/flare/reminders.json"))
        // Said before the vault is opened (there is none here) or a passphrase asked.
        let took = try machine.flare(["remind", "add", "08:00", "--took", "x"], ["FLARE_SYSTEMCTL": "", "FLARE_CRONTAB": "", "FLARE_PASSPHRASE": ""])
        #expect(took.status == 69)
        // FLARE_SYSTEMCTL= chooses the crontab even where systemd answers.
        #expect(try machine.flare(["remind", "add", "20:00"], ["FLARE_SYSTEMCTL": ""]).output.contains("(crontab line)"))
    }

    @Test func badTimesAndADamagedFile() throws {
        let machine = try Machine()
        for (time, hint) in [("24:00", "Hours run from 00 to 23; midnight is 00:00."), ("7pm", "Did you mean 19:00?"), ("20.00", "")] {
            let refused = try machine.flare(["remind", "add", time])
            #expect(refused.status == 64)
            #expect(refused.errors == "flare: The time must be HH:MM on a 24-hour clock, from 00:00 to 23:59 (e.g. 20:00); \"\(time)\" is not." + (hint.isEmpty ? "" : " " + hint) + "\n")
        }
        #expect(machine.calls().isEmpty, "a bad time installs nothing")

        let file = machine.config + "/flare/reminders.json"
        try FileManager.default.createDirectory(atPath: machine.config + "/flare", withIntermediateDirectories: true)
        let damaged = #"{"version": 1, "reminders": [{"id": "r1", "time": "25:00", "kind": "checkin", "scheduler": "cron"}]}"#
        try Data(damaged.utf8).write(to: URL(fileURLWithPath: file))
        for arguments in [["remind", "list"], ["remind", "add", "20:00"], ["remind", "remove", "all"], ["remind", "fire", "r1"]] {
            let refused = try machine.flare(arguments)
            #expect(refused.status == 65, "\(arguments)")
            #expect(refused.errors.hasPrefix("flare: The reminders file \(file) cannot be read: reminders[0].time: The time must be HH:MM"), "\(arguments)")
        }
        #expect(machine.read(file) == damaged)
        #expect(machine.calls().isEmpty)
    }

    @Test func aFiredReminderIsANotificationOrALineAtTheNextPrompt() throws {
        let machine = try Machine()
        machine.environment["FAKE_NO_SYSTEMD"] = "1"
        #expect(try machine.flare(["remind", "add", "20:00"]).status == 0)
        _ = machine.calls()
        let folder = machine.config + "/flare"
        let message = "Time for your 20:00 check-in: flare checkin"

        // No display, no bus: kept for the prompt, once however often it fires.
        for _ in 0..<3 { #expect(try machine.flare(["remind", "fire", "r1", "--folder", folder]) .output == "") }
        #expect(machine.calls().isEmpty, "notify-send is not tried without a session")
        #expect(machine.permissions(folder + "/reminders-pending") == 0o600)
        #expect(try machine.flare(["remind", "pending"], ["FLARE_PASSPHRASE": ""]).output == message + "\n")
        let again = try machine.flare(["remind", "pending"])
        #expect(again.status == 0)
        #expect(again.output == "" && again.errors == "")

        // A display: a notification, and nothing for the prompt.
        #expect(try machine.flare(["remind", "fire", "r1"], ["DISPLAY": ":0"]).status == 0)
        #expect(machine.calls() == ["notify-send --app-name=Flare Flare \(message) bus="])
        #expect(try machine.flare(["remind", "pending"]).output == "")

        // Only the person's bus socket, as cron's environment has: notify-send is pointed at it.
        let bus = machine.folder.path("run/bus")
        let socket = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", bus])
        try #require(socket.status == 0, "python3 makes the socket: \(socket.output)")
        #expect(try machine.flare(["remind", "fire", "r1"]).status == 0)
        #expect(machine.calls() == ["notify-send --app-name=Flare Flare \(message) bus=unix:path=\(bus)"])

        // notify-send fails: the prompt gets it instead.
        #expect(try machine.flare(["remind", "fire", "r1"], ["FAKE_NOTIFY_FAILS": "1"]).status == 0)
        #expect(try machine.flare(["remind", "pending"]).output == message + "\n")

        let unknown = try machine.flare(["remind", "fire", "r7"])
        #expect(unknown.status == 66)
        #expect(unknown.errors == "flare: No reminder \"r7\"; `flare remind list` shows them.\n")

        // A tampered pending file cannot send escape sequences to the terminal.
        try Data("\u{1B}]0;owned\u{07}\u{1B}[2JTime\n".utf8).write(to: URL(fileURLWithPath: folder + "/reminders-pending"))
        #expect(try machine.flare(["remind", "pending"]).output == "]0;owned[2JTime\n")
    }

    /// The line `shell-hook bash` prints, in a real interactive bash: a reminder fired while
    /// no notification could be shown appears at the next prompt, once.
    @Test func theNextPromptShowsItOnce() throws {
        let machine = try Machine()
        machine.environment["FAKE_NO_SYSTEMD"] = "1"
        #expect(try machine.flare(["remind", "add", "20:00"]).status == 0)
        let hook = try machine.flare(["remind", "shell-hook", "bash"])
        #expect(hook.output == "PROMPT_COMMAND=\"\(Self.program) remind pending${PROMPT_COMMAND:+; $PROMPT_COMMAND}\"\n")
        #expect(try machine.flare(["remind", "shell-hook", "tcsh"]).errors == "flare: No hook for the shell tcsh; give bash, zsh or fish.\n")
        let rc = machine.folder.path("bashrc")
        // The prompt is set here: Debian's bash reads /etc/bash.bashrc, which sets its own, first.
        try Data(("PS1='prompt> '\n" + hook.output).utf8).write(to: URL(fileURLWithPath: rc))
        let terminal = try TerminalSession(
            "env -i HOME='\(machine.home)' PATH=/usr/bin:/bin TERM=xterm bash --noprofile --rcfile '\(rc)' -i", in: machine.folder)
        defer { terminal.end() }
        try terminal.waitFor("prompt> ")
        #expect(try machine.flare(["remind", "fire", "r1"]).status == 0)
        try terminal.send("echo one")
        try terminal.waitFor("Time for your 20:00 check-in: flare checkin\nprompt> ")
        try terminal.send("echo $((40 + 2))")
        try terminal.waitFor("42\nprompt> ")
        #expect(terminal.screen().components(separatedBy: "Time for your").count == 2, "shown once: \(terminal.screen())")
    }

    /// `~` is `$HOME` for the vault and the reminders alike, even for root (whose home
    /// Foundation takes from the account instead).
    @Test func homeIsHOME() throws {
        let machine = try Machine()
        let none = try machine.flare(["list"], ["FLARE_VAULT": "", "XDG_DATA_HOME": ""])
        #expect(none.status == 66)
        #expect(none.errors.hasPrefix("flare: No vault at \(machine.home)/.local/share/flare/journal.flare;"))
        #expect(try machine.flare(["remind", "add", "20:00"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: machine.home + "/.config/flare/reminders.json"))
        let elsewhere = machine.folder.path("config")
        #expect(try machine.flare(["remind", "add", "21:00"], ["XDG_CONFIG_HOME": elsewhere]).status == 0)
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/flare/reminders.json"))
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/systemd/user/flare-remind-r1.timer"))
    }

    @Test func helpSaysWhereAndHow() throws {
        let help = try ChildProcess.run(CLITests.binary, ["remind", "--help"])
        #expect(help.status == 0)
        for phrase in ["~/.config/flare/reminders.json", "systemd", "crontab", "notify-send", "shell-hook", "passphrase", "FLARE_SYSTEMCTL"] {
            #expect(help.output.contains(phrase), "\(phrase)")
        }
    }
}
