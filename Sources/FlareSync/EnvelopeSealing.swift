import FlareBytes
import FlareCRDT
import FlareCrypto
import FlareWire

/// Sealing runs of changes into envelopes and opening them (Protocol/PROTOCOL.md §3): the
/// plaintext is a change batch (FLC), sealed under the data key of a key epoch and bound to the
/// vault, the replica, the seq range and (from epoch 1 on) the epoch, so the relay cannot move
/// an envelope to another vault or relabel its range or epoch unnoticed.
public enum EnvelopeSealing {
    /// Seals `changes`, which must be consecutive changes of one replica (`consecutiveRuns()`).
    /// `key` is the data key of `epoch`.
    public static func seal(_ changes: some Collection<Change>, vault: VaultID, key: SealingKey, epoch: UInt64 = 0) -> Envelope {
        let first = changes.first!.id
        let last = first.seq + UInt64(changes.count) - 1
        let replica = WireID(first.replica.bytes)!
        let sealed = key.seal(
            ChangeCodec.encode(Array(changes)), associatedData: associatedData(vault: vault, epoch: epoch, replica: replica, first: first.seq, last: last))
        // Envelope's own checks hold by construction: seqs from 1, an epoch in range, a non-empty box.
        return try! Envelope(replica: replica, firstSeq: first.seq, lastSeq: last, epoch: epoch, sealed: sealed)
    }

    /// Opens an envelope with the data key of its epoch and checks it holds exactly the
    /// changes its label names.
    public static func open(_ envelope: Envelope, vault: VaultID, key: SealingKey) throws(SyncError) -> [Change] {
        let plaintext: [UInt8]
        do {
            plaintext = try key.open(
                envelope.sealed,
                associatedData: associatedData(
                    vault: vault, epoch: envelope.epoch, replica: envelope.replica, first: envelope.firstSeq, last: envelope.lastSeq))
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

    /// Epoch 0 keeps protocol 1's associated data, so envelopes sealed before key epochs
    /// existed still open; later epochs bind the epoch too.
    static func associatedData(vault: VaultID, epoch: UInt64, replica: WireID, first: UInt64, last: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.string(epoch == 0 ? "flare/envelope/v1" : "flare/envelope/v2")
        writer.raw(vault.bytes)
        if epoch > 0 { writer.varint(epoch) }
        writer.raw(replica.bytes)
        writer.varint(first)
        writer.varint(last)
        return writer.bytes
    }
}

extension Envelope {
    /// How errors name it: replica and seq range.
    var label: String { epoch == 0 ? "\(replica)@\(firstSeq)–\(lastSeq)" : "\(replica)@\(firstSeq)–\(lastSeq) (key epoch \(epoch))" }
}
