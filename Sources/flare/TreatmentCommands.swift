import ArgumentParser
import FlareJournal
import Foundation

/// A treatment's fields as flags, shared by `treat` and `edit`. A flag given sets its field.
struct TreatmentOptions: ParsableArguments {
    @Option(help: "What you call it.") var name: String?
    @Option(name: .customLong("class"), help: "For a medication: \(Treatment.MedicationClass.allCases.map(\.rawValue).joined(separator: ", ")).")
    var medicationClass: String?
    @Option(help: "e.g. \"10 mg\". Changed with flare edit, it is kept in the dose history.") var dose: String?
    @Option(help: "e.g. nightly, twice a week.") var schedule: String?
    @Option(help: "When it started (a time or a day).") var started: String?
    @Option(help: "When it stopped.") var stopped: String?
    @Option(help: "A note.") var note: String?
    @OptionGroup var future: FutureOption

    /// `treatment` with the given fields set, checked as a new treatment would be.
    func applied(to treatment: Treatment) throws -> Treatment {
        let medicationClass = try self.medicationClass.map { text in
            guard let value = Treatment.MedicationClass(rawValue: text.lowercased()) else {
                throw JournalError.invalidValue(
                    field: "class", value: text, expected: "one of " + Treatment.MedicationClass.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return value
        }
        return try Treatment(
            kind: treatment.kind, name: name ?? treatment.name, medicationClass: medicationClass ?? treatment.medicationClass,
            dose: dose ?? treatment.dose, schedule: schedule ?? treatment.schedule,
            started: try started.map { try HumanTime.moment($0, field: "started", future: future.future) } ?? treatment.started,
            stopped: try stopped.map { try HumanTime.moment($0, field: "stopped", future: future.future) } ?? treatment.stopped,
            note: note ?? treatment.note)
    }
}

struct Treat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add a treatment: physical therapy, gentle movement, a sleep or stress measure, a medication, CBT, or other.",
        discussion: "Example: flare treat --kind medication --name Amitriptyline --class \"nerve pain\" --dose \"10 mg\" --schedule nightly")

    @OptionGroup var vault: VaultOptions
    @Option(help: "One of: \(Treatment.Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
    @OptionGroup var fields: TreatmentOptions
    @Flag(help: "Print the new treatment as JSON.") var json = false

    func run() throws {
        try reporting {
            guard let kind = Treatment.Kind(rawValue: kind.lowercased()) else {
                throw JournalError.invalidValue(field: "kind", value: kind, expected: "one of " + Treatment.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let name = fields.name else { throw JournalError.missing(field: "name") }
            let treatment = try fields.applied(to: Treatment(kind: kind, name: name))
            try vault.withVault { opened in
                let id = try Journal(vault: opened).add(treatment)
                if json { try printJSON(treatment.jsonObject(id: id)) } else { print("Added \(id).") }
            }
        }
    }
}

/// A treatment event's fields as flags, shared by `took` and `edit`.
struct EventOptions: ParsableArguments {
    @Option(help: "taken (default for a new one), done or skipped.") var status: String?
    @Option(help: "When (default now for a new one).") var at: String?
    @Option(help: "The dose, if not the usual.") var dose: String?
    @Option(parsing: .unconditional, help: "How much it helped, 0–10.") var effect: String?
    @Option(name: .customLong("side-effect"), help: "A side effect (repeat).") var sideEffects: [String] = []
    @Option(help: "A note.") var note: String?
    @OptionGroup var future: FutureOption

    func applied(to event: TreatmentEvent) throws -> TreatmentEvent {
        let status = try self.status.map { text in
            guard let status = TreatmentEvent.Status(rawValue: text.lowercased()) else {
                throw JournalError.invalidValue(field: "status", value: text, expected: "taken, done or skipped")
            }
            return status
        }
        return try TreatmentEvent(
            treatment: event.treatment, at: try at.map { try HumanTime.moment($0, field: "at", future: future.future) } ?? event.at, status: status ?? event.status,
            dose: dose ?? event.dose, effect: try rating(effect, "effect") ?? event.effect,
            sideEffects: sideEffects.isEmpty ? event.sideEffects : try terms(sideEffects, "side-effect"), note: note ?? event.note)
    }
}

struct Took: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record that a treatment was taken, done or skipped.",
        discussion: "Example: flare took amitriptyline --effect 6 --side-effect \"dry mouth\"")

    @OptionGroup var vault: VaultOptions
    @Argument(help: "The treatment's id, or its name if no other treatment has it.") var treatment: String
    @OptionGroup var fields: EventOptions
    @Flag(help: "Print the new event as JSON.") var json = false

    func run() throws {
        try reporting {
            // Checked before the vault is opened; the treatment id is filled in below.
            let checked = try fields.applied(to: TreatmentEvent(treatment: "?", at: Moment(Date()), status: .taken))
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                var event = checked
                event.treatment = try journal.treatmentID(named: treatment)
                let id = try journal.record(event)
                if json { try printJSON(event.jsonObject(id: id)) } else { print("Recorded \(id).") }
            }
        }
    }
}

extension Journal {
    /// The treatment with id `reference`, or the only one named `reference` (any case).
    func treatmentID(named reference: String) throws -> String {
        // An id is looked up directly; only a name needs every treatment read.
        if vault.replica.document(reference)?.type == Treatment.recordType { return reference }
        let named = all(Treatment.self).records.filter { $0.record.name.lowercased() == reference.lowercased() }
        guard named.count == 1 else {
            if named.isEmpty {
                let names = all(Treatment.self).records.map(\.record.name)
                let hint = Spelling.nearest(to: reference, among: names).map { "; did you mean \($0)?" }
                    ?? (names.isEmpty ? "; there are none yet: add one with `flare treat`." : "; the treatments are \(names.sorted().joined(separator: ", ")).")
                throw CLIError.notFound("No treatment called \(reference) and no treatment with that id\(hint)")
            }
            throw CLIError.usage("\(named.count) treatments are called \(reference); use one of their ids: \(named.map(\.id).joined(separator: ", ")).")
        }
        return named[0].id
    }
}
