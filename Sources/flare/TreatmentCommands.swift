import ArgumentParser
import FlareJournal
import Foundation

struct Treat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add a treatment: physical therapy, gentle movement, a sleep or stress measure, a medication, CBT, or other.",
        discussion: "Example: flare treat --kind medication --name Amitriptyline --class \"nerve pain\" --dose \"10 mg\" --schedule nightly")

    @OptionGroup var vault: VaultOptions
    @Option(help: "One of: \(Treatment.Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
    @Option(help: "What you call it.") var name: String
    @Option(name: .customLong("class"), help: "For a medication: \(Treatment.MedicationClass.allCases.map(\.rawValue).joined(separator: ", ")).")
    var medicationClass: String?
    @Option(help: "e.g. \"10 mg\".") var dose: String?
    @Option(help: "e.g. nightly, twice a week.") var schedule: String?
    @Option(help: "When it started (a time or a day).") var started: String?
    @Option(help: "When it stopped.") var stopped: String?
    @Option(help: "A note.") var note: String = ""
    @Flag(help: "Print the new treatment as JSON.") var json = false

    func run() throws {
        try reporting {
            guard let kind = Treatment.Kind(rawValue: kind.lowercased()) else {
                throw JournalError.invalidValue(field: "kind", value: kind, expected: "one of " + Treatment.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let medicationClass = try self.medicationClass.map { text in
                guard let value = Treatment.MedicationClass(rawValue: text.lowercased()) else {
                    throw JournalError.invalidValue(
                        field: "class", value: text, expected: "one of " + Treatment.MedicationClass.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return value
            }
            let treatment = try Treatment(
                kind: kind, name: name, medicationClass: medicationClass, dose: dose, schedule: schedule,
                started: started.map { try HumanTime.parse($0) }, stopped: stopped.map { try HumanTime.parse($0) }, note: note)
            let opened = try vault.open()
            defer { try? opened.close() }
            let id = try Journal(vault: opened).add(treatment)
            if json { try printJSON(treatment.jsonObject(id: id)) } else { print("Added \(id).") }
        }
    }
}

struct Took: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record that a treatment was taken, done or skipped.",
        discussion: "Example: flare took amitriptyline --effect 6 --side-effect \"dry mouth\"")

    @OptionGroup var vault: VaultOptions
    @Argument(help: "The treatment's id, or its name if no other treatment has it.") var treatment: String
    @Option(help: "taken (default), done or skipped.") var status: String = "taken"
    @Option(help: "When (default now).") var at: String = "now"
    @Option(help: "The dose, if not the usual.") var dose: String?
    @Option(help: "How much it helped, 0–10.") var effect: String?
    @Option(name: .customLong("side-effect"), help: "A side effect (repeat).") var sideEffects: [String] = []
    @Option(help: "A note.") var note: String = ""
    @Flag(help: "Print the new event as JSON.") var json = false

    func run() throws {
        try reporting {
            guard let status = TreatmentEvent.Status(rawValue: status.lowercased()) else {
                throw JournalError.invalidValue(field: "status", value: status, expected: "taken, done or skipped")
            }
            let at = try HumanTime.parse(at)
            let effect = try rating(effect, "effect")
            let sideEffects = try terms(sideEffects, "side-effect")
            let opened = try vault.open()
            defer { try? opened.close() }
            let journal = Journal(vault: opened)
            let id = try journal.treatmentID(named: treatment)
            let event = try TreatmentEvent(treatment: id, at: at, status: status, dose: dose, effect: effect, sideEffects: sideEffects, note: note)
            let eventID = try journal.record(event)
            if json { try printJSON(event.jsonObject(id: eventID)) } else { print("Recorded \(eventID).") }
        }
    }
}

extension Journal {
    /// The treatment with id `reference`, or the only one named `reference` (any case).
    func treatmentID(named reference: String) throws -> String {
        let treatments = all(Treatment.self).records
        if treatments.contains(where: { $0.id == reference }) { return reference }
        let named = treatments.filter { $0.record.name.lowercased() == reference.lowercased() }
        guard named.count == 1 else {
            if named.isEmpty { throw JournalError.unknownRecord(reference) }
            throw CLIError.usage("\(named.count) treatments are called \(reference); use one of their ids: \(named.map(\.id).joined(separator: ", ")).")
        }
        return named[0].id
    }
}
