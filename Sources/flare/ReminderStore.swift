import FlareRemind
import Foundation

/// Where this device keeps its reminders: a folder (`$XDG_CONFIG_HOME/flare`, else
/// `~/.config/flare`) holding `reminders.json` and `reminders-pending`, the reminders that
/// wait for the next shell prompt. The folder is the owner's alone (0700), each file too (0600).
struct ReminderStore {
    let folder: String

    /// The person's folder, by the rules above; a relative `$XDG_CONFIG_HOME` is ignored, as
    /// the XDG specification says.
    static func standard() -> ReminderStore { ReminderStore(folder: configHome + "/flare") }

    /// `$XDG_CONFIG_HOME` when absolute, else `~/.config`: also where systemd user units go.
    static var configHome: String {
        if let config = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config }
        return HomeFolder.path + "/.config"
    }

    var listPath: String { folder + "/reminders.json" }
    var pendingPath: String { folder + "/reminders-pending" }

    /// The reminders; none when the file does not exist yet.
    func load() throws -> ReminderList {
        guard FileManager.default.fileExists(atPath: listPath) else { return ReminderList() }
        guard let handle = FileHandle(forReadingAtPath: listPath) else {
            throw ReminderError.badFile(path: listPath, problem: "it cannot be opened for reading")
        }
        defer { try? handle.close() }
        // One byte past the limit is enough to tell a file that is too large.
        let data = (try? handle.read(upToCount: ReminderList.largestFile + 1)) ?? Data()
        return try ReminderList(json: data, path: listPath)
    }

    /// Writes the reminders: to a new file first, renamed over the old one, so a crash leaves
    /// either list whole.
    func save(_ list: ReminderList) throws {
        try makeFolder()
        let temporary = "\(listPath).\(getpid()).new"
        guard FileManager.default.createFile(atPath: temporary, contents: list.json(), attributes: [.posixPermissions: 0o600]),
            rename(temporary, listPath) == 0
        else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw CLIError.cannotCreate("Cannot write \(listPath): \(reason).")
        }
    }

    /// Keeps `message` for the next shell prompt, unless it is already waiting there.
    func addPending(_ message: String) throws {
        try makeFolder()
        let waiting = FileManager.default.contents(atPath: pendingPath).map { String(decoding: $0.prefix(PendingReminders.mostRead), as: UTF8.self) } ?? ""
        guard PendingReminders.needsAdding(message, to: waiting) else { return }
        // O_APPEND: a line added while a prompt takes the file lands in the new one, whole.
        let descriptor = open(pendingPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError.cannotCreate("Cannot write \(pendingPath): \(String(cString: strerror(errno))).") }
        defer { close(descriptor) }
        let line = Array((message + "\n").utf8)
        guard write(descriptor, line, line.count) == line.count else {
            throw CLIError.cannotCreate("Cannot write \(pendingPath): \(String(cString: strerror(errno))).")
        }
    }

    /// The reminders waiting for a prompt, taken out of the file: it is renamed first, so two
    /// prompts at once cannot both print a line, nor a reminder fired meanwhile be lost.
    func takePending() -> [String] {
        let taken = "\(pendingPath).\(getpid()).shown"
        guard rename(pendingPath, taken) == 0 else { return [] }
        defer { unlink(taken) }
        guard let handle = FileHandle(forReadingAtPath: taken) else { return [] }
        defer { try? handle.close() }
        return PendingReminders.lines(in: (try? handle.read(upToCount: PendingReminders.mostRead)) ?? Data())
    }

    private func makeFolder() throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError.cannotCreate("Cannot create the folder \(folder): \(error.localizedDescription)")
        }
    }
}
