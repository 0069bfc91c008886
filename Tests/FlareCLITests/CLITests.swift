import Foundation
import Testing
import TestSupport

/// The built `flare` binary, run as a person or a script would, against temporary vaults.
@Suite struct CLITests {
    struct Result {
        let status: Int32
        let output: String
        let errors: String

        var json: Any? { try? JSONSerialization.jsonObject(with: Data(output.utf8)) }
    }

    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/flare")

    /// Runs `flare arguments` with the vault and passphrase in the environment.
    static func flare(
        _ arguments: [String], vault: String, passphrase: String? = "a passphrase for tests", input: String? = nil,
        environment extra: [String: String] = [:]
    ) throws -> Result {
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build flare first (Tools/test does)")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["FLARE_VAULT"] = vault
        environment["FLARE_PASSPHRASE"] = passphrase
        environment.merge(extra) { $1 }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: out, errors: err)
    }

    @Test func initJoinAndTheirErrors() throws {
        let folder = try TemporaryFolder()
        let phone = folder.path("phone/journal.flare")
        let created = try Self.flare(["init", "--device-name", "phone", "--json"], vault: phone)
        #expect(created.status == 0, "\(created.errors)")
        let object = try #require(created.json as? [String: Any])
        let code = try #require(object["pairing_code"] as? String)
        #expect((object["vault"] as? String)?.count == 32)
        #expect(object["device_name"] as? String == "phone")

        let again = try Self.flare(["init"], vault: phone)
        #expect(again.status == 73)
        #expect(again.errors == "flare: A file already exists at \(phone); open it if it is a vault, or choose another path.\n")

        let laptop = folder.path("laptop.flare")
        let joined = try Self.flare(["join", code.lowercased(), "--device-name", "laptop", "--json"], vault: laptop)
        #expect(joined.status == 0, "\(joined.errors)")
        #expect((joined.json as? [String: Any])?["vault"] as? String == object["vault"] as? String)
        #expect((joined.json as? [String: Any])?["pairing_code"] == nil)

        var typo = Array(code)
        typo[5] = typo[5] == "X" ? "Y" : "X"
        let refused = try Self.flare(["join", String(typo)], vault: folder.path("tablet.flare"))
        #expect(refused.status == 64)
        #expect(refused.errors.hasPrefix("flare: That pairing code is not right"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("tablet.flare")))

        let noPassphrase = try Self.flare(["init"], vault: folder.path("other.flare"), passphrase: nil)
        #expect(noPassphrase.status == 64)
        #expect(noPassphrase.errors.contains("FLARE_PASSPHRASE"))
    }

    @Test func logListShowAndTheirErrors() throws {
        let folder = try TemporaryFolder()
        let vault = folder.path("journal.flare")
        #expect(try Self.flare(["init", "--device-name", "phone"], vault: vault).status == 0)

        let logged = try Self.flare(
            ["log", "--pain", "6", "--region", "neck", "--region", "Lower Back", "--quality", "aching", "--fatigue", "7",
             "--note", "woke stiff", "--at", "2026-11-26 07:30", "--json"], vault: vault)
        #expect(logged.status == 0, "\(logged.errors)")
        let entry = try #require(logged.json as? [String: Any])
        let id = try #require(entry["id"] as? String)
        #expect(entry["type"] as? String == "symptom")
        #expect(entry["pain"] as? Int == 6)
        #expect(entry["regions"] as? [String] == ["lower back", "neck"])
        #expect(entry["note"] as? String == "woke stiff")

        for (arguments, message) in [
            (["log", "--pain", "11"], "flare: pain must be a whole number from 0 to 10; 11 is outside that.\n"),
            (["log", "--fatigue", "lots"], "flare: fatigue must be a whole number from 0 to 10; \"lots\" is not.\n"),
            (["log", "--region", " "], "flare: region \" \" cannot be used: it is empty.\n"),
            (["log", "--sleep-hours", "30"], "flare: sleep_hours must be from 0 to 24 hours; 30.0 is outside that.\n"),
        ] {
            let refused = try Self.flare(arguments, vault: vault)
            #expect(refused.status == 65)
            #expect(refused.errors == message)
        }

        // Guided: one question per field; a bad answer is explained and asked again.
        let guided = try Self.flare(["log", "--guided", "--json"], vault: vault, input: "\n7\nneck, hips\n\n\n11\n6\n\n\n\n\n\ny\npoor sleep\nrough night\n")
        #expect(guided.status == 0, "\(guided.errors)")
        let answered = try #require(guided.json as? [String: Any])
        #expect(answered["pain"] as? Int == 7)
        #expect(answered["regions"] as? [String] == ["left hip", "neck", "right hip"])
        #expect(answered["fatigue"] as? Int == 6)
        #expect(answered["flare"] as? Bool == true)
        #expect(answered["note"] as? String == "rough night")
        #expect(guided.errors.contains("fatigue must be a whole number from 0 to 10; 11 is outside that."))
        #expect(try Self.flare(["delete", answered["id"] as! String], vault: vault).status == 0)
        let nothing = try Self.flare(["log"], vault: vault)
        #expect(nothing.status == 64)
        #expect(nothing.errors == "flare: Give at least one field (e.g. --pain 6), or answer questions with `flare log --guided`.\n")

        let listed = try Self.flare(["list", "--json"], vault: vault)
        let records = try #require(listed.json as? [[String: Any]])
        #expect(records.count == 1, "a refused entry writes nothing")
        #expect(records.first?["id"] as? String == id)
        #expect(try Self.flare(["list", "--region", "hips", "--json"], vault: vault).output == "[]\n")
        #expect(try Self.flare(["list", "--type", "nonsense"], vault: vault).status == 64)
        let human = try Self.flare(["list"], vault: vault)
        #expect(human.output.hasPrefix("2026-11-26 07:30  \(id)  symptom"))

        let shown = try Self.flare(["show", id, "--json"], vault: vault)
        #expect((shown.json as? [String: Any])?["qualities"] as? [String] == ["aching"])
        let missing = try Self.flare(["show", "s-nothere0"], vault: vault)
        #expect(missing.status == 66)
        #expect(missing.errors == "flare: No record with id s-nothere0; `flare list` shows the ids.\n")

        let wrong = try Self.flare(["list"], vault: vault, passphrase: "not the passphrase")
        #expect(wrong.status == 77)
        let none = try Self.flare(["list"], vault: folder.path("none.flare"))
        #expect(none.status == 66)
        #expect(none.errors.contains("run `flare init`"))

        let file = folder.path("passphrase.txt")
        try Data("a passphrase for tests\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try Self.flare(["list", "--passphrase-file", file], vault: vault, passphrase: nil).status == 0)
    }
}

extension TerminalSession {
    /// `flare arguments` on a terminal of its own, as a person runs it, with the vault in
    /// `$FLARE_VAULT` and without `$FLARE_PASSPHRASE` unless `environment` gives one.
    convenience init(_ folder: TemporaryFolder, vault: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let variables = environment.merging(["FLARE_VAULT": vault]) { $1 }.map { "\($0.key)=\(Self.quoted($0.value))" }
        let command = (["env", "-u", "FLARE_PASSPHRASE"] + variables + [Self.quoted(CLITests.binary.path)] + arguments.map(Self.quoted))
            .joined(separator: " ")
        try self.init(command, in: folder)
    }
}

/// An open `flare-relay` process in a new folder, for tests that sync the built binaries.
struct OpenRelay {
    let folder: TemporaryFolder
    let process: RelayProcess
    /// HOST:PORT, as `flare sync --relay` takes it.
    var address: String { "127.0.0.1:\(process.port)" }

    init() throws {
        try #require(FileManager.default.isExecutableFile(atPath: RelayProcess.binary.path), "build flare-relay first (Tools/test does)")
        folder = try TemporaryFolder()
        process = try RelayProcess(data: folder.path("relay"), arguments: ["--open"])
    }

    /// Creates a vault at `path` (`flare init --json`, with `arguments`) and returns its pairing code.
    func initVault(_ path: String, _ arguments: [String] = []) throws -> String {
        let created = try CLITests.flare(["init", "--json"] + arguments, vault: path)
        return try #require((created.json as? [String: Any])?["pairing_code"] as? String, "\(created.errors)")
    }
}
