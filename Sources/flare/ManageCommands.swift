import ArgumentParser
import FlareCRDT
import FlareJournal
import FlareStore
import Foundation

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete a record.",
        discussion: "An edit another device makes to it before it hears of the delete brings it back, so nothing typed elsewhere is lost.")

    @OptionGroup var vault: VaultOptions
    @Argument(help: "The record's id.") var id: String

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                try Journal(vault: opened).delete(id)
                print("Deleted \(id).")
            }
        }
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every edit of a record: when, on which device, what.")

    @OptionGroup var vault: VaultOptions
    @Argument(help: "The record's id.") var id: String
    @Option(help: "Only this field.") var field: String?
    @Flag(help: "Print a JSON array of edits.") var json = false

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                let names = journal.deviceNames()
                let edits = try journal.history(of: id, field: field).map { entry -> [String: Any] in
                    let when = Date(timeIntervalSince1970: TimeInterval(entry.clock.milliseconds) / 1000)
                    var edit: [String: Any] = [
                        "at": ISO8601DateFormatter().string(from: when),
                        "device": names[entry.change.replica] ?? entry.change.replica.description,
                        "edit": entry.operation.summary,
                    ]
                    if let field = entry.operation.field { edit["field"] = field }
                    return edit
                }
                if json {
                    try printJSON(edits)
                    return
                }
                for edit in edits {
                    print("\(edit["at"]!)  \(edit["device"]!)  \(edit["edit"]!)")
                }
            }
        }
    }
}

extension FlareCRDT.Operation {
    /// What the edit did, in a few words.
    var summary: String {
        switch self {
        case .create(_, let type): return "created (\(type))"
        case .set(_, let field, let value): return "\(field) = \(value)"
        case .add(_, let field, let element): return "\(field) + \(element)"
        case .remove(_, let field, let element): return "\(field) − \(element)"
        case .increment(_, let field, let amount): return "\(field) += \(amount)"
        case .insertText(_, let field, _, let text): return "\(field): typed \"\(text)\""
        case .deleteText(_, let field, let ranges): return "\(field): erased \(ranges.reduce(0) { $0 + Int($1.count) }) characters"
        case .delete: return "deleted"
        }
    }
}

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fields that devices set differently while apart: the value shown, and the others.",
        subcommands: [ListConflicts.self, Resolve.self],
        defaultSubcommand: ListConflicts.self)

    struct ListConflicts: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the conflicts.")

        @OptionGroup var vault: VaultOptions
        @Flag(help: "Print a JSON array of conflicts.") var json = false

        func run() throws {
            try reporting {
                try vault.withVault { opened in
                    let conflicts = Journal(vault: opened).conflicts()
                    if json {
                        try printJSON(conflicts.map(\.jsonObject))
                        return
                    }
                    if conflicts.isEmpty { print("No conflicts.") }
                    for conflict in conflicts { print(conflict.line) }
                }
            }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose the value a conflicting field keeps, on every device once synced.",
            discussion: "Example: flare conflicts resolve s-k2m9x4qa pain 4")

        @OptionGroup var vault: VaultOptions
        @Argument(help: "The record's id.") var id: String
        @Argument(help: "The field.") var field: String
        @Argument(help: "The value to keep, as `flare conflicts` shows it.") var value: String

        func run() throws {
            try reporting {
                try vault.withVault { opened in
                    let journal = Journal(vault: opened)
                    guard let conflict = journal.conflicts().first(where: { $0.record == id && $0.field == field }) else {
                        throw CLIError.usage("\(id) has no conflict in \(field); `flare conflicts` lists them.")
                    }
                    guard let chosen = conflict.candidates.first(where: { $0.plain == value }) else {
                        throw CLIError.usage("\(value) is not one of the values of \(field): \(conflict.candidates.map(\.plain).joined(separator: ", ")).")
                    }
                    try journal.resolve(conflict, choosing: chosen)
                    print("\(id) \(field) is now \(chosen.plain).")
                }
            }
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
    /// How the CLI shows it: `s-k2m9x4qa  pain: shows 5; also 7`.
    var line: String { "\(record)  \(field): shows \(shown.plain); also \(others.map(\.plain).joined(separator: ", "))" }

    /// How `--json` shows it.
    var jsonObject: [String: Any] { ["id": record, "field": field, "shown": shown.plain, "others": others.map(\.plain)] }

    /// Which field of which record, whatever its values.
    var place: String { "\(record)\u{0}\(field)" }
}

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the whole vault: every row opens, the log replays to the state in use.",
        discussion: "Exit status 74 and the damaged rows named if anything is wrong.")

    @OptionGroup var vault: VaultOptions
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                let report = try opened.verifyIntegrity()
                if json {
                    try printJSON([
                        "changes": report.changeCount, "change_rows": report.changeRowCount, "buffered": report.bufferedCount,
                        "bytes": report.fileBytes, "ok": true,
                    ])
                    return
                }
                print("The vault is sound: \(report.changeCount) changes in \(report.changeRowCount) rows, \(report.bufferedCount) waiting for others, \(report.fileBytes) bytes.")
            }
        }
    }
}

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revert this device's last change with a new change, which syncs like any edit.",
        discussion: """
            A record the change logged is deleted; fields it edited go back to their earlier \
            values. Undoing twice redoes. A delete cannot be undone.
            """)

    @OptionGroup var vault: VaultOptions

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                let records = try Journal(vault: opened).undoLastChange()
                print("Undid the last change to \(records.joined(separator: ", ")).")
            }
        }
    }
}

struct Passphrase: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change the passphrase that unlocks this device's vault.",
        discussion: """
            Asks for the current passphrase as every command does (even while the vault is \
            unlocked: `flare unlock`'s key is not enough here), then for the new one twice \
            (or reads it from --new-passphrase-file or $FLARE_NEW_PASSPHRASE). A passphrase that \
            is short or well known is refused, with the reason. Other devices keep their own \
            passphrases; the journal itself is not re-encrypted, only the keys that unlock it. \
            If the vault was unlocked, it is locked.
            """)

    @OptionGroup var vault: VaultOptions
    @Option(help: "Read the new passphrase from the first line of this file.") var newPassphraseFile: String?

    func run() throws {
        try reporting {
            try vault.withVault(usingAgent: false) { opened in
                let passphrase = try VaultOptions.newPassphrase(file: newPassphraseFile)
                try opened.changePassphrase(to: passphrase)
            }
            // The agent's key would no longer open the vault; forgotten now, not at first use.
            AgentClient().forget(vaultAt: vault.path)
            print("The passphrase is changed; use the new one from now on.")
        }
    }
}
