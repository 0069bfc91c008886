import FlareCRDT
import FlareCrypto
import FlareWire

/// Sealing runs of changes into envelopes and opening them (Protocol/PROTOCOL.md §3): the
/// plaintext is a change batch (FLC), sealed under the vault's data key and bound to the vault,
/// the replica and the seq range, so the relay cannot move an envelope to another vault or
/// relabel its range unnoticed.
public enum EnvelopeSealing {
    /// Seals `changes`, which must be consecutive changes of one replica (`consecutiveRuns()`).
    public static func seal(_ changes: some Collection<Change>, vault: VaultID, key: SealingKey) -> Envelope {
        let first = changes.first!.id
        let last = first.seq + UInt64(changes.count) - 1
        let replica = WireID(first.replica.bytes)!
        let sealed = key.seal(ChangeCodec.encode(Array(changes)), associatedData: associatedData(vault: vault, replica: replica, first: first.seq, last: last))
        // Envelope's own checks hold by construction: seqs from 1, a non-empty box.
        return try! Envelope(replica: replica, firstSeq: first.seq, lastSeq: last, sealed: sealed)
    }

    /// Opens an envelope and checks it holds exactly the changes its label names.
    public static func open(_ envelope: Envelope, vault: VaultID, key: SealingKey) throws(SyncError) -> [Change] {
        let plaintext: [UInt8]
        do {
            plaintext = try key.open(
                envelope.sealed,
                associatedData: associatedData(vault: vault, replica: envelope.replica, first: envelope.firstSeq, last: envelope.lastSeq))
        } catch {
            throw .badEnvelope(envelope.label, "it does not authenticate under this vault's key (altered, relabelled or from another vault)")
        }
        let changes: [Change]
        do {
            changes = try ChangeCodec.decode(plaintext)
        } catch {
            throw .badEnvelope(envelope.label, "it authenticates but does not decode: \(error)")
        }
        guard let replica = ReplicaID(bytes: envelope.replica.bytes),
            changes.areExactly(replica: replica, from: envelope.firstSeq, through: envelope.lastSeq)
        else { throw .badEnvelope(envelope.label, "it holds other changes than its label names") }
        return changes
    }

    static func associatedData(vault: VaultID, replica: WireID, first: UInt64, last: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/envelope/v1")
        writer.raw(vault.bytes)
        writer.raw(replica.bytes)
        writer.varint(first)
        writer.varint(last)
        return writer.bytes
    }
}

extension Envelope {
    /// How errors name it: replica and seq range.
    var label: String { "\(replica)@\(firstSeq)–\(lastSeq)" }
}
