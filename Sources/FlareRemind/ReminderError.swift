/// Why a reminder, its file or its timer cannot be used, phrased for the person.
public enum ReminderError: Error, Equatable, CustomStringConvertible {
    /// A time that is not HH:MM on a 24-hour clock; `hint` is a sentence or empty.
    case badTime(String, hint: String)
    /// A treatment name a reminder cannot carry (empty, too long, control characters).
    case badName(String, reason: String)
    /// The reminders file is not one this version of Flare wrote.
    case badFile(path: String, problem: String)
    /// No reminder has this id.
    case unknownReminder(String)
    /// A reminder at that time for that already exists.
    case duplicate(Reminder)
    /// A path that cannot be written into a timer or a crontab line.
    case unusablePath(String)

    public var description: String {
        switch self {
        case .badTime(let text, let hint):
            let sentence = "The time must be HH:MM on a 24-hour clock, from 00:00 to 23:59 (e.g. 20:00); \(Reminder.quoted(text)) is not."
            return hint.isEmpty ? sentence : sentence + " " + hint
        case .badName(let name, let reason):
            return "A reminder cannot name the treatment \(Reminder.quoted(name)): \(reason)."
        case .badFile(let path, let problem):
            return "The reminders file \(path) cannot be read: \(problem). Fix it, or remove it and add the reminders again (their timers stay until you remove them with systemctl --user or crontab -e)."
        case .unknownReminder(let id):
            return "No reminder \(Reminder.quoted(id)); `flare remind list` shows them."
        case .duplicate(let reminder):
            return "Reminder \(reminder.id) already does that: at \(reminder.time), it reminds you to \(reminder.purpose)."
        case .unusablePath(let path):
            return "The path \(Reminder.quoted(path)) has a line break or other control character, so a timer cannot run it; use a path without one."
        }
    }
}
