import ArgumentParser
import FlareCRDT
import FlareJournal
import FlareStore
import Foundation

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete a record.",
        discussion: """
            On a terminal it shows the record and asks first, unless --yes. `flare undo` brings \
            a deleted record back. An edit another device makes to it before it hears of the \
            delete keeps it, so nothing typed elsewhere is lost; `flare sync` says so when that \
            happens.
            """)

    @OptionGroup var vault: VaultOptions
    @Argument(help: "The record's id.") var id: String
    @Flag(name: .shortAndLong, help: "Delete without asking.") var yes = false

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                let journal = Journal(vault: opened)
                if !yes, isatty(STDIN_FILENO) == 1 {
                    let item = try journal.item(id)
                    FileHandle.standardError.write(Data("\(item.line(journal.treatments()))\nDelete \(id)? y/N: ".utf8))
                    guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased(), ["y", "yes"].contains(answer) else {
                        print("Kept \(id).")
                        return
                    }
                }
                try journal.delete(id)
                print("Deleted \(id); flare undo brings it back.")
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
                let document = opened.replica.document(id)
                let entries = try journal.history(of: id, field: field)
                let shown = entries.filter { !Self.shownWithItsTime($0, among: entries) }
                let edits = shown.map { entry -> [String: Any] in
                    let when = entry.clock.date
                    var edit: [String: Any] = [
                        "at": ISO8601DateFormatter().string(from: when),
                        "device": names[entry.change.replica] ?? entry.change.replica.description,
                        "edit": Self.describe(entry, among: entries, in: document),
                    ]
                    if let field = entry.operation.field { edit["field"] = field }
                    return edit
                }
                if json {
                    try printJSON(edits)
                    return
                }
                for (entry, edit) in zip(shown, edits) {
                    let when = FieldText.time(entry.clock)
                    print("\(when)  \(edit["device"]!)  \(edit["edit"]!)")
                }
            }
        }
    }

    /// Whether `entry` sets a time's UTC offset in a change that also sets the time, so the
    /// two read as one edit.
    private static func shownWithItsTime(_ entry: HistoryEntry, among entries: [HistoryEntry]) -> Bool {
        guard case .set(_, let name, _) = entry.operation, name.hasSuffix(offsetSuffix) else { return false }
        let time = String(name.dropLast(offsetSuffix.count))
        return entries.contains { $0.change == entry.change && $0.operation.field == time }
    }

    private static let offsetSuffix = "_utc_offset"

    /// What the edit did, in a few words, with values as a person reads them.
    static func describe(_ entry: HistoryEntry, among entries: [HistoryEntry], in document: Document?) -> String {
        switch entry.operation {
        case .create(_, let type): return "created (\(type))"
        case .set(_, let field, let value):
            if field.hasSuffix(offsetSuffix), case .int(let minutes) = value {
                return "\(FieldText.name(String(field.dropLast(offsetSuffix.count)))) moved to UTC\(FieldText.offset(minutes))"
            }
            let isTime = FieldText.isTime(field, in: document)
            var offset = FieldText.offset(of: field, in: document)
            for other in entries where other.change == entry.change {
                if case .set(_, field + offsetSuffix, .int(let minutes)) = other.operation, Moment.offsets.contains(Int(clamping: minutes)) {
                    offset = Int(minutes)
                }
            }
            return "\(FieldText.name(field)) = \(FieldText.value(value, isTime: isTime, offset: offset))"
        case .add(_, let field, let element): return "\(FieldText.name(field)) + \(element)"
        case .remove(_, let field, let element): return "\(FieldText.name(field)) − \(element)"
        case .increment(_, let field, let amount): return "\(FieldText.name(field)) += \(amount)"
        case .insertText(_, let field, _, let text): return "\(FieldText.name(field)): typed \"\(text)\""
        case .deleteText(_, let field, let ranges):
            let erased = ranges.reduce(0) { total, range in
                let (sum, overflow) = total.addingReportingOverflow(Int(clamping: range.count))
                return overflow ? Int.max : sum
            }
            return "\(FieldText.name(field)): erased \(plural(erased, "character"))"
        case .delete: return "deleted"
        }
    }
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
                print(
                    "The vault is sound: \(plural(report.changeCount, "change")) in \(plural(report.changeRowCount, "row")), \(report.bufferedCount) waiting for others, \(plural(report.fileBytes, "byte")).")
            }
        }
    }
}

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take back this device's last change, then the one before, and so on.",
        discussion: """
            Each undo reverts one change this device made, with a new change that syncs like any \
            edit: a record it logged is deleted, a record it deleted is back, fields it edited go \
            back to their earlier values. Run it again to go further back; `flare redo` goes \
            forward again, until a new edit. Edits from other devices are not undone here.
            """)

    @OptionGroup var vault: VaultOptions

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                print(Self.sentence(try Journal(vault: opened).undo(), redoing: false))
            }
        }
    }

    /// "Undid a change: s-k2m9x4qa is deleted; t-jyg15gta is back."
    static func sentence(_ effects: [UndoEffect], redoing: Bool) -> String {
        let verb = redoing ? "Redid" : "Undid"
        let parts = effects.map { effect -> String in
            switch effect {
            case .reverted(let id): return redoing ? "\(id) has that change's values again" : "\(id) has the values it had before that change"
            case .removed(let id): return "\(id) is deleted"
            case .restored(let id): return "\(id) is back"
            }
        }
        return parts.isEmpty ? "\(verb) a change that no longer had anything to take back." : "\(verb) a change: \(parts.joined(separator: "; "))."
    }
}

struct Redo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put back what the last `flare undo` took back (repeat to go further).",
        discussion: "Possible until a new edit is made on this device.")

    @OptionGroup var vault: VaultOptions

    func run() throws {
        try reporting {
            try vault.withVault { opened in
                print(Undo.sentence(try Journal(vault: opened).redo(), redoing: true))
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
