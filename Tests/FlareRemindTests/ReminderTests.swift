import FlareRemind
import Foundation
import Testing

/// Reminders as values: times of day, the reminders file, and what is said when one comes.
@Suite struct ReminderTests {
    static func time(_ text: String) throws -> TimeOfDay { try TimeOfDay(parsing: text) }

    @Test func timesOfDayOnA24HourClock() throws {
        for (text, expected) in [("20:00", "20:00"), ("7:05", "07:05"), (" 08:30 ", "08:30"), ("00:00", "00:00"), ("23:59", "23:59")] {
            #expect(try Self.time(text).description == expected)
        }
        #expect(try Self.time("7:05") < Self.time("20:00"))
    }

    @Test func badTimesSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("24:00", "Hours run from 00 to 23; midnight is 00:00."),
            ("12:60", "Minutes run from 00 to 59."),
            ("7pm", "Did you mean 19:00?"),
            ("7:30 p.m.", "Did you mean 19:30?"),
            ("12am", "Did you mean 00:00?"),
            ("12PM", "Did you mean 12:00?"),
            ("13pm", ""), ("7:60pm", ""), ("", ""), ("2000", ""), ("20:0", ""), ("20:00:00", ""), ("-1:00", ""), ("+8:00", ""),
            ("٢٠:٠٠", ""), ("99999999999999999999:00", ""), ("20:00\n", ""),
        ]
        for (text, hint) in cases {
            #expect(throws: ReminderError.badTime(text, hint: hint), "\(text)") { try TimeOfDay(parsing: text) }
        }
        #expect(
            ReminderError.badTime("7pm", hint: "Did you mean 19:00?").description
                == "The time must be HH:MM on a 24-hour clock, from 00:00 to 23:59 (e.g. 20:00); \"7pm\" is not. Did you mean 19:00?")
    }

    @Test func whatAReminderSays() throws {
        let checkIn = try Reminder(id: "r1", time: Self.time("20:00"), kind: .checkIn, scheduler: .systemd)
        #expect(checkIn.message == "Time for your 20:00 check-in: flare checkin")
        #expect(checkIn.purpose == "check in")
        let pill = try Reminder(id: "r2", time: Self.time("8:00"), kind: .took(name: "Vitamin D <3", reference: "Vitamin D <3"), scheduler: .cron)
        #expect(pill.message == "Time for your 08:00 Vitamin D <3: flare took 'Vitamin D <3'")
        #expect(pill.notificationBody == "Time for your 08:00 Vitamin D &lt;3: flare took 'Vitamin D &lt;3'")
        let shared = try Reminder(id: "r3", time: Self.time("21:00"), kind: .took(name: "Ibuprofen", reference: "t-ag82egrt"), scheduler: .cron)
        #expect(shared.command == "flare took t-ag82egrt")
    }

    @Test func refusedIDsAndNames() throws {
        let time = try Self.time("20:00")
        for id in ["", "r", "r0", "r01", "x1", "r1234567", "r1 ", "R1", "r-1", "r١"] {
            #expect(throws: ReminderError.unknownReminder(id), "\(id)") { try Reminder(id: id, time: time, kind: .checkIn, scheduler: .cron) }
        }
        for (name, reason) in [
            ("", "it is empty"), ("  ", "it is empty"), ("a\nb", "it holds a line break or other control character"),
            ("\u{1B}[31mred", "it holds a line break or other control character"),
            (String(repeating: "x", count: 201), "it is longer than 200 characters"),
        ] {
            #expect(throws: ReminderError.badName(name, reason: reason)) {
                try Reminder(id: "r1", time: time, kind: .took(name: name, reference: "t-1"), scheduler: .cron)
            }
        }
    }

    @Test func theFileRoundTripsAndIDsCount() throws {
        let list = try ReminderList([
            Reminder(id: "r2", time: Self.time("20:00"), kind: .checkIn, scheduler: .systemd),
            Reminder(id: "r10", time: Self.time("08:00"), kind: .took(name: "Amitriptyline", reference: "Amitriptyline"), scheduler: .cron),
            Reminder(id: "r1", time: Self.time("08:00"), kind: .checkIn, scheduler: .cron),
        ])
        #expect(list.reminders.map(\.id) == ["r1", "r10", "r2"], "by time, then by number")
        #expect(list.nextID == "r11")
        #expect(ReminderList().nextID == "r1")
        let read = try ReminderList(json: list.json(), path: "reminders.json")
        #expect(read == list)
        #expect(String(decoding: list.json(), as: UTF8.self).contains(#""treatment" : "Amitriptyline""#))

        let again = try Reminder(id: list.nextID, time: Self.time("20:00"), kind: .checkIn, scheduler: .cron)
        #expect(throws: ReminderError.duplicate(try list.reminder("r2"))) { try list.adding(again) }
        #expect(try list.adding(try Reminder(id: "r11", time: Self.time("20:01"), kind: .checkIn, scheduler: .cron)).reminders.count == 4)
        #expect(list.removing("r10").reminders.map(\.id) == ["r1", "r2"])
        #expect(throws: ReminderError.unknownReminder("r7")) { try list.reminder("r7") }
    }

    @Test func aDamagedFileIsRefusedWithWhere() {
        let cases: [(String, String)] = [
            ("", "it is not a JSON object"),
            ("[]", "it is not a JSON object"),
            ("{\"version\": 1, \"reminders\": [", "it is not a JSON object"),
            ("{\"version\": 2, \"reminders\": []}", "its \"version\" is not 1"),
            ("{\"version\": 1}", "it has no \"reminders\" list"),
            ("{\"version\": 1, \"reminders\": [3]}", "reminders[0] is not an object"),
            ("{\"version\": 1, \"reminders\": [{\"id\": \"r1\", \"time\": \"20:00\", \"kind\": \"checkin\"}]}",
             "reminders[0].scheduler is missing or not a string"),
            ("{\"version\": 1, \"reminders\": [{\"id\": 1}]}", "reminders[0].id is missing or not a string"),
            ("{\"version\": 1, \"reminders\": [{\"id\": \"x; rm -rf ~\"}]}", "reminders[0].id \"x; rm -rf ~\" is not r and a number"),
            ("{\"version\": 1, \"reminders\": [{\"id\": \"r1\", \"time\": \"24:00\", \"kind\": \"checkin\", \"scheduler\": \"cron\"}]}",
             "reminders[0].time: The time must be HH:MM on a 24-hour clock, from 00:00 to 23:59 (e.g. 20:00); \"24:00\" is not. Hours run from 00 to 23; midnight is 00:00."),
            ("{\"version\": 1, \"reminders\": [{\"id\": \"r1\", \"time\": \"20:00\", \"kind\": \"nap\", \"scheduler\": \"cron\"}]}",
             "reminders[0].kind \"nap\" is neither \"checkin\" nor \"took\""),
            ("{\"version\": 1, \"reminders\": [{\"id\": \"r1\", \"time\": \"20:00\", \"kind\": \"checkin\", \"scheduler\": \"at\"}]}",
             "reminders[0].scheduler is neither \"systemd\" nor \"cron\""),
            ("{\"version\": 1, \"reminders\": [{\"id\": \"r1\", \"time\": \"20:00\", \"kind\": \"took\", \"treatment\": \"a\\u001bb\", \"reference\": \"a\", \"scheduler\": \"cron\"}]}",
             #"reminders[0]: A reminder cannot name the treatment "a\u{1B}b": it holds a line break or other control character."#),
            ("{\"version\": 1, \"reminders\": [{\"id\": \"r1\", \"time\": \"20:00\", \"kind\": \"took\", \"scheduler\": \"cron\"}]}",
             "reminders[0].treatment is missing or not a string"),
            ("{\"version\": 1, \"reminders\": [{\"id\": \"r1\", \"time\": \"20:00\", \"kind\": \"checkin\", \"scheduler\": \"cron\"}, {\"id\": \"r1\"}]}",
             "two reminders have the id r1"),
        ]
        for (text, problem) in cases {
            #expect(throws: ReminderError.badFile(path: "f.json", problem: problem), "\(text)") { try ReminderList(json: Data(text.utf8), path: "f.json") }
        }
        let huge = Data(repeating: UInt8(ascii: " "), count: ReminderList.largestFile + 1)
        #expect(throws: ReminderError.badFile(path: "f.json", problem: "it is larger than 1048576 bytes")) { try ReminderList(json: huge, path: "f.json") }
        #expect(throws: ReminderError.self) { try ReminderList(json: Data([0xFF, 0xFE, 0x00]), path: "f.json") }
    }

    @Test func pendingLinesAreShownOnceAndClean() {
        #expect(PendingReminders.needsAdding("Time for your 20:00 check-in: flare checkin", to: ""))
        #expect(!PendingReminders.needsAdding("a", to: "b\na\n"))
        #expect(PendingReminders.needsAdding("a", to: "ab\n"))
        let file = "one\n\u{1B}]0;pwned\u{07}two\r\n\n  \none\n" + (1...12).map { "line \($0)" }.joined(separator: "\n")
        let lines = PendingReminders.lines(in: Data(file.utf8))
        #expect(lines.count == PendingReminders.mostShown)
        #expect(lines.last == "line 12")
        #expect(PendingReminders.lines(in: Data("one\n\u{1B}]0;pwned\u{07}two\r\none\n".utf8)) == ["one", "]0;pwnedtwo"])
        #expect(PendingReminders.lines(in: Data()).isEmpty)
        #expect(PendingReminders.lines(in: Data([0xFF, 0x0A, 0x41])) == ["\u{FFFD}", "A"])
    }
}
