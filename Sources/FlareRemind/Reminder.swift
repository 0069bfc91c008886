import Foundation

/// One reminder of this device: every day at `time`, a nudge to check in or to take a
/// treatment. It holds all the timer needs to say, so firing it never opens the vault.
public struct Reminder: Hashable, Sendable {
    /// What the reminder is for.
    public enum Kind: Hashable, Sendable {
        /// The day's check-in (`flare checkin`).
        case checkIn
        /// A treatment: `name` as the journal spells it, and `reference`, what `flare took`
        /// is given for it (the name, or the treatment's id when others share the name).
        case took(name: String, reference: String)
    }

    /// Where the reminder's timer was installed, so `remove` takes it out of the same place.
    public enum Scheduler: String, Hashable, Sendable {
        /// A systemd user timer and service, `flare-remind-ID.timer` and `.service`.
        case systemd
        /// A line of the person's crontab, marked with the reminder's id.
        case cron
    }

    /// The longest treatment name a reminder carries; a notification has room for no more.
    public static let longestName = 200

    /// `r1`, `r2`, …: short enough to type after `flare remind remove`.
    public let id: String
    public let time: TimeOfDay
    public let kind: Kind
    public let scheduler: Scheduler

    /// A reminder, refused when `id` is not `r` and a number, or a treatment's name or
    /// reference is empty, longer than `longestName` or holds control characters (they would
    /// reach the terminal at the next shell prompt).
    public init(id: String, time: TimeOfDay, kind: Kind, scheduler: Scheduler) throws(ReminderError) {
        guard Self.isID(id) else { throw .unknownReminder(id) }
        if case .took(let name, let reference) = kind {
            try Self.check(name: name)
            try Self.check(name: reference)
        }
        (self.id, self.time, self.kind, self.scheduler) = (id, time, kind, scheduler)
    }

    /// Whether `text` has the form of a reminder's id: `r` and a number from 1 to 999999.
    public static func isID(_ text: String) -> Bool {
        let digits = text.dropFirst()
        return text.first == "r" && (1...6).contains(digits.count) && digits.first != "0"
            && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Refuses a treatment name a reminder cannot carry.
    public static func check(name: String) throws(ReminderError) {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw .badName(name, reason: "it is empty") }
        if name.count > longestName { throw .badName(name, reason: "it is longer than \(longestName) characters") }
        if name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            throw .badName(name, reason: "it holds a line break or other control character")
        }
    }

    /// What it is for, in a few words: "check-in", "Amitriptyline".
    public var summary: String {
        switch kind {
        case .checkIn: return "check-in"
        case .took(let name, _): return name
        }
    }

    /// What it reminds to do: "check in", "take Amitriptyline".
    public var purpose: String {
        switch kind {
        case .checkIn: return "check in"
        case .took(let name, _): return "take " + name
        }
    }

    /// The command that does what it reminds of: `flare checkin`, `flare took Amitriptyline`.
    public var command: String {
        switch kind {
        case .checkIn: return "flare checkin"
        case .took(_, let reference): return "flare took " + Shell.bash.quoted(reference)
        }
    }

    /// What the notification or the shell prompt says: "Time for your 20:00 check-in: flare checkin".
    public var message: String { "Time for your \(time) \(summary): \(command)" }

    /// `message` for a desktop notification's body, whose servers may read `&`, `<` and `>`
    /// as markup: escaped, so a treatment named "<b>" shows as typed.
    public var notificationBody: String {
        message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `text` in double quotes for error messages, its control characters escaped (`\u{1B}`),
    /// so a hostile name cannot reach the terminal as an escape sequence.
    static func quoted(_ text: String) -> String { text.debugDescription }
}
