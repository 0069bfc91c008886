import FlareBytes
import FlareCRDT
import FlareCrypto

/// The associated data each sealed row is bound to: what the row is (a label), whose it is
/// (vault and device) and where it sits (its key). A row's ciphertext moved to another row,
/// another table or another vault file fails authentication, so swapped or copied rows are
/// caught when read (Protocol/CRYPTO.md, "What the disk sees").
struct RowBinding: Sendable {
    let vault: VaultID
    let device: ReplicaID

    func keyring(salt: [UInt8], parameters: PassphraseParameters) -> [UInt8] {
        var writer = prefix("flare/keyring/v1")
        writer.raw(salt)
        writer.varint(parameters.opsLimit)
        writer.varint(parameters.memLimitBytes)
        return writer.bytes
    }

    func head() -> [UInt8] { prefix("flare/head/v1").bytes }

    func changeRun(replica: ReplicaID, firstSeq: UInt64, lastSeq: UInt64) -> [UInt8] {
        var writer = prefix("flare/change-run/v1")
        writer.replica(replica)
        writer.varint(firstSeq)
        writer.varint(lastSeq)
        return writer.bytes
    }

    func pendingChange(_ id: ChangeID) -> [UInt8] {
        var writer = prefix("flare/pending-change/v1")
        writer.replica(id.replica)
        writer.varint(id.seq)
        return writer.bytes
    }

    func checkpointChunk(generation: UInt64, index: Int, count: Int) -> [UInt8] {
        var writer = prefix("flare/checkpoint-chunk/v1")
        writer.varint(generation)
        writer.varint(index)
        writer.varint(count)
        return writer.bytes
    }

    func localState(_ name: String) -> [UInt8] {
        var writer = prefix("flare/local-state/v1")
        writer.string(name)
        return writer.bytes
    }

    private func prefix(_ label: String) -> ByteWriter {
        var writer = ByteWriter()
        writer.string(label)
        writer.raw(vault.bytes)
        writer.replica(device)
        return writer
    }
}
