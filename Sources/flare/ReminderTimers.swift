import FlareRemind
import Foundation

/// Installs and removes reminders' timers: a systemd user timer where a user systemd instance
/// answers `systemctl --user`, else a line of the person's crontab. Both run
/// `flare remind fire ID --folder FOLDER` with this flare's path, so the timer finds the
/// reminders whatever its environment.
struct ReminderTimers {
    let store: ReminderStore
    /// This flare's absolute path, which the timers run.
    let flare: String

    /// Where systemd looks for the person's own units.
    var unitFolder: String { ReminderStore.configHome + "/systemd/user" }

    /// Where a new reminder's timer goes: systemd when a user instance answers, else cron when
    /// there is a crontab command; with neither, an error that says what to install.
    static func scheduler() throws -> Reminder.Scheduler {
        if let systemctl = ExternalProgram.find("systemctl", overriddenBy: "FLARE_SYSTEMCTL"),
            (try? systemctl.run(["--user", "show-environment"]))?.succeeded == true
        {
            return .systemd
        }
        if ExternalProgram.find("crontab", overriddenBy: "FLARE_CRONTAB") != nil { return .cron }
        throw CLIError.unavailable(
            "No timer can be installed: no systemd user instance answers `systemctl --user`, and there is no crontab command. Install cron (on Debian or Ubuntu: sudo apt install cron), or add the reminder from a login session with systemd; nothing was added.")
    }

    /// Installs `reminder`'s timer in its scheduler; on failure, nothing of it is left behind.
    func install(_ reminder: Reminder) throws {
        switch reminder.scheduler {
        case .systemd: try installUnits(reminder)
        case .cron: try editCrontab { try ReminderSchedule.crontab($0, adding: ReminderSchedule.crontabLine(for: reminder, flare: flare, folder: store.folder)) }
        }
    }

    /// Takes out the timers of `reminders`: those taken out, and the error of any that could
    /// not be (they are left as they were).
    func uninstall(_ reminders: [Reminder]) -> (removed: [Reminder], failure: Error?) {
        var removed: [Reminder] = []
        var failure: Error?
        let cron = reminders.filter { $0.scheduler == .cron }
        if !cron.isEmpty {
            do {
                try editCrontab { ReminderSchedule.crontab($0, removing: Set(cron.map(\.id))) }
                removed += cron
            } catch { failure = error }
        }
        for reminder in reminders where reminder.scheduler == .systemd {
            do {
                try removeUnits(reminder)
                removed.append(reminder)
            } catch { failure = failure ?? error }
        }
        return (removed, failure)
    }

    // MARK: systemd

    private func unitPaths(_ reminder: Reminder) -> (timer: String, service: String) {
        let name = unitFolder + "/" + ReminderSchedule.unitName(reminder.id)
        return (name + ".timer", name + ".service")
    }

    private func systemctl() throws -> ExternalProgram {
        guard let systemctl = ExternalProgram.find("systemctl", overriddenBy: "FLARE_SYSTEMCTL") else {
            throw CLIError.unavailable("There is no systemctl command to manage the reminder's systemd timer.")
        }
        return systemctl
    }

    private func installUnits(_ reminder: Reminder) throws {
        let systemctl = try systemctl()
        let paths = unitPaths(reminder)
        let timer = ReminderSchedule.timerUnit(for: reminder)
        let service = try ReminderSchedule.serviceUnit(for: reminder, flare: flare, folder: store.folder)
        func undo() {
            try? FileManager.default.removeItem(atPath: paths.timer)
            try? FileManager.default.removeItem(atPath: paths.service)
            _ = try? systemctl.run(["--user", "daemon-reload"])
        }
        do {
            try FileManager.default.createDirectory(atPath: unitFolder, withIntermediateDirectories: true)
            try Data(service.utf8).write(to: URL(fileURLWithPath: paths.service))
            try Data(timer.utf8).write(to: URL(fileURLWithPath: paths.timer))
        } catch {
            undo()
            throw CLIError.cannotCreate("Cannot write the timer's units in \(unitFolder): \(error.localizedDescription); nothing was added.")
        }
        for arguments in [["--user", "daemon-reload"], ["--user", "enable", "--now", ReminderSchedule.unitName(reminder.id) + ".timer"]] {
            let outcome = try systemctl.run(arguments)
            guard outcome.succeeded else {
                undo()
                throw CLIError.unavailable("`systemctl \(arguments.joined(separator: " "))` failed: \(outcome.complaint); nothing was added.")
            }
        }
    }

    /// Stops and disables the timer (when systemd answers: a timer it does not know is already
    /// stopped) and deletes both units.
    private func removeUnits(_ reminder: Reminder) throws {
        let systemctl = ExternalProgram.find("systemctl", overriddenBy: "FLARE_SYSTEMCTL")
        _ = try? systemctl?.run(["--user", "disable", "--now", ReminderSchedule.unitName(reminder.id) + ".timer"])
        let paths = unitPaths(reminder)
        for path in [paths.timer, paths.service] where FileManager.default.fileExists(atPath: path) {
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                throw CLIError.cannotCreate("Cannot delete \(path): \(error.localizedDescription); reminder \(reminder.id) is kept.")
            }
        }
        _ = try? systemctl?.run(["--user", "daemon-reload"])
    }

    // MARK: cron

    /// Reads the person's crontab, changes it with `change`, and writes it back when it
    /// changed. A crontab that is not UTF-8 text is left alone: rewriting it could alter lines
    /// that are not flare's.
    private func editCrontab(_ change: (String) throws -> String) throws {
        guard let crontab = ExternalProgram.find("crontab", overriddenBy: "FLARE_CRONTAB") else {
            throw CLIError.unavailable("There is no crontab command to change the reminder's crontab line; install cron (sudo apt install cron).")
        }
        let listed = try crontab.run(["-l"])
        let current: String
        if listed.succeeded {
            guard let text = listed.text else {
                throw CLIError.usage("Your crontab is not UTF-8 text; flare leaves it alone. Change it with crontab -e.")
            }
            current = text
        } else if listed.complaint.lowercased().contains("no crontab") {
            current = ""
        } else {
            throw CLIError.unavailable("`crontab -l` failed: \(listed.complaint); the crontab was not changed.")
        }
        let changed = try change(current)
        guard changed != current else { return }
        let written = try crontab.run(["-"], input: changed)
        guard written.succeeded else { throw CLIError.unavailable("`crontab -` refused the new crontab: \(written.complaint); the crontab was not changed.") }
    }
}
