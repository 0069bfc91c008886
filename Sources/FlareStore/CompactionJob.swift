import Dispatch
import FlareCRDT
import FlareCrypto
import Foundation

/// A checkpoint being encoded and sealed on another thread, from a copy of the replica, while
/// the vault goes on writing. Nothing reaches the disk until the vault applies the result in one
/// transaction, so a crash meanwhile loses the work, never data.
// @unchecked Sendable: `prepared` is written once by the worker and read by the vault, both
// under `condition`; everything else is immutable.
final class CompactionJob: @unchecked Sendable {
    /// The sealed checkpoint, ready to store.
    struct Prepared: Sendable {
        let checkpoint: EncodedCheckpoint
        let chunks: [[UInt8]]
        let covered: VersionVector
    }

    /// The generation its chunks are sealed for.
    let generation: UInt64
    /// The last log row the copied replica had applied.
    let throughPosition: Int64
    private let condition = NSCondition()
    private var prepared: Prepared?

    /// Starts encoding `replica`, a copy of the vault's replica after the row at `throughPosition`.
    init(replica: Replica, generation: UInt64, throughPosition: Int64, key: SealingKey, binding: RowBinding) {
        self.generation = generation
        self.throughPosition = throughPosition
        DispatchQueue.global(qos: .utility).async { [self] in
            let checkpoint = replica.encodedCheckpoint()
            let chunks = Self.seal(checkpoint.bytes, generation: generation, key: key, binding: binding)
            let result = Prepared(checkpoint: checkpoint, chunks: chunks, covered: replica.versionVector)
            condition.lock()
            prepared = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Whether the result is ready.
    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return prepared != nil
    }

    /// The result, waiting for it if need be.
    func result() -> Prepared {
        condition.lock()
        defer { condition.unlock() }
        while prepared == nil { condition.wait() }
        return prepared!
    }

    /// Plaintext bytes per sealed chunk: big enough that sealing runs at bulk speed, small
    /// enough that no single row is huge.
    static let chunkBytes = 1 << 20

    /// The checkpoint sealed in chunks, each bound to the generation, its index and the count.
    static func seal(_ bytes: [UInt8], generation: UInt64, key: SealingKey, binding: RowBinding) -> [[UInt8]] {
        let count = max(1, (bytes.count + chunkBytes - 1) / chunkBytes)
        return (0..<count).map { index in
            key.seal(
                Array(bytes[(index * chunkBytes)..<min(bytes.count, (index + 1) * chunkBytes)]),
                associatedData: binding.checkpointChunk(generation: generation, index: index, count: count))
        }
    }
}
