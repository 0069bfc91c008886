import ArgumentParser
import FlareCRDT
import FlareJournal
import Foundation

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the journal in time order, filtered by day, type, region or trigger.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var range: DayRange
    @Option(name: .customLong("type"), help: "symptom, treatment, treatment-event, dose-change or check-in (repeat).")
    var types: [String] = []
    @Option(help: "Only entries with a region that overlaps this one (shoulders finds left shoulder girdle too).") var region: String?
    @Option(help: "Only entries with this trigger.") var trigger: String?
    @Flag(help: "Print a JSON array of records.") var json = false

    func run() throws {
        try reporting {
            let known = [SymptomEntry.recordType, Treatment.recordType, TreatmentEvent.recordType, DoseChange.recordType, CheckIn.recordType]
            if let unknown = types.first(where: { !known.contains($0) }) {
                throw CLIError.usage("Unknown type \(unknown); use one of \(known.joined(separator: ", ")).")
            }
            let (from, to) = try range.bounds()
            let filter = TimelineFilter(
                from: from, to: to,
                types: Set(types), region: try region.map { text throws(JournalError) in try Term(text, field: "region") },
                trigger: try trigger.map { text throws(JournalError) in try Term(text, field: "trigger") })
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                let items = journal.timeline(filter)
                if json {
                    try printJSON(items.map(\.jsonObject))
                    return
                }
                if items.isEmpty { print("Nothing logged\(filter.isEmpty ? "" : " that matches") yet.\(filter.regionHint)") }
                let treatments = journal.treatments()
                for item in items { print(item.line(treatments)) }
            }
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one record whole, with any conflicts.")

    @OptionGroup var vault: VaultOptions
    @Argument(help: "The record's id, as `flare list` shows it.") var id: String
    @Flag(help: "Print the record as JSON.") var json = false

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                let item = try journal.item(id)
                var object = item.jsonObject
                let (conflicts, problems) = item.findings
                if json {
                    if !conflicts.isEmpty {
                        object["conflicts"] = conflicts.map { ["field": $0.field, "shown": $0.shown.description, "others": $0.others.map(\.description)] }
                    }
                    try printJSON(object)
                    return
                }
                // A treatment that is gone or unreadable is shown by its id alone.
                if let treatment = object["treatment"] as? String, let name = try? journal.stored(treatment, as: Treatment.self).record.name {
                    object["treatment"] = "\(name) (\(treatment))"
                }
                for key in object.keys.sorted() { print("\(key): \(render(object[key]!))") }
                for conflict in conflicts {
                    print("conflict in \(conflict.field): shows \(conflict.shown), also written: \(conflict.others.map(\.description).joined(separator: ", "))")
                }
                for problem in problems { print("note: \(problem)") }
            }
        }
    }
}

/// A JSON value as a person reads it.
func render(_ value: Any) -> String {
    switch value {
    case let list as [String]: return list.joined(separator: ", ")
    case let flag as Bool: return flag ? "yes" : "no"
    default: return "\(value)"
    }
}

extension TimelineFilter {
    var isEmpty: Bool { from == nil && to == nil && types.isEmpty && region == nil && trigger == nil }

    /// Why a region filter may have found nothing: it is not a word Flare knows.
    var regionHint: String {
        guard let region, !BodyRegion.isKnown(region) else { return "" }
        let suggestion = BodyRegion.suggestion(for: region).map { "; did you mean \"\($0)\"?" } ?? "."
        return " (\"\(region)\" is not a region Flare knows\(suggestion))"
    }
}

extension TimelineItem {
    var jsonObject: [String: Any] {
        switch self {
        case .symptom(let stored): return stored.record.jsonObject(id: stored.id)
        case .treatment(let stored): return stored.record.jsonObject(id: stored.id)
        case .event(let stored): return stored.record.jsonObject(id: stored.id)
        case .doseChange(let stored): return stored.record.jsonObject(id: stored.id)
        case .checkIn(let stored): return stored.record.jsonObject(id: stored.id)
        }
    }

    /// The record's conflicts and what of it could not be read.
    var findings: (conflicts: [Conflict], problems: [JournalError]) {
        switch self {
        case .symptom(let stored): return (stored.conflicts, stored.problems)
        case .treatment(let stored): return (stored.conflicts, stored.problems)
        case .event(let stored): return (stored.conflicts, stored.problems)
        case .doseChange(let stored): return (stored.conflicts, stored.problems)
        case .checkIn(let stored): return (stored.conflicts, stored.problems)
        }
    }

    /// One line of `flare list`: when, id, type, and the fields that say most. A treatment
    /// event or dose change names its treatment (`taken Amitriptyline 10 mg`, with the dose it
    /// was at then), falling back to the id of a treatment not in the journal.
    func line(_ treatments: Treatments) -> String {
        let object = jsonObject
        let when = (object["at"] as? String).map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") }
            ?? (object["day"] as? String) ?? (object["started"] as? String).map { String($0.prefix(10)) } ?? "—"
        var skip: Set<String> = ["id", "type", "at", "day", "note"]
        var lead: [String] = []
        switch self {
        case .event(let stored):
            let event = stored.record
            let name = treatments.name(of: event.treatment) ?? event.treatment
            let dose = event.dose ?? treatments.dose(of: event.treatment, at: event.at)
            lead = [[event.status.rawValue, name, dose].compactMap { $0 }.joined(separator: " ")]
            skip.formUnion(["status", "treatment", "dose"])
        case .doseChange(let stored):
            let change = stored.record
            lead = ["\(treatments.name(of: change.treatment) ?? change.treatment) \(change.from ?? "no dose") → \(change.dose)"]
            skip.formUnion(["treatment", "from", "dose"])
        case .symptom, .treatment, .checkIn:
            break
        }
        let fields = lead + object.keys.filter { !skip.contains($0) }.sorted().map { "\($0) \(render(object[$0]!))" }
        let note = (object["note"] as? String).map { " — \"\($0)\"" } ?? ""
        let type = object["type"] as! String
        let line = "\(when.padding(toLength: 16, withPad: " ", startingAt: 0))  \(Style.dim(id))  "
            + "\(Style.bold(type.padding(toLength: 15, withPad: " ", startingAt: 0)))  \(fields.joined(separator: ", "))\(note)"
        return object["flare"] as? Bool == true ? Style.red(line) : line
    }
}
