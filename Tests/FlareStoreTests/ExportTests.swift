import FlareBytes
import FlareCRDT
import FlareCrypto
import Foundation
import Testing
import TestSupport

@testable import FlareStore

@Suite struct ExportTests {
    @Test func anExportMovesTheJournalToAnotherDeviceOfTheVault() throws {
        let folder = try TemporaryFolder()
        let phone = try Fixture.vault(at: folder.path("phone.flare"))
        let laptop = try Fixture.vault(at: folder.path("laptop.flare"), joining: try VaultSecret(pairingCode: phone.pairingCode))
        try Fixture.entry("e1", pain: 6, in: phone)
        try Fixture.entry("e2", pain: 3, in: laptop)
        // The phone also holds a change still waiting for its dependency.
        var tablet = Replica(id: ReplicaID(high: 7, low: 7))
        let first = try tablet.makeChange(wallMilliseconds: 1) { try $0.create("t1", type: "symptom") }
        let second = try tablet.makeChange(wallMilliseconds: 2) { try $0.set("t1", "pain", to: .int(2)) }
        _ = try phone.receive([second])

        let file = folder.path("journal.flx")
        let summary = try phone.exportChanges(to: file)
        #expect(summary.changeCount == 2)
        let report = try laptop.importChanges(from: file)
        #expect(report.applied == [ChangeID(replica: phone.replicaID, seq: 1)])
        #expect(report.buffered == [second.id])
        #expect(try laptop.importChanges(from: file).duplicates.count == 2)

        _ = try laptop.receive([first])
        _ = try phone.receive([first])
        _ = try phone.receive(try laptop.changes(notIn: phone.replica.versionVector))
        #expect(laptop.replica.snapshot.encoded() == phone.replica.snapshot.encoded())
        #expect(laptop.replica.bufferedCount == 0)
        // The file holds no plaintext.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(bytes.range(of: Data("symptom".utf8)) == nil)
        try phone.close()
        try laptop.close()
    }

    @Test func damagedForeignOrCutFilesAreRefusedWhole() throws {
        let folder = try TemporaryFolder()
        let phone = try Fixture.vault(at: folder.path("phone.flare"))
        // Enough changes for two chunks.
        try phone.write { batch in
            for index in 0...ExportFile.changesPerChunk {
                try batch.makeChange(wallMilliseconds: UInt64(index + 1)) { change in
                    try change.create("e\(index)", type: "symptom")
                    try change.set("e\(index)", "pain", to: .int(Int64(index % 11)))
                }
            }
        }
        let file = folder.path("journal.flx")
        try phone.exportChanges(to: file)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let laptop = try Fixture.vault(at: folder.path("laptop.flare"), joining: try VaultSecret(pairingCode: phone.pairingCode))
        let stranger = try Fixture.vault(at: folder.path("stranger.flare"))

        func refused(_ bytes: [UInt8], by vault: Vault, saying words: String? = nil) throws {
            let damaged = folder.path("damaged.flx")
            try Data(bytes).write(to: URL(fileURLWithPath: damaged))
            do {
                _ = try vault.importChanges(from: damaged)
                Issue.record("a bad export was imported")
            } catch let StoreError.invalidExport(reason) {
                #expect(words.map { reason.contains($0) } ?? !reason.isEmpty, "\(reason)")
            }
            #expect(try vault.changes().isEmpty)
        }
        try refused(bytes, by: stranger, saying: "belongs to vault \(phone.vaultID)")
        try refused(Array(bytes.prefix(bytes.count - 1)), by: laptop)
        try refused(Array(bytes.prefix(10)), by: laptop, saying: "not a Flare export")
        try refused(Array("hello".utf8), by: laptop, saying: "not a Flare export")
        var flipped = bytes
        flipped[bytes.count - 20] ^= 0x40
        try refused(flipped, by: laptop, saying: "chunk 1 of the file is damaged")
        try refused(bytes + [0], by: laptop, saying: "unexpected bytes after its last chunk")
        // Cut after the first chunk: authentic, but the last chunk is missing.
        let firstChunkEnd = try Self.endOfFirstChunk(bytes)
        try refused(Array(bytes.prefix(firstChunkEnd)), by: laptop, saying: "incomplete")
        // Every truncation is refused.
        for length in stride(from: 0, to: bytes.count, by: 997) {
            try refused(Array(bytes.prefix(length)), by: laptop)
        }
        #expect(throws: StoreError.invalidExport("cannot read \(folder.path("missing.flx"))")) {
            try laptop.importChanges(from: folder.path("missing.flx"))
        }
        #expect(try laptop.importChanges(from: file).applied.count == ExportFile.changesPerChunk + 1)
        try phone.close()
        try laptop.close()
        try stranger.close()
    }

    static func endOfFirstChunk(_ bytes: [UInt8]) throws -> Int {
        var reader = ByteReader(bytes)
        _ = try reader.raw(4 + VaultID.byteCount)
        _ = try reader.byte()
        _ = try reader.raw(try reader.count())
        return reader.position
    }
}
