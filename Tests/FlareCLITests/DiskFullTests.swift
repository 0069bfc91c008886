import Foundation
import Testing
import TestSupport

/// A small filesystem (a tmpfs the test mounts) under the relay's data and under a vault: a
/// full disk is said plainly, with exit 73, nothing acknowledged is lost, and syncing resumes
/// once there is space (issue 11).
@Suite(.serialized) struct DiskFullTests {
    /// A tmpfs of `kilobytes` mounted on a new folder; unmounted by `unmount()`.
    struct SmallDisk {
        let path: String

        init(in folder: TemporaryFolder, name: String, kilobytes: Int) throws {
            path = folder.path(name)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Self.mount(["-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0700", "tmpfs", path])
        }

        /// Gives the filesystem more room, as an operator freeing space would.
        func grow(toKilobytes kilobytes: Int) throws {
            try Self.mount(["-o", "remount,size=\(kilobytes)k", path])
        }

        func unmount() {
            _ = try? Self.run("/bin/umount", ["-l", path])
        }

        static func mount(_ arguments: [String]) throws {
            let status = try run("/bin/mount", arguments)
            guard status == 0 else { throw CocoaError(.fileWriteNoPermission) }
        }

        static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// Whether this machine lets the tests mount a tmpfs (root, as in CI and the sessions).
        static let available: Bool = {
            guard getuid() == 0, let folder = try? TemporaryFolder() else { return false }
            guard let disk = try? SmallDisk(in: folder, name: "probe", kilobytes: 64) else { return false }
            disk.unmount()
            return true
        }()
    }

    static func flare(_ arguments: [String], vault: String) throws -> CLITests.Result {
        try CLITests.flare(arguments, vault: vault)
    }

    @Test(.enabled(if: SmallDisk.available, "needs root to mount a tmpfs"))
    func aRelayWhoseDiskFillsSaysSoAndLosesNothing() throws {
        try #require(FileManager.default.isExecutableFile(atPath: RelayProcess.binary.path), "build flare-relay first (Tools/test does)")
        let folder = try TemporaryFolder()
        let disk = try SmallDisk(in: folder, name: "relay-disk", kilobytes: 512)
        defer { disk.unmount() }
        let relay = try RelayProcess(data: disk.path + "/data", arguments: ["--open"])
        let address = "127.0.0.1:\(relay.port)"
        let phone = folder.path("phone.flare")
        let laptop = folder.path("laptop.flare")
        let created = try Self.flare(["init", "--device-name", "phone", "--json"], vault: phone)
        let code = try #require((created.json as? [String: Any])?["pairing_code"] as? String)
        #expect(try Self.flare(["join", code, "--device-name", "laptop"], vault: laptop).status == 0)
        #expect(try Self.flare(["sync", "--relay", address], vault: phone).status == 0)
        #expect(try Self.flare(["sync", "--relay", address], vault: laptop).status == 0)

        // Batches of entries, synced one after the other until the relay's disk is full.
        var full: CLITests.Result?
        for batch in 0..<12 where full == nil {
            let file = folder.path("batch\(batch).json")
            try SyncCLITests.records(1500, prefix: "f\(batch)").write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try Self.flare(["import", file], vault: phone).status == 0)
            let synced = try Self.flare(["sync"], vault: phone)
            if synced.status != 0 { full = synced }
        }
        let refused = try #require(full, "the relay's disk never filled")
        #expect(refused.status == 73, "\(refused.output) \(refused.errors)")
        #expect(refused.errors.contains("The relay's disk is full"), "\(refused.errors)")
        let log = try String(contentsOfFile: relay.logPath, encoding: .utf8)
        #expect(log.contains("storage failed") && log.contains("SQLite error 13"), "\(log)")
        // What the relay acknowledged before it filled is there for the laptop.
        let partial = try Self.flare(["sync"], vault: laptop)
        #expect(partial.status == 0 || partial.status == 73, "\(partial.errors)")

        // Space is freed: both sync to the end and hold the same journal.
        try disk.grow(toKilobytes: 65_536)
        let resumed = try Self.flare(["sync"], vault: phone)
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(try Self.flare(["sync"], vault: laptop).status == 0)
        #expect(try Self.flare(["sync"], vault: phone).status == 0)
        let phoneExport = try Self.flare(["export", "--format", "json"], vault: phone).output
        let laptopExport = try Self.flare(["export", "--format", "json"], vault: laptop).output
        #expect(phoneExport == laptopExport)
        #expect(phoneExport.contains("stiff after rest, eased with a walk 1499"))
        for vault in [phone, laptop] {
            let doctor = try Self.flare(["doctor"], vault: vault)
            #expect(doctor.status == 0, "\(doctor.output) \(doctor.errors)")
        }
        relay.stop()
    }

    @Test(.enabled(if: SmallDisk.available, "needs root to mount a tmpfs"))
    func aDeviceWhoseDiskFillsSaysSoAndLosesNothing() throws {
        let folder = try TemporaryFolder()
        let disk = try SmallDisk(in: folder, name: "device-disk", kilobytes: 512)
        defer { disk.unmount() }
        let vault = disk.path + "/journal.flare"
        #expect(try Self.flare(["init", "--device-name", "phone"], vault: vault).status == 0)
        #expect(try Self.flare(["log", "--pain", "4", "--note", "before the disk filled"], vault: vault).status == 0)
        // Batches of entries imported one after the other until the disk is full.
        var full: CLITests.Result?
        var refusedFile = ""
        for batch in 0..<12 where full == nil {
            refusedFile = folder.path("batch\(batch).json")
            try SyncCLITests.records(1500, prefix: "d\(batch)").write(toFile: refusedFile, atomically: true, encoding: .utf8)
            let imported = try Self.flare(["import", refusedFile], vault: vault)
            if imported.status != 0 { full = imported }
        }
        let refused = try #require(full, "the disk never filled")
        #expect(refused.status == 73, "\(refused.output) \(refused.errors)")
        #expect(refused.errors.contains("The disk holding the vault is full"), "\(refused.errors)")
        // Nothing stored before is lost, and the vault is sound.
        let doctor = try Self.flare(["doctor"], vault: vault)
        #expect(doctor.status == 0, "\(doctor.output) \(doctor.errors)")
        #expect(try Self.flare(["list"], vault: vault).output.contains("before the disk filled"))
        try disk.grow(toKilobytes: 65_536)
        let imported = try Self.flare(["import", refusedFile], vault: vault)
        #expect(imported.status == 0, "\(imported.errors)")
        #expect(try Self.flare(["doctor"], vault: vault).status == 0)
    }
}
