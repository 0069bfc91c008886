import FlareCRDT
import Foundation

extension JournalRecord {
    /// The record as a JSON object: `id`, `type`, and every field that has a value, under the
    /// field's name. Times (a field with a `_utc_offset` companion) are ISO 8601 with their
    /// offset; sets are sorted arrays; empty sets and texts and null values are left out. Two
    /// devices holding the same record print the same object.
    public func jsonObject(id: String) -> [String: Any] {
        let fields = fields
        var object: [String: Any] = ["id": id, "type": Self.recordType]
        for (name, value) in fields where !name.hasSuffix("_utc_offset") {
            switch value {
            case .scalar(.null): continue
            case .scalar(let scalar):
                if case .scalar(.int(let offset))? = fields[name + "_utc_offset"], case .int(let seconds) = scalar,
                    let moment = try? Moment(secondsSince1970: seconds, utcOffsetMinutes: Int(offset))
                {
                    object[name] = moment.description
                } else {
                    object[name] = Self.json(scalar)
                }
            case .terms(let terms):
                if !terms.isEmpty { object[name] = terms.map(\.text).sorted() }
            case .text(let text):
                if !text.isEmpty { object[name] = text }
            }
        }
        return object
    }

    private static func json(_ scalar: Scalar) -> Any {
        switch scalar {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .int(let number): return number
        case .double(let number): return number
        case .string(let text): return text
        }
    }
}
