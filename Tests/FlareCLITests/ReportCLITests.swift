import Foundation
import Testing
import TestSupport

/// `flare insights` and `flare report` on the built binary, over the demo journal, and the
/// report rendered by a real browser (headless Chromium, installed by Tools/bootstrap).
@Suite struct ReportCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let period = ["--from", "2026-08-31", "--to", "2026-11-22"]

    /// A vault holding both halves of the demo journal.
    static func demoVault(in folder: TemporaryFolder) throws -> String {
        let vault = folder.path("demo.flare")
        #expect(try CLITests.flare(["init"], vault: vault).status == 0)
        for device in ["phone", "laptop"] {
            let imported = try CLITests.flare(["import", root.appendingPathComponent("seeds/demo/\(device).json").path], vault: vault)
            #expect(imported.status == 0, "\(imported.errors)")
        }
        return vault
    }

    @Test func theInsightsFindWhatTheDemoPlanted() throws {
        let folder = try TemporaryFolder()
        let vault = try Self.demoVault(in: folder)
        let result = try CLITests.flare(["insights", "--json"] + Self.period, vault: vault)
        #expect(result.status == 0, "\(result.errors)")
        let insights = try #require(result.json as? [[String: Any]])
        func insight(_ kind: String, _ subject: String? = nil) throws -> [String: Any] {
            try #require(insights.first { $0["kind"] as? String == kind && (subject == nil || $0["subject"] as? String == subject) })
        }
        func figures(_ object: [String: Any]) -> [String: Double] { object["figures"] as? [String: Double] ?? [:] }
        // The three flare-ups came after short nights and stress, logged as suspected triggers.
        let triggers = try insight("triggers-before-flare-ups")
        #expect(triggers["enough_data"] as? Bool == true)
        #expect(figures(triggers)["flare_ups"] == 3)
        #expect(figures(triggers)["before_flare_ups.poor_sleep"] == 3)
        #expect(figures(triggers)["before_flare_ups.stress"] == 3)
        #expect((figures(triggers)["other_days.poor_sleep"] ?? 0) <= 3)
        // Short nights went with more pain the next day, and stress with more pain that day,
        // with intervals clear of zero.
        let sleep = try insight("sleep-and-next-day-pain")
        #expect(figures(sleep)["difference"].map { $0 > 1 } == true)
        #expect(figures(sleep)["interval_low"].map { $0 > 0 } == true)
        let stress = try insight("stress-and-same-day-pain")
        #expect(figures(stress)["interval_low"].map { $0 > 0 } == true)
        // After the sleep routine began, pain ran lower.
        let routine = try insight("treatment-start", "Sleep routine")
        #expect(routine["enough_data"] as? Bool == true)
        #expect(figures(routine)["pain_difference"].map { $0 < 0 } == true)
        // Treatments started on the journal's first day say why they cannot be compared.
        let walk = try insight("treatment-start", "Evening walk")
        #expect(walk["enough_data"] as? Bool == false)
        #expect((walk["sentence"] as? String)?.hasPrefix("Not enough data yet") == true)

        let text = try CLITests.flare(["insights"] + Self.period, vault: vault)
        #expect(text.status == 0)
        #expect(text.output.contains("Triggers before flare-ups\n  In the 48 hours before your 3 flare-ups"))
    }

    @Test func reportFilesAndTheirErrors() throws {
        let folder = try TemporaryFolder()
        let vault = try Self.demoVault(in: folder)
        let path = folder.path("report.html")
        let written = try CLITests.flare(["report", "--out", path, "--note", "Dose?"] + Self.period, vault: vault)
        #expect(written.status == 0, "\(written.errors)")
        #expect(written.output.contains("to \(path)"))
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("Pain journal: visit summary") && html.contains("<li>Dose?</li>"))
        // Health data: readable by this user only.
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let standardOutput = try CLITests.flare(["report", "--out", "-", "--summary-only"] + Self.period, vault: vault)
        #expect(standardOutput.status == 0 && standardOutput.output.hasPrefix("<!DOCTYPE html>"))
        #expect(!standardOutput.output.contains("<svg"))

        let reversed = try CLITests.flare(["report", "--from", "2026-11-22", "--to", "2026-08-31", "--out", path], vault: vault)
        #expect(reversed.status == 64)
        #expect(reversed.errors.contains("--from 2026-11-22 is after --to 2026-08-31"))
        let badDay = try CLITests.flare(["insights", "--from", "2026-02-30"], vault: vault)
        #expect(badDay.status != 0 && badDay.errors.contains("2026-02-30"))
        let nowhere = try CLITests.flare(["report", "--out", folder.path("missing/folder/report.html")], vault: vault)
        #expect(nowhere.status == 73, "\(nowhere.errors)")
        #expect(nowhere.errors.contains("Cannot write"))
        let empty = try CLITests.flare(["report", "--note", "  ", "--out", path], vault: vault)
        #expect(empty.status == 64)
    }

    /// Headless Chromium, as Tools/bootstrap installs it.
    static var browser: URL? {
        ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/chromium-browser"].map(URL.init(fileURLWithPath:))
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Renders `page` with the browser: a PDF when `pdf`, else a PNG screenshot.
    static func render(_ page: String, to output: String, pdf: Bool, profile: String) throws -> (status: Int32, output: String) {
        let browser = try #require(Self.browser, "headless Chromium is missing: run Tools/bootstrap")
        let target = pdf ? ["--no-pdf-header-footer", "--print-to-pdf=\(output)"] : ["--hide-scrollbars", "--window-size=900,1300", "--screenshot=\(output)"]
        return try ChildProcess.run(
            browser, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)"] + target + ["file://\(page)"])
    }

    /// The pages of a PDF Chromium wrote (its page objects are not compressed).
    static func pageCount(_ pdf: String) throws -> Int {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: pdf)), as: UTF8.self)
        return text.matches(of: try Regex("/Type\\s*/Page(?![s\\w])")).count
    }

    @Test func aBrowserPrintsTheVisitSummaryOnOnePage() throws {
        let folder = try TemporaryFolder()
        let vault = try Self.demoVault(in: folder)
        // A heavy page one: many treatments and long questions.
        for index in 1...9 {
            let added = try CLITests.flare(["treat", "--name", "Medication number \(index) with a long name", "--kind", "medication", "--dose", "\(index * 10) mg", "--schedule", "twice a day with food", "--started", "2026-09-0\(index)"], vault: vault)
            #expect(added.status == 0, "\(added.errors)")
        }
        let question = String(repeating: "Could the stiffness on waking be eased by moving the dose to the morning? ", count: 2)
        let notes = (1...8).flatMap { ["--note", "\($0). " + question] }
        let full = folder.path("report.html")
        let summary = folder.path("summary.html")
        #expect(try CLITests.flare(["report", "--out", full] + notes + Self.period, vault: vault).status == 0)
        #expect(try CLITests.flare(["report", "--summary-only", "--out", summary] + notes + Self.period, vault: vault).status == 0)
        let html = try String(contentsOfFile: summary, encoding: .utf8)
        let a4 = folder.path("summary-a4.html")
        try html.replacingOccurrences(of: "@page {", with: "@page { size: A4; ").write(toFile: a4, atomically: true, encoding: .utf8)
        let letter = folder.path("summary-letter.html")
        try html.replacingOccurrences(of: "@page {", with: "@page { size: letter; ").write(toFile: letter, atomically: true, encoding: .utf8)

        for (page, name) in [(a4, "A4"), (letter, "Letter")] {
            let pdf = folder.path("\(name).pdf")
            let rendered = try Self.render(page, to: pdf, pdf: true, profile: folder.path("profile"))
            #expect(rendered.status == 0, "\(rendered.output)")
            #expect(try Self.pageCount(pdf) == 1, "the visit summary does not fit one \(name) page")
        }
        let whole = folder.path("report.pdf")
        #expect(try Self.render(full, to: whole, pdf: true, profile: folder.path("profile")).status == 0)
        #expect(try Self.pageCount(whole) >= 4, "summary, charts, body map and insights")
        let screenshot = folder.path("page1.png")
        #expect(try Self.render(full, to: screenshot, pdf: false, profile: folder.path("profile")).status == 0)
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000)
    }
}
