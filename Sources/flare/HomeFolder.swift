import Foundation

/// The person's home folder, as the shell, cron and systemd read it.
enum HomeFolder {
    /// `$HOME` when it is an absolute path, else the account's home. Foundation's own answer
    /// ignores `$HOME` when running as root, so `HOME=/tmp/x flare …` would still use /root.
    static var path: String {
        if let home = ProcessInfo.processInfo.environment["HOME"], home.hasPrefix("/") { return home }
        return FileManager.default.homeDirectoryForCurrentUser.path
    }
}
