import FlareCRDT
import FlareStore
import Foundation
import Testing
import TestSupport

/// What another device of the vault could write that used to brick `flare` for good on every
/// device (issue 11, cases 3 and 4), tried on the built binary.
@Suite struct HostileRecordTests {
    static let passphrase = "a passphrase for tests"
    static let other = ReplicaID(high: 0x0123_4567_89AB_CDEF, low: 42)

    /// A change from another replica holding one symptom record, stamped `clock`.
    static func record(at seconds: Int64, clock: HLC, seq: UInt64 = 1, id: String = "s-hostile1") -> Change {
        Change(
            id: ChangeID(replica: other, seq: seq), clock: clock, dependencies: VersionVector(),
            operations: [
                .create(document: id, type: "symptom"), .set(document: id, field: "at", value: .int(seconds)),
                .set(document: id, field: "at_utc_offset", value: .int(0)), .set(document: id, field: "pain", value: .int(5)),
            ])
    }

    static func crashed(_ result: CLITests.Result) -> Bool { result.status > 125 || result.errors.contains("Fatal error") }

    /// A hostile clock is refused with a named problem, and the vault keeps being written; a
    /// clock merely far ahead is taken, and `flare status` says whose clock runs ahead.
    @Test func clocksFromAnotherDevice() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("journal.flare")
        #expect(try CLITests.flare(["init", "--device-name", "phone"], vault: path).status == 0)
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let twoYears: UInt64 = 2 * 365 * 86_400_000
        try Vault.open(at: path, passphrase: Self.passphrase).closing { vault in
            let report = try vault.receive([Self.record(at: 1_767_225_600, clock: HLC(milliseconds: .max, counter: .max))])
            #expect(report.rejected.count == 1)
            #expect(report.rejected.first?.reason.contains("past the end of the clock range") == true)
            let ahead = try vault.receive([Self.record(at: 1_767_225_600, clock: HLC(milliseconds: now + twoYears))])
            #expect(ahead.applied.count == 1)
        }
        for pain in ["3", "4"] {
            let logged = try CLITests.flare(["log", "--pain", pain], vault: path)
            #expect(logged.status == 0, "\(logged.errors)")
        }
        let status = try CLITests.flare(["status"], vault: path)
        #expect(status.status == 0, "\(status.errors)")
        #expect(status.output.contains("Clock: Device \(Self.other) stamps its changes 1 year"), "\(status.output)")
        let json = try #require(try CLITests.flare(["status", "--json"], vault: path).json as? [String: Any])
        let clocks = try #require(json["clocks_ahead"] as? [[String: Any]])
        #expect(clocks.first?["device"] as? String == Self.other.description)
        #expect((clocks.first?["ahead_seconds"] as? Int ?? 0) > 700 * 86_400)
        #expect(try CLITests.flare(["doctor"], vault: path).status == 0)
    }

    /// Case 4: a change whose seq does not fit the store's integers (2^63 and up), arriving
    /// out of order so that it would be buffered, is refused; the vault stays sound.
    @Test(arguments: [UInt64(1) << 63, .max])
    func changesBeyondTheLargestSeq(seq: UInt64) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("journal.flare")
        #expect(try CLITests.flare(["init"], vault: path).status == 0)
        try Vault.open(at: path, passphrase: Self.passphrase).closing { vault in
            let report = try vault.receive([Self.record(at: 1_767_225_600, clock: HLC(milliseconds: 1_767_225_600_000), seq: seq)])
            #expect(report.rejected.count == 1)
            #expect(report.buffered.isEmpty)
        }
        #expect(try CLITests.flare(["log", "--pain", "2"], vault: path).status == 0)
        #expect(try CLITests.flare(["doctor"], vault: path).status == 0)
    }

    /// Records whose times lie beyond any calendar (near Int64's ends) are shown as unreadable
    /// values; no reading command traps on them.
    @Test(arguments: [Int64.max, Int64.max - 1, Int64.min, 253_402_300_800])
    func recordTimesBeyondTheCalendar(seconds: Int64) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("journal.flare")
        #expect(try CLITests.flare(["init"], vault: path).status == 0)
        try Vault.open(at: path, passphrase: Self.passphrase).closing { vault in
            let report = try vault.receive([Self.record(at: seconds, clock: HLC(milliseconds: 1_767_225_600_000))])
            #expect(report.applied.count == 1)
        }
        for command in [["list"], ["list", "--json"], ["summary"], ["summary", "--week"], ["show", "s-hostile1"], ["export", "--format", "csv"],
            ["export", "--format", "json"], ["conflicts"], ["doctor"]]
        {
            let result = try CLITests.flare(command, vault: path)
            #expect(!Self.crashed(result), "flare \(command.joined(separator: " ")): \(result.status) \(result.errors)")
        }
    }
}
