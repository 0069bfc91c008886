import ArgumentParser
import FlareCRDT
import FlareJournal
import FlareStore
import Foundation

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What devices wrote differently while apart: fields set to different values, and notes both rewrote.",
        discussion: """
            A field set differently on two devices shows one value and keeps the others until you \
            choose. Two devices rewriting the same stretch of a note keep both new texts, side by \
            side, so nothing typed is lost; each device's version is listed, to choose one or \
            write a new text. Devices that wrote the same value agree: that is no conflict.
            """,
        subcommands: [ListConflicts.self, Resolve.self],
        defaultSubcommand: ListConflicts.self)

    struct ListConflicts: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the conflicts.")

        @OptionGroup var vault: VaultOptions
        @Flag(help: "Print a JSON array of conflicts.") var json = false

        func run() throws {
            try reporting {
                try vault.withVault { opened in
                    let journal = Journal(vault: opened)
                    let (conflicts, overlaps) = (journal.conflicts(), try journal.textConflicts())
                    let names = journal.deviceNames()
                    if json {
                        try printJSON(conflicts.map { $0.jsonObject(in: opened.replica) } + overlaps.map { $0.jsonObject(in: opened.replica, names: names) })
                        return
                    }
                    if conflicts.isEmpty && overlaps.isEmpty { print("No conflicts.") }
                    for conflict in conflicts { print(conflict.line(in: opened.replica)) }
                    for overlap in overlaps { print(overlap.lines(in: opened.replica, names: names).joined(separator: "\n")) }
                }
            }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose what a conflicting field keeps, on every device once synced.",
            discussion: """
                For a field: the value to keep, as `flare conflicts` shows it. For a note both \
                devices rewrote: the device whose version to keep (or that version's text), or \
                --text with a new text.

                Examples: flare conflicts resolve s-k2m9x4qa pain 4
                          flare conflicts resolve s-k2m9x4qa note phone
                          flare conflicts resolve s-k2m9x4qa note --text "stiff all morning, eased by noon"
                """)

        @OptionGroup var vault: VaultOptions
        @Argument(help: "The record's id.") var id: String
        @Argument(help: "The field.") var field: String
        @Argument(help: "The value to keep; for a note, a device name.") var value: String?
        @Option(help: "A new text for a note both devices rewrote.") var text: String?

        func validate() throws {
            guard (value == nil) != (text == nil) else {
                throw ValidationError(value == nil ? "Give the value to keep, or --text for a note." : "Give a value or --text, not both.")
            }
        }

        func run() throws {
            try reporting {
                try vault.withVault { opened in
                    let journal = Journal(vault: opened)
                    // A field's conflict first: only a note's needs the whole history read.
                    if let conflict = journal.conflicts().first(where: { $0.record == id && $0.field == field }) {
                        guard let value else { throw CLIError.usage("--text is for a note both devices rewrote; give the value of \(field) to keep.") }
                        let document = opened.replica.document(id)
                        let shown = conflict.candidates.map { FieldText.value($0, field: field, in: document) }
                        guard let index = conflict.candidates.indices.first(where: { conflict.candidates[$0].plain == value || shown[$0] == value }) else {
                            throw CLIError.usage("\(value) is not one of the values of \(field): \(shown.joined(separator: ", ")).")
                        }
                        try journal.resolve(conflict, choosing: conflict.candidates[index])
                        print("\(id) \(FieldText.name(field)) is now \(shown[index]).")
                        return
                    }
                    guard let overlap = try journal.textConflicts().first(where: { $0.document == id && $0.field == field }) else {
                        throw CLIError.usage("\(id) has no conflict in \(field); `flare conflicts` lists them.")
                    }
                    let chosen = try text ?? Self.version(named: value ?? "", in: overlap, names: journal.deviceNames())
                    try journal.resolve(overlap, with: chosen)
                    print("\(id) \(FieldText.name(field)) is now \"\(chosen)\".")
                }
            }
        }

        /// The text of the version `name` names: a device's name, its replica id, or the text itself.
        private static func version(named name: String, in overlap: TextOverlap, names: [ReplicaID: String]) throws -> String {
            let matching = overlap.versions.filter { version in
                names[version.change.replica]?.lowercased() == name.lowercased() || version.change.replica.description == name || version.text == name
            }
            guard let chosen = matching.last else {
                let devices = overlap.versions.map { names[$0.change.replica] ?? $0.change.replica.description }
                throw CLIError.usage("\(name) is not one of the versions of \(overlap.field): choose \(devices.joined(separator: " or ")), or give --text.")
            }
            return chosen.text
        }
    }
}

extension Scalar {
    /// The value as a person types it: strings without quotes.
    var plain: String {
        if case .string(let text) = self { return text }
        return description
    }
}

extension Conflict {
    /// How the CLI shows it: `s-k2m9x4qa  pain: shows 5; also 7`, times as times.
    func line(in replica: Replica) -> String {
        let document = replica.document(record)
        let values = candidates.map { FieldText.value($0, field: field, in: document) }
        return "\(record)  \(FieldText.name(field)): shows \(values[0]); also \(values.dropFirst().joined(separator: ", "))"
    }

    /// How `--json` shows it.
    func jsonObject(in replica: Replica) -> [String: Any] {
        let document = replica.document(record)
        return [
            "id": record, "field": field, "kind": "value", "shown": FieldText.value(shown, field: field, in: document),
            "others": others.map { FieldText.value($0, field: field, in: document) },
        ]
    }
}

extension TextOverlap {
    /// How the CLI shows it: the record and field, then each device's version and the text now.
    func lines(in replica: Replica, names: [ReplicaID: String]) -> [String] {
        var lines = ["\(document)  \(FieldText.name(field)): rewritten on \(versions.count) devices at once; each version, and the text now:"]
        let labels = versions.map { names[$0.change.replica] ?? $0.change.replica.description }
        let width = (labels + ["now"]).map(\.count).max() ?? 0
        for (label, version) in zip(labels, versions) {
            lines.append("  \(label.padding(toLength: width, withPad: " ", startingAt: 0))  \"\(version.text)\"")
        }
        lines.append("  \("now".padding(toLength: width, withPad: " ", startingAt: 0))  \"\(current(in: replica))\"")
        return lines
    }

    /// How `--json` shows it.
    func jsonObject(in replica: Replica, names: [ReplicaID: String]) -> [String: Any] {
        [
            "id": document, "field": field, "kind": "text", "shown": current(in: replica),
            "versions": versions.map { version -> [String: Any] in
                [
                    "device": names[version.change.replica] ?? version.change.replica.description,
                    "at": FieldText.time(version.clock),
                    "text": version.text,
                ]
            },
        ]
    }

    private func current(in replica: Replica) -> String {
        guard case .text(let text)? = replica.document(document)?.field(field) else { return "" }
        return text.string
    }
}

extension MergeNews {
    /// What a sync or an import brought that the person should hear of, as lines for them.
    func lines(in replica: Replica, names: [ReplicaID: String]) -> [String] {
        func name(_ replica: ReplicaID) -> String { names[replica] ?? replica.description }
        var lines: [String] = []
        if !conflicts.isEmpty {
            lines.append("New conflicts (choose with flare conflicts resolve):")
            lines += conflicts.map { "  " + $0.line(in: replica) }
        }
        for overlap in overlaps {
            lines += overlap.lines(in: replica, names: names).map { "  " + $0 }
        }
        if !overlaps.isEmpty {
            lines.append("  Both texts are kept, so nothing typed is lost; choose one with flare conflicts resolve ID FIELD DEVICE, or --text.")
        }
        for record in kept {
            let deleted = record.deletedBy.isEmpty ? "elsewhere" : "on " + record.deletedBy.map(name).joined(separator: " and ")
            let editors = record.keptBy.map(name).joined(separator: " and ")
            lines.append(
                "Kept \(record.id) (\(record.type)): it was deleted \(deleted) while \(editors) edited it, so it stays and nothing typed is lost; flare delete \(record.id) if it should go.")
        }
        return lines
    }

    /// How `--json` shows it: the new conflicts (values and texts) and the records kept.
    func jsonObject(in replica: Replica, names: [ReplicaID: String]) -> [String: Any] {
        func name(_ replica: ReplicaID) -> String { names[replica] ?? replica.description }
        return [
            "new_conflicts": conflicts.map { $0.jsonObject(in: replica) } + overlaps.map { $0.jsonObject(in: replica, names: names) },
            "kept_after_delete": kept.map { record -> [String: Any] in
                ["id": record.id, "type": record.type, "deleted_on": record.deletedBy.map(name), "edited_on": record.keptBy.map(name)]
            },
        ]
    }
}
