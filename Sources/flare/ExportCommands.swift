import ArgumentParser
import FlareJournal
import FlareStore
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the journal as JSON or CSV, or all its changes for another device of this vault.",
        discussion: """
            json: every record, sorted by type and id, each with its id, type and fields. Two devices \
            holding the same journal print the same bytes, so it doubles as a convergence check.
            csv: the same records as one table, in time order, with each treatment's name in \
            treatment_name beside its id.
            changes: an encrypted file of every change (needs --output); `flare import` on another \
            device of this vault merges it without conflicts.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, csv, changes
    }

    @OptionGroup var vault: VaultOptions
    @Option(help: "json, csv or changes.") var format: Format = .json
    @Option(help: "Write to this file instead of standard output.") var output: String?

    func run() throws {
        try reporting {
            if format == .changes, output == nil { throw CLIError.usage("--format changes writes a binary file; give it --output FILE.") }
            try vault.withVault { opened in
                let text: String
                switch format {
                case .changes:
                    let summary = try opened.exportChanges(to: output!)
                    print("Exported \(plural(summary.changeCount, "change")) (\(plural(summary.byteCount, "byte"))) to \(output!).")
                    return
                case .json: text = try Self.json(Journal(vault: opened)) + "\n"
                case .csv: text = Self.csv(Journal(vault: opened))
                }
                if let output {
                    do {
                        try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                    } catch {
                        throw CLIError.cannotCreate("Cannot write \(output): \(error.localizedDescription)")
                    }
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }

    /// Every journal record as JSON objects, sorted by type, then id.
    static func records(_ journal: Journal) -> [[String: Any]] {
        journal.timeline().map(\.jsonObject).sorted {
            ($0["type"] as! String, $0["id"] as! String) < ($1["type"] as! String, $1["id"] as! String)
        }
    }

    static func json(_ journal: Journal) throws -> String {
        let data = try JSONSerialization.data(
            withJSONObject: ["records": records(journal)], options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// One row per record, in time order (as `flare list`); columns `id`, `type`, then every
    /// field name in order, `treatment_name` following `treatment`. Lists are joined with "; ".
    /// Quoted as RFC 4180 says.
    static func csv(_ journal: Journal) -> String {
        let treatments = journal.treatments()
        let rows = journal.timeline().map { item in
            var row = item.jsonObject
            if let treatment = row["treatment"] as? String { row["treatment_name"] = treatments.name(of: treatment) }
            return row
        }
        let fields = Set(rows.flatMap(\.keys)).subtracting(["id", "type"]).sorted()
        let columns = ["id", "type"] + fields
        func cell(_ value: Any?) -> String {
            let text: String
            switch value {
            case nil: text = ""
            case let list as [String]: text = list.joined(separator: "; ")
            case let flag as Bool: text = flag ? "true" : "false"
            case let value?: text = "\(value)"
            }
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var lines = [columns.joined(separator: ",")]
        for row in rows { lines.append(columns.map { cell(row[$0]) }.joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge a file into this vault: a changes file from another device of it, or a JSON export.",
        discussion: """
            changes (`flare export --format changes`): merged without conflicts; a damaged, cut or \
            foreign file is refused whole.
            JSON (`flare export --format json`): each record is added, or updated to the file's \
            values, keeping its id; every value is checked first and one bad record refuses the \
            whole file. Importing the same file twice changes nothing.
            """)

    @OptionGroup var vault: VaultOptions
    @Argument(help: "The file.") var file: String

    func run() throws {
        try reporting {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError.usage("Cannot read \(file).") }
            try vault.withVault { opened in
                if data.prefix(3) == Data("FLX".utf8) {
                    let journal = Journal(vault: opened)
                    let baseline = journal.baseline()
                    let report = try opened.importChanges(from: file)
                    print(
                        "Imported \(plural(report.applied.count, "change")); \(report.duplicates.count) \(report.duplicates.count == 1 ? "was" : "were") already here, \(report.buffered.count) \(report.buffered.count == 1 ? "waits" : "wait") for changes not yet here.")
                    for rejection in report.rejected { print("refused \(rejection.change): \(rejection.reason)") }
                    for line in try journal.news(since: baseline).lines(in: opened.replica, names: journal.deviceNames()) { print(line) }
                    return
                }
                let export: Any
                do {
                    export = try JSONSerialization.jsonObject(with: data)
                } catch {
                    throw CLIError.usage("\(file) is neither a changes file nor JSON.")
                }
                let result = try Journal(vault: opened).importRecords(export)
                print("Imported \(plural(result.added, "new record")); \(result.updated) updated, \(result.unchanged) already as in the file.")
            }
        }
    }
}
