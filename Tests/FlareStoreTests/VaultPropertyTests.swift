import FlareCRDT
import Foundation
import PropertyBased
import Testing
import TestSupport
import ToolSupport

@testable import FlareStore

/// Random histories against the vault: local edits, refused edits, changes from another device
/// delivered late and out of order, compactions and reopenings in any mix. After every step the
/// vault holds exactly the state of an in-memory replica fed the same changes, and at the end its
/// integrity check passes and its log holds every change.
@Suite struct VaultPropertyTests {
    static let documents = ["d0", "d1", "d2"]

    /// A random edit of `replica`'s state; it may be one the builder refuses.
    static func edit(_ change: inout ChangeBuilder, on state: Replica, _ random: inout SplitMix64) throws {
        let id = documents.randomElement(using: &random)!
        guard state.documents[id] != nil else {
            try change.create(id, type: "symptom")
            return
        }
        switch random.next() % 6 {
        case 0: try change.set(id, "pain", to: .int(Int64(random.next() % 11)))
        case 1: try change.add(id, "regions", ["neck", "hips", "lower back"].randomElement(using: &random)!)
        case 2: try change.remove(id, "regions", "neck")
        case 3: try change.insertText(id, "note", at: 0, "stiff ")
        case 4: try change.delete(id)
        default: try change.set(id, "pain", to: .string("bad"))
        }
    }

    @Test func theVaultMatchesAnInMemoryReplica() async throws {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            failOnError("seed \(seed)") {
                var random = SplitMix64(state: seed)
                let folder = try TemporaryFolder()
                let path = folder.path("v.flare")
                var vault = try Fixture.vault(at: path)
                var reference = Replica(id: vault.replicaID)
                var laptop = Replica(id: ReplicaID(high: 0x1A, low: seed))
                var undelivered: [Change] = []
                var clock: UInt64 = 1_000
                var log: [String] = []
                for step in 0..<60 {
                    clock += 1000
                    let wall = clock
                    vault.wallClock = { wall }
                    switch random.next() % 10 {
                    case 0, 1, 2:
                        let before = vault.replica.snapshot.encoded()
                        do {
                            let change = try vault.makeChange { try Self.edit(&$0, on: reference, &random) }
                            #expect(try reference.receive(change) == .applied([change.id]))
                            log.append("\(step): local \(change.id)")
                        } catch is EditError {
                            #expect(vault.replica.snapshot.encoded() == before, "a refused edit changed the vault")
                            log.append("\(step): refused edit")
                        }
                    case 3, 4:
                        let laptopState = laptop
                        if let change = try? laptop.makeChange(wallMilliseconds: wall + 3, { try Self.edit(&$0, on: laptopState, &random) }) {
                            undelivered.append(change)
                            log.append("\(step): laptop \(change.id)")
                        }
                    case 5:
                        let count = Int(random.next() % UInt64(undelivered.count + 1))
                        let sent = Array(undelivered.shuffled(using: &random).prefix(count))
                        undelivered.removeAll { sent.map(\.id).contains($0.id) }
                        let report = try vault.receive(sent + sent.prefix(1))
                        for change in sent { _ = try reference.receive(change) }
                        #expect(report.rejected.isEmpty)
                        log.append("\(step): delivered \(sent.map(\.id))")
                    case 6:
                        for change in try vault.changes(notIn: laptop.versionVector) { _ = try laptop.receive(change) }
                        log.append("\(step): laptop synced")
                    case 7:
                        try vault.compact()
                        log.append("\(step): compact")
                    case 8:
                        // On another thread; a later write, compact or close stores it.
                        if vault.compactionJob == nil { _ = try vault.startCompaction() }
                        log.append("\(step): compaction started")
                    default:
                        try vault.close()
                        vault = try Vault.open(at: path, passphrase: Fixture.passphrase)
                        log.append("\(step): reopen")
                    }
                    #expect(vault.replica.snapshot.encoded() == reference.snapshot.encoded(), "seed \(seed): \(log.joined(separator: "; "))")
                    #expect(vault.replica.bufferedChangeIDs == reference.bufferedChangeIDs, "seed \(seed): \(log.joined(separator: "; "))")
                }
                let report = try vault.verifyIntegrity()
                #expect(report.bufferedCount == reference.bufferedCount)
                // Both in a causal order, not necessarily the same one.
                #expect(try vault.changes().sorted { $0.id < $1.id } == reference.changes().sorted { $0.id < $1.id }, "seed \(seed)")
                try vault.close()
            }
        }
    }
}
