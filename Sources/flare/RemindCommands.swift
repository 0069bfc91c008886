import ArgumentParser
import FlareJournal
import FlareRemind
import Foundation

struct Remind: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Daily reminders to check in or to take a treatment, from a timer on this device.",
        discussion: """
            A reminder is a setting of this device, not journal data: it is kept in \
            $XDG_CONFIG_HOME/flare/reminders.json (~/.config/flare/reminders.json), readable only \
            by you and never synced, so its timer needs no passphrase. `add` installs a systemd \
            user timer (flare-remind-ID.timer in ~/.config/systemd/user) where `systemctl --user` \
            answers, else a line of your crontab ending `# flare-remind ID`; your other crontab \
            lines are left as they are. Either runs `flare remind fire ID`, which shows a desktop \
            notification (notify-send) when a display or session bus can be reached, and \
            otherwise keeps the reminder for your next shell prompt: append the line \
            `flare remind shell-hook bash` prints to ~/.bashrc (or zsh, fish) once. A check-in \
            reminder comes even when the day's check-in is done: knowing that would take the \
            passphrase. Nothing leaves the machine.

            $FLARE_SYSTEMCTL, $FLARE_CRONTAB and $FLARE_NOTIFY_SEND name other systemctl, crontab \
            and notify-send programs; set to empty, one is not used (FLARE_SYSTEMCTL= flare \
            remind add … puts the reminder in the crontab).
            """,
        subcommands: [Add.self, ListReminders.self, Remove.self, Fire.self, Pending.self, ShellHook.self],
        defaultSubcommand: ListReminders.self)

    /// This flare's absolute path, which timers and prompt hooks run.
    static var program: String {
        Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a daily reminder and install its timer.",
            discussion: """
                Examples: flare remind add 20:00              (check in, the default)
                          flare remind add 08:00 --took amitriptyline
                """)

        @Argument(help: "The time of day, HH:MM on a 24-hour clock (00:00 to 23:59).") var time: String
        @Flag(help: "Remind to check in (the default).") var checkin = false
        @Option(help: ArgumentHelp(
            "Remind to take this treatment: its name or id, as `flare took` takes it. Checked in the vault, so the passphrase is asked.",
            valueName: "name"))
        var took: String?
        @OptionGroup var vault: VaultOptions
        @Flag(help: "Print the new reminder as JSON.") var json = false

        func validate() throws {
            if checkin && took != nil { throw ValidationError("Give --checkin or --took NAME, not both.") }
        }

        func run() throws {
            try reporting {
                let time = try TimeOfDay(parsing: time)
                let store = ReminderStore.standard()
                // A damaged file, or no way to install a timer, is said before the passphrase is asked.
                let list = try store.load()
                let scheduler = try ReminderTimers.scheduler()
                let reminder = try Reminder(id: list.nextID, time: time, kind: try took.map(treatment) ?? .checkIn, scheduler: scheduler)
                let added = try list.adding(reminder)
                let timers = ReminderTimers(store: store, flare: Remind.program)
                try timers.install(reminder)
                do {
                    try store.save(added)
                } catch {
                    _ = timers.uninstall([reminder])
                    throw error
                }
                if json { return try printJSON(ReminderList.object(reminder)) }
                print("Added \(reminder.id): every day at \(reminder.time), a reminder to \(reminder.purpose) (\(timers.describe(reminder))).")
                if list.reminders.isEmpty { print(Remind.promptAdvice) }
            }
        }

        /// The treatment `reference` names in the vault, as a reminder keeps it.
        private func treatment(_ reference: String) throws -> Reminder.Kind {
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                let id = try journal.treatmentID(named: reference)
                let name = try journal.stored(id, as: Treatment.self).record.name
                let namesakes = journal.all(Treatment.self).records.filter { $0.record.name.lowercased() == name.lowercased() }
                // `flare took NAME` works only while no other treatment has the name.
                return .took(name: name, reference: namesakes.count == 1 ? name : id)
            }
        }
    }

    struct ListReminders: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List this device's reminders.")

        @Flag(help: "Print a JSON array of reminders (id, time, kind, treatment, reference, scheduler).") var json = false

        func run() throws {
            try reporting {
                let store = ReminderStore.standard()
                let reminders = try store.load().reminders
                if json { return try printJSON(reminders.map(ReminderList.object)) }
                if reminders.isEmpty { print("No reminders; add one with `flare remind add 20:00`.") }
                let timers = ReminderTimers(store: store, flare: Remind.program)
                for reminder in reminders {
                    print("\(reminder.id)  \(reminder.time)  \(reminder.summary): \(reminder.command)  (\(timers.describe(reminder)))")
                }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a reminder and its timer, or all of them.",
            discussion: "Only flare's own crontab lines (those ending `# flare-remind ID`) are taken out; the rest of the crontab stays as it was.")

        @Argument(help: "A reminder's id from `flare remind list`, or `all`.") var id: String

        func run() throws {
            try reporting {
                let store = ReminderStore.standard()
                let list = try store.load()
                let chosen = id == "all" ? list.reminders : [try list.reminder(id)]
                if chosen.isEmpty { return print("No reminders to remove.") }
                let timers = ReminderTimers(store: store, flare: Remind.program)
                let (removed, failure) = timers.uninstall(chosen)
                try store.save(removed.reduce(list) { $0.removing($1.id) })
                for reminder in removed.sorted(by: { $0.time < $1.time }) {
                    print("Removed \(reminder.id), the \(reminder.time) reminder to \(reminder.purpose), and its \(timers.describe(reminder)).")
                }
                if let failure { throw failure }
            }
        }
    }

    struct Fire: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a reminder now: what its timer runs.",
            discussion: """
                A desktop notification when one can be shown, else a line for the next shell \
                prompt (`flare remind pending`). Prints nothing, so cron sends no mail.
                """)

        @Argument(help: "The reminder's id.") var id: String
        @Option(help: ArgumentHelp("The folder holding reminders.json; timers give the one `add` used.", valueName: "folder"))
        var folder: String?

        func run() throws {
            try reporting {
                let store = folder.map(ReminderStore.init(folder:)) ?? .standard()
                _ = try ReminderDelivery.deliver(try store.load().reminder(id), store: store)
            }
        }
    }

    struct Pending: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the reminders that came while no notification could be shown, once.",
            discussion: """
                Meant for the shell prompt (see `flare remind shell-hook`): silent when none wait, \
                and it never asks a passphrase.
                """)

        func run() {
            for line in ReminderStore.standard().takePending() { print(line) }
        }
    }

    struct ShellHook: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shell-hook",
            abstract: "Print the line that shows waiting reminders at your shell's prompt.",
            discussion: """
                Append it once to the shell's start-up file:
                  flare remind shell-hook bash >> ~/.bashrc
                  flare remind shell-hook zsh >> ~/.zshrc
                  flare remind shell-hook fish >> ~/.config/fish/config.fish
                """)

        @Argument(help: "bash, zsh or fish.", completion: .list(Shell.allCases.map(\.rawValue))) var shell: String

        func run() throws {
            try reporting {
                guard let shell = Shell(rawValue: shell) else { throw CLIError.usage("No hook for the shell \(shell); give bash, zsh or fish.") }
                print(shell.promptHook(flare: Remind.program))
            }
        }
    }

    /// Said after the first reminder is added: how to see reminders at the prompt.
    static var promptAdvice: String {
        let shell = (ProcessInfo.processInfo.environment["SHELL"] ?? "").split(separator: "/").last.flatMap { Shell(rawValue: String($0)) } ?? .bash
        let file = [Shell.bash: "~/.bashrc", .zsh: "~/.zshrc", .fish: "~/.config/fish/config.fish"][shell] ?? "~/.bashrc"
        return "Where no desktop notification can be shown, reminders wait for your next shell prompt; to see them there, run once: flare remind shell-hook \(shell.rawValue) >> \(file)"
    }
}

extension ReminderTimers {
    /// Where `reminder`'s timer is, in a few words.
    func describe(_ reminder: Reminder) -> String {
        switch reminder.scheduler {
        case .systemd: return "systemd timer \(ReminderSchedule.unitName(reminder.id)).timer"
        case .cron: return "crontab line"
        }
    }
}
