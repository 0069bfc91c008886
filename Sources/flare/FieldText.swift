import FlareCRDT
import FlareJournal
import Foundation

/// A record's stored values as a person reads them, for `history` and `conflicts`: a time
/// (`at`, `started`, `stopped`: seconds since 1970 beside a `…_utc_offset` field) as
/// `2026-11-27 07:30 +01:00`, a yes/no field as yes or no, text without quotes, nothing as
/// "none".
enum FieldText {
    /// Whether `field` of `document` holds a time: it has a `…_utc_offset` companion.
    static func isTime(_ field: String, in document: Document?) -> Bool {
        document?.field(field + "_utc_offset") != nil
    }

    /// `value` of `field`; a time at `offset` minutes from UTC.
    static func value(_ value: Scalar, isTime: Bool, offset: Int) -> String {
        switch value {
        case .null: return "none"
        case .bool(let flag): return flag ? "yes" : "no"
        case .string(let text): return text
        case .int(let seconds) where isTime:
            guard let moment = try? Moment(secondsSince1970: seconds, utcOffsetMinutes: offset) else { return "\(seconds)" }
            return time(moment)
        default: return value.description
        }
    }

    /// `value` of `field` in `document`, a time at the offset the document holds for it.
    static func value(_ value: Scalar, field: String, in document: Document?) -> String {
        Self.value(value, isTime: isTime(field, in: document), offset: offset(of: field, in: document))
    }

    /// `2026-11-27 07:30 +01:00`.
    static func time(_ moment: Moment) -> String {
        let iso = moment.description
        return "\(clock(moment)) \(iso.hasSuffix("Z") ? "+00:00" : String(iso.suffix(6)))"
    }

    /// `2026-11-27 07:30`: the day and the time of day where it was logged.
    static func clock(_ moment: Moment) -> String { "\(moment.day) \(moment.description.dropFirst(11).prefix(5))" }

    /// When a change was made, by its clock, at this device's offset.
    static func time(_ clock: HLC) -> String { time(Moment(clock.date)) }

    /// The UTC offset `document` holds for the time `field`, in minutes (0 when none).
    static func offset(of field: String, in document: Document?) -> Int {
        guard case .register(let register)? = document?.field(field + "_utc_offset"), case .int(let minutes) = register.winner.value,
            Moment.offsets.contains(Int(clamping: minutes))
        else { return 0 }
        return Int(minutes)
    }

    /// `+01:00` for 60 minutes.
    static func offset(_ minutes: Int64) -> String {
        let magnitude = minutes.magnitude
        func twoDigits(_ number: UInt64) -> String { number < 10 ? "0\(number)" : "\(number)" }
        return (minutes < 0 ? "-" : "+") + twoDigits(magnitude / 60 % 100) + ":" + twoDigits(magnitude % 60)
    }

    /// A field's name with spaces: `sleep hours`.
    static func name(_ field: String) -> String { field.replacingOccurrences(of: "_", with: " ") }
}

extension HLC {
    /// The wall-clock instant the clock reads.
    var date: Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
}
