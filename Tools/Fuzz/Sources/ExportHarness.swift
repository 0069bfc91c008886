import FlareBytes
import FlareCRDT
import FlareCrypto
#if DEBUG || FUZZING
@testable import FlareStore
#endif

/// Export files (the decoding side of `ExportFile`). Chunks are sealed, so raw bytes rarely get
/// past authentication; the harness therefore seals the input's chunks itself.
///
/// Input: a mode byte, then the rest. Mode bit 0 set: the rest is the file, fed as it is.
/// Otherwise the rest is the file with each chunk's sealed box replaced by its plaintext
/// (flag byte, varint length, plaintext; the header's magic, version and vault are written by
/// the harness, bit 1 writing another vault); the harness seals each plaintext under the
/// vault's key and the chunk's associated data (chunk index, and last when the flag is 1),
/// and copies whatever does not parse as a chunk at the end unchanged.
enum ExportHarness {
    static let vault = VaultID(bytes: [UInt8](repeating: 0x5a, count: 16))!
    static let otherVault = VaultID(bytes: [UInt8](repeating: 0xa5, count: 16))!
    static let key = try! SealingKey(SecretBytes(copying: [UInt8](repeating: 0x42, count: SealingKey.byteCount)))

    @Sendable static func run(_ input: [UInt8]) {
        #if DEBUG || FUZZING
        guard let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        let file = mode & 1 == 1 ? rest : seal(rest, vault: mode & 2 == 0 ? vault : otherVault)
        let changes: [Change]
        do { changes = try ExportFile.decode(file, vault: vault, keys: [key]) } catch {
            if ReplicaExercise.verbose { trace("export refused: \(error)") }
            return
        }
        if ReplicaExercise.verbose { trace("export: \(changes.count) changes") }
        CRDTHarnesses.apply(changes, roundTrip: false)
        #endif
    }

    #if DEBUG || FUZZING
    /// The file for `plain` (see above).
    static func seal(_ plain: [UInt8], vault: VaultID) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(ExportFile.magic)
        writer.byte(ExportFile.version)
        writer.raw(vault.bytes)
        var reader = ByteReader(plain)
        var chunk = 0
        while !reader.isAtEnd {
            let start = reader.position
            guard let flag = try? reader.byte(), let length = try? reader.count(), let body = try? reader.raw(length) else {
                writer.raw(plain[start...])
                break
            }
            let sealed = key.seal(Array(body), associatedData: ExportFile.associatedData(vault: vault, chunk: chunk, isLast: flag == 1))
            writer.byte(flag)
            writer.varint(sealed.count)
            writer.raw(sealed)
            chunk += 1
        }
        return writer.bytes
    }

    /// The harness input that seals to an export of `batches` (for the seed corpus).
    static func input(batches: [[UInt8]]) -> [UInt8] {
        var writer = ByteWriter()
        writer.byte(0)
        for (index, batch) in batches.enumerated() {
            writer.byte(index == batches.count - 1 ? 1 : 0)
            writer.varint(batch.count)
            writer.raw(batch)
        }
        return writer.bytes
    }
    #endif
}
