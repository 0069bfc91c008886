import Foundation
import Testing
import TestSupport

/// `Tools/install --from .build/debug` into a temporary prefix (the release build it does
/// without --from is the same steps, slower): the binaries, man pages and completions land, man
/// reads the pages, a second run changes nothing, and --uninstall takes it all out.
@Suite struct InstallTests {
    static let root = CLITests.binary.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let installed = [
        "bin/flare", "share/man/man1/flare.1", "share/bash-completion/completions/flare", "share/zsh/site-functions/_flare",
        "share/fish/vendor_completions.d/flare.fish",
        "bin/flare-relay", "share/man/man1/flare-relay.1", "share/bash-completion/completions/flare-relay",
        "share/zsh/site-functions/_flare-relay", "share/fish/vendor_completions.d/flare-relay.fish",
    ]

    static func install(_ arguments: [String], home: String) throws -> (status: Int32, output: String) {
        try ChildProcess.run(
            URL(fileURLWithPath: "/bin/bash"), [root.appendingPathComponent("Tools/install").path] + arguments,
            environment: ["HOME": home, "XDG_CONFIG_HOME": "", "PATH": "/usr/bin:/bin"])
    }

    @Test func installsWhereEachToolLooksAndUninstalls() throws {
        let debug = CLITests.binary.deletingLastPathComponent()
        try #require(
            FileManager.default.isExecutableFile(atPath: debug.appendingPathComponent("generate-manual").path),
            "build generate-manual first (Tools/test does: swift build --product generate-manual)")
        let folder = try TemporaryFolder()
        let prefix = folder.path("prefix dir")
        let first = try Self.install(["--from", debug.path, "--prefix", prefix], home: folder.path("home"))
        #expect(first.status == 0, "\(first.output)")
        for file in Self.installed {
            #expect(first.output.contains("  \(prefix)/\(file)\n"), "\(file)")
            #expect(FileManager.default.fileExists(atPath: "\(prefix)/\(file)"), "\(file)")
        }
        #expect(first.output.contains("\(prefix)/bin is not on your PATH"))
        #expect(FileManager.default.isExecutableFile(atPath: "\(prefix)/bin/flare"))
        #expect(try ChildProcess.run(URL(fileURLWithPath: "\(prefix)/bin/flare-relay"), ["--version"]).status == 0)

        let page = try String(contentsOfFile: "\(prefix)/share/man/man1/flare.1", encoding: .utf8)
        #expect(page.contains(".Dt FLARE 1\n"))
        #expect(page.contains("0-10"), "the en dash as ASCII, not dropped")
        #expect(page.unicodeScalars.allSatisfy { $0.isASCII })
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/man") {
            let shown = try ChildProcess.run(
                URL(fileURLWithPath: "/usr/bin/man"), ["-l", "\(prefix)/share/man/man1/flare.1"], environment: ["MANPAGER": "cat", "MANWIDTH": "80"])
            #expect(shown.status == 0)
            #expect(shown.output.hasPrefix("FLARE(1)"), "\(shown.output.prefix(300))")
            #expect(!shown.output.contains("warning"))
            for text in ["remind", "shell-hook", "How much it helped, 0-10.", "flare-remind-ID.timer"] {
                #expect(shown.output.replacingOccurrences(of: "‐\n", with: "").contains(text), "\(text)")
            }
        }
        #expect(try String(contentsOfFile: "\(prefix)/share/bash-completion/completions/flare", encoding: .utf8).contains("complete -o filenames -F _flare flare"))
        #expect(try String(contentsOfFile: "\(prefix)/share/zsh/site-functions/_flare", encoding: .utf8).hasPrefix("#compdef flare"))
        #expect(try String(contentsOfFile: "\(prefix)/share/fish/vendor_completions.d/flare.fish", encoding: .utf8).contains("complete -c 'flare'"))

        let contents = Self.installed.map { FileManager.default.contents(atPath: "\(prefix)/\($0)") }
        let again = try Self.install(["--from", debug.path, "--prefix", prefix], home: folder.path("home"))
        #expect(again.status == 0)
        #expect(again.output == first.output)
        #expect(Self.installed.map { FileManager.default.contents(atPath: "\(prefix)/\($0)") } == contents, "the same files")

        let removed = try Self.install(["--uninstall", "--prefix", prefix], home: folder.path("home"))
        #expect(removed.status == 0)
        #expect(removed.output == Self.installed.map { "removed \(prefix)/\($0)\n" }.joined())
        #expect(Self.installed.allSatisfy { !FileManager.default.fileExists(atPath: "\(prefix)/\($0)") })
        #expect(try Self.install(["--uninstall", "--prefix", prefix], home: folder.path("home")).output == "nothing of flare's was installed in \(prefix)\n")
        #expect(try Self.install(["--prefix"], home: folder.path("home")).status == 64)
    }
}
