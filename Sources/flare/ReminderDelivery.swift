import FlareRemind
import Foundation

/// How a reminder reaches the person when its timer fires: a desktop notification when one can
/// be shown, else a line kept for the next shell prompt. Nothing leaves the machine.
enum ReminderDelivery {
    /// Where a reminder went.
    enum Way: Equatable {
        case notification
        case prompt
    }

    /// Shows `reminder` with notify-send (`$FLARE_NOTIFY_SEND`) when a desktop session can be
    /// reached and it succeeds; otherwise keeps it in `store` for the next prompt.
    static func deliver(_ reminder: Reminder, store: ReminderStore) throws -> Way {
        if let session = desktopSession(), let notifySend = ExternalProgram.find("notify-send", overriddenBy: "FLARE_NOTIFY_SEND"),
            (try? notifySend.run(["--app-name=Flare", "Flare", reminder.notificationBody], environment: session))?.succeeded == true
        {
            return .notification
        }
        try store.addPending(reminder.message)
        return .prompt
    }

    /// What notify-send needs added to the environment to reach the desktop, or nil when no
    /// session can be reached. A display or session bus in the environment will do; a timer
    /// run by cron has neither, so the person's bus socket (`$XDG_RUNTIME_DIR/bus`, else
    /// `/run/user/UID/bus`) is looked for.
    static func desktopSession() -> [String: String]? {
        let environment = ProcessInfo.processInfo.environment
        if ["DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "DISPLAY"].contains(where: { !(environment[$0] ?? "").isEmpty }) { return [:] }
        let runtime = environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/run/user/\(getuid())"
        var status = stat()
        guard stat(runtime + "/bus", &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else { return nil }
        return ["DBUS_SESSION_BUS_ADDRESS": "unix:path=\(runtime)/bus"]
    }
}
