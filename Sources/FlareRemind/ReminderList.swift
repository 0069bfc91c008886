import Foundation

/// This device's reminders, as kept in `reminders.json` under `$XDG_CONFIG_HOME/flare`: device
/// settings, not journal data, so they are neither synced nor sealed, and a timer reads them
/// without the passphrase.
///
/// The file is `{"version": 1, "reminders": [{"id": "r1", "time": "20:00", "kind": "checkin",
/// "scheduler": "systemd"}, {"id": "r2", "time": "08:00", "kind": "took", "treatment":
/// "Amitriptyline", "reference": "Amitriptyline", "scheduler": "cron"}]}`.
public struct ReminderList: Equatable, Sendable {
    /// The only version of the file there is.
    public static let version = 1
    /// A file larger than this is not one Flare wrote; it is refused before being parsed.
    public static let largestFile = 1 << 20

    /// The reminders, by time of day, then id.
    public private(set) var reminders: [Reminder]

    public init(_ reminders: [Reminder] = []) {
        self.reminders = reminders.sorted { ($0.time, Self.number($0.id)) < ($1.time, Self.number($1.id)) }
    }

    /// Reads the file's bytes (`path` names it in errors). Everything is checked: a file
    /// that is not this format, a reminder with a bad time, kind, id or name, or two with
    /// one id, is refused with where the problem is.
    public init(json data: Data, path: String) throws(ReminderError) {
        func bad(_ problem: String) -> ReminderError { .badFile(path: path, problem: problem) }
        guard data.count <= Self.largestFile else { throw bad("it is larger than \(Self.largestFile) bytes") }
        guard let object = try? JSONSerialization.jsonObject(with: data), let file = object as? [String: Any] else {
            throw bad("it is not a JSON object")
        }
        guard let version = file["version"] as? Int, version == Self.version else {
            throw bad("its \"version\" is not \(Self.version)")
        }
        guard let entries = file["reminders"] as? [Any] else { throw bad("it has no \"reminders\" list") }
        var reminders: [Reminder] = []
        for (index, entry) in entries.enumerated() {
            let place = "reminders[\(index)]"
            guard let entry = entry as? [String: Any] else { throw bad("\(place) is not an object") }
            func text(_ key: String) throws(ReminderError) -> String {
                guard let value = entry[key] as? String else { throw bad("\(place).\(key) is missing or not a string") }
                return value
            }
            let id = try text("id")
            guard Reminder.isID(id) else { throw bad("\(place).id \(Reminder.quoted(id)) is not r and a number") }
            guard !reminders.contains(where: { $0.id == id }) else { throw bad("two reminders have the id \(id)") }
            let time: TimeOfDay
            do { time = try TimeOfDay(parsing: try text("time")) } catch { throw bad("\(place).time: \(error)") }
            let kind: Reminder.Kind
            switch try text("kind") {
            case "checkin": kind = .checkIn
            case "took": kind = .took(name: try text("treatment"), reference: try text("reference"))
            case let other: throw bad("\(place).kind \(Reminder.quoted(other)) is neither \"checkin\" nor \"took\"")
            }
            guard let scheduler = Reminder.Scheduler(rawValue: try text("scheduler")) else {
                throw bad("\(place).scheduler is neither \"systemd\" nor \"cron\"")
            }
            do {
                reminders.append(try Reminder(id: id, time: time, kind: kind, scheduler: scheduler))
            } catch {
                throw bad("\(place): \(error)")
            }
        }
        self.init(reminders)
    }

    /// The file's bytes: pretty-printed, keys sorted, so a person can read it.
    public func json() -> Data {
        let file: [String: Any] = ["version": Self.version, "reminders": reminders.map(Self.object)]
        // Only strings and numbers: serialization cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: file, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return data + Data("\n".utf8)
    }

    /// One reminder as the file and `flare remind list --json` have it.
    public static func object(_ reminder: Reminder) -> [String: Any] {
        var object: [String: Any] = ["id": reminder.id, "time": reminder.time.description, "scheduler": reminder.scheduler.rawValue]
        switch reminder.kind {
        case .checkIn:
            object["kind"] = "checkin"
        case .took(let name, let reference):
            object["kind"] = "took"
            object["treatment"] = name
            object["reference"] = reference
        }
        return object
    }

    /// The reminder with id `id`.
    public func reminder(_ id: String) throws(ReminderError) -> Reminder {
        guard let reminder = reminders.first(where: { $0.id == id }) else { throw .unknownReminder(id) }
        return reminder
    }

    /// The id a new reminder gets: one more than the highest in use, so a removed reminder's
    /// id comes back only when it was the last.
    public var nextID: String { "r\((reminders.map { Self.number($0.id) }.max() ?? 0) + 1)" }

    /// The list with `reminder` added; one at the same time for the same thing is refused.
    public func adding(_ reminder: Reminder) throws(ReminderError) -> ReminderList {
        if let same = reminders.first(where: { $0.time == reminder.time && $0.kind == reminder.kind }) { throw .duplicate(same) }
        if reminders.contains(where: { $0.id == reminder.id }) { throw .duplicate(try self.reminder(reminder.id)) }
        return ReminderList(reminders + [reminder])
    }

    /// The list without the reminder `id`.
    public func removing(_ id: String) -> ReminderList { ReminderList(reminders.filter { $0.id != id }) }

    private static func number(_ id: String) -> Int { Int(id.dropFirst()) ?? 0 }
}
