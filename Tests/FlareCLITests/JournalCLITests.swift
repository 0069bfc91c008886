import Foundation
import Testing
import TestSupport

/// The journal's vocabulary and dose history on the built `flare`: region words, dose changes
/// through `flare edit`, and treatments named in `flare list` and the CSV.
@Suite struct JournalCLITests {
    static func flare(_ arguments: [String], vault: String, input: String? = nil) throws -> CLITests.Result {
        try CLITests.flare(arguments, vault: vault, input: input)
    }

    static func object(_ result: CLITests.Result) throws -> [String: Any] {
        try #require(result.json as? [String: Any], "\(result.status) \(result.errors)")
    }

    /// Aliases are stored as the regions they mean; an unknown word is refused with the
    /// nearest known one unless --new-region says it is meant; editing is held to the same.
    @Test func regionWordsAreCheckedAndStoredCanonically() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)

        let logged = try Self.object(try Self.flare(
            ["log", "--pain", "5", "--region", "Shoulders", "--region", "left thigh", "--region", "knees", "--json"], vault: vault))
        #expect(logged["regions"] as? [String] == ["knees", "left shoulder girdle", "left upper leg", "right shoulder girdle"])

        let typo = try Self.flare(["log", "--pain", "5", "--region", "neck", "--region", "sholders"], vault: vault)
        #expect(typo.status == 65)
        #expect(typo.errors
            == "flare: Unknown region \"sholders\"; did you mean \"shoulders\"? Use --new-region \"sholders\" to log it as a new region.\n")
        let far = try Self.flare(["log", "--region", "Elbow"], vault: vault)
        #expect(far.status == 65)
        #expect(far.errors
            == "flare: Unknown region \"elbow\"; `flare log --help` lists the regions. Use --new-region \"elbow\" to log it as a new region.\n")
        #expect(try Self.flare(["log", "--new-region", " "], vault: vault).status == 65)

        let new = try Self.object(try Self.flare(["log", "--region", "neck", "--new-region", "Elbow", "--json"], vault: vault))
        #expect(new["regions"] as? [String] == ["elbow", "neck"])
        let id = try #require(new["id"] as? String)
        #expect(try Self.flare(["edit", id, "--region", "wrsit"], vault: vault).status == 65)
        let edited = try Self.object(try Self.flare(["edit", id, "--region", "hips", "--json"], vault: vault))
        #expect(edited["regions"] as? [String] == ["left hip", "right hip"])

        // Guided: an unknown word is named and logged only when confirmed; "n" asks again.
        let guided = try Self.flare(
            ["log", "--guided", "--json"], vault: vault, input: "\n4\nneck, ankle\nn\nneck, ankle\ny\n\n\n\n\n\n\n\n\n\n")
        #expect(guided.status == 0, "\(guided.errors)")
        #expect(try Self.object(guided)["regions"] as? [String] == ["ankle", "neck"])
        #expect(guided.errors.components(separatedBy: "\"ankle\" is not a region Flare knows. Log it as a new region? y/n").count == 3)
        let nearly = try Self.flare(["log", "--guided", "--json"], vault: vault, input: "\n4\nnekc\ny\n")
        #expect(try Self.object(nearly)["regions"] as? [String] == ["nekc"])
        #expect(nearly.errors.contains("\"nekc\" is not a region Flare knows (did you mean \"neck\"?). Log it as a new region? y/n"))

        let help = try Self.flare(["log", "--help"], vault: vault)
        #expect(help.output.contains("--new-region"))
        #expect(help.output.contains("right shoulder girdle"))
    }

    /// `flare list --region` finds entries by the regions their words mean, old free words
    /// (imported leniently, as the person's own data) and canonical ones alike.
    @Test func listFiltersRegionsByMeaning() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)
        let old: [String: Any] = ["records": [
            ["id": "s-old00001", "type": "symptom", "at": "2026-11-20T08:00:00+01:00", "regions": ["shoulders", "thighs"]],
            ["id": "s-old00002", "type": "symptom", "at": "2026-11-21T08:00:00+01:00", "regions": ["sholders", "widespread"]],
        ]]
        try JSONSerialization.data(withJSONObject: old).write(to: URL(fileURLWithPath: folder.path("old.json")))
        let imported = try Self.flare(["import", folder.path("old.json")], vault: vault)
        #expect(imported.status == 0, "\(imported.errors)")
        let canonical = try #require(try Self.object(try Self.flare(
            ["log", "--at", "2026-11-22 08:00", "--region", "left shoulder", "--json"], vault: vault))["id"] as? String)
        let hips = try #require(try Self.object(try Self.flare(
            ["log", "--at", "2026-11-23 08:00", "--region", "right hip", "--json"], vault: vault))["id"] as? String)

        func found(_ region: String) throws -> [String] {
            let listed = try Self.flare(["list", "--region", region, "--json"], vault: vault)
            return try #require(listed.json as? [[String: Any]], "\(listed.errors)").compactMap { $0["id"] as? String }
        }
        #expect(try found("shoulders") == ["s-old00001", canonical])
        #expect(try found("right shoulder girdle") == ["s-old00001"])
        #expect(try found("left upper leg") == ["s-old00001"])
        #expect(try found("HIPS") == [hips])
        #expect(try found("widespread") == ["s-old00002"])
        #expect(try found("sholders") == ["s-old00002"])
        let none = try Self.flare(["list", "--region", "kneez"], vault: vault)
        #expect(none.output == "Nothing logged that matches yet. (\"kneez\" is not a region Flare knows; did you mean \"knees\"?)\n")
    }

    /// A new dose through `flare edit` is a dated dose change in the timeline, the history and
    /// the exports; a JSON export carries it to another vault unchanged.
    @Test func doseChangesThroughEditListAndExport() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)
        let treatment = try #require(try Self.object(try Self.flare(
            ["treat", "--kind", "medication", "--name", "Amitriptyline", "--dose", "10 mg", "--started", "2026-11-01", "--json"],
            vault: vault))["id"] as? String)
        let first = try #require(try Self.object(try Self.flare(
            ["took", treatment, "--effect", "6", "--at", "2026-11-10 22:00", "--json"], vault: vault))["id"] as? String)

        let raised = try Self.flare(["edit", treatment, "--dose", "25 mg", "--at", "2026-11-15 09:00"], vault: vault)
        #expect(raised.status == 0, "\(raised.errors)")
        let change = try #require(raised.output.split(separator: " ").last.map { String($0.dropLast(2)) })
        #expect(raised.output == "Updated \(treatment); dose 10 mg → 25 mg from 2026-11-15, as \(change).\n")
        #expect(change.hasPrefix("dc-"))
        let second = try #require(try Self.object(try Self.flare(
            ["took", "amitriptyline", "--at", "2026-11-16 22:00", "--json"], vault: vault))["id"] as? String)
        #expect(try Self.flare(["edit", treatment, "--dose", "25 mg"], vault: vault).output == "Nothing to change in \(treatment).\n")
        let undated = try Self.flare(["edit", treatment, "--at", "2026-11-15"], vault: vault)
        #expect(undated.status == 64)
        #expect(undated.errors == "flare: --at dates a dose change; give the new --dose with it.\n")
        #expect(try Self.flare(["edit", treatment, "--dose", "50 mg", "--at", "someday"], vault: vault).status == 65)

        let lines = try Self.flare(["list"], vault: vault).output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[1] == "2026-11-10 22:00  \(first)  treatment-event  taken Amitriptyline 10 mg, effect 6")
        #expect(lines[2] == "2026-11-15 09:00  \(change)  dose-change      Amitriptyline 10 mg → 25 mg")
        #expect(lines[3] == "2026-11-16 22:00  \(second)  treatment-event  taken Amitriptyline 25 mg")
        let listed = try #require(try Self.flare(["list", "--type", "dose-change", "--json"], vault: vault).json as? [[String: Any]])
        #expect(listed.count == 1)
        #expect(listed.first?["from"] as? String == "10 mg")
        #expect(listed.first?["dose"] as? String == "25 mg")
        #expect(listed.first?["treatment"] as? String == treatment)
        let shown = try Self.flare(["show", change], vault: vault).output
        #expect(shown.contains("treatment: Amitriptyline (\(treatment))\n"))
        #expect(shown.contains("from: 10 mg\n") && shown.contains("dose: 25 mg\n"))

        let exported = try Self.flare(["export", "--output", folder.path("export.json")], vault: vault)
        #expect(exported.status == 0)
        let other = folder.path("other.flare")
        #expect(try Self.flare(["init"], vault: other).status == 0)
        #expect(try Self.flare(["import", folder.path("export.json")], vault: other).output
            == "Imported 4 new records; 0 updated, 0 already as in the file.\n")
        #expect(try Self.flare(["export"], vault: other).output == (try String(contentsOfFile: folder.path("export.json"), encoding: .utf8)))
        #expect(try Self.flare(["list"], vault: other).output == (try Self.flare(["list"], vault: vault).output))

        // Undoing a dose edit takes its dose change with it.
        #expect(try Self.flare(["edit", treatment, "--dose", "50 mg"], vault: vault).status == 0)
        #expect(try Self.flare(["undo"], vault: vault).status == 0)
        #expect(try Self.object(try Self.flare(["show", treatment, "--json"], vault: vault))["dose"] as? String == "25 mg")
        #expect((try Self.flare(["list", "--type", "dose-change", "--json"], vault: vault).json as? [[String: Any]])?.count == 1)
    }

    /// The CSV names each treatment beside its id and is in time order, as `flare list`.
    @Test func csvNamesTreatmentsInTimeOrder() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init"], vault: vault).status == 0)
        _ = try Self.flare(["log", "--at", "2026-11-20 08:00", "--pain", "6"], vault: vault)
        let walk = try #require(try Self.object(try Self.flare(
            ["treat", "--kind", "gentle movement", "--name", "Evening walk, short", "--started", "2026-11-02", "--json"], vault: vault))["id"] as? String)
        _ = try Self.flare(["took", walk, "--status", "done", "--at", "2026-11-21 19:00"], vault: vault)
        _ = try Self.flare(["log", "--at", "2026-11-03 08:00", "--pain", "3"], vault: vault)
        _ = try Self.flare(["took", walk, "--status", "skipped", "--at", "2026-11-19 19:00"], vault: vault)

        let csv = try Self.flare(["export", "--format", "csv"], vault: vault).output
        let rows = csv.components(separatedBy: "\r\n").dropLast()
        let header = rows.first?.split(separator: ",").map(String.init) ?? []
        let treatmentColumn = try #require(header.firstIndex(of: "treatment"))
        #expect(header[treatmentColumn + 1] == "treatment_name")
        let atColumn = try #require(header.firstIndex(of: "at"))
        let typeColumn = try #require(header.firstIndex(of: "type"))
        let cells = rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(cells.map { $0[typeColumn] } == ["treatment", "symptom", "treatment-event", "symptom", "treatment-event"])
        #expect(cells.map { String($0[atColumn].prefix(10)) } == ["", "2026-11-03", "2026-11-19", "2026-11-20", "2026-11-21"])
        #expect(rows.filter { $0.contains("treatment-event") }.allSatisfy { $0.contains(",\(walk),\"Evening walk, short\"") })

        let list = try Self.flare(["list", "--type", "treatment-event"], vault: vault).output
        #expect(list.contains("treatment-event  skipped Evening walk, short\n"))
        #expect(list.contains("treatment-event  done Evening walk, short\n"))
    }
}
