import FlareBytes
import FlareCRDT
import FlareCrypto
import Foundation

/// A file holding every change of a vault, for moving a journal between devices of the same
/// vault without a relay: importing merges it like a sync, so nothing conflicts or duplicates.
///
/// Layout (Protocol/CRYPTO.md, "Export files"): magic "FLX", version 01, the vault id
/// (16 bytes), then chunks, each a flag byte (1 for the last chunk, else 0), a varint length
/// and a sealed box under the vault's data key
/// whose plaintext is a change batch (FLC) of at most `changesPerChunk` changes. A chunk's
/// associated data binds the vault, its index and whether it is the last, so chunks cannot
/// be reordered, dropped or cut off unnoticed.
enum ExportFile {
    static let magic: [UInt8] = [0x46, 0x4C, 0x58]  // "FLX"
    static let version: UInt8 = 1
    static let changesPerChunk = 2000

    static func associatedData(vault: VaultID, chunk: Int, isLast: Bool) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/export/v1")
        writer.raw(vault.bytes)
        writer.varint(chunk)
        writer.byte(isLast ? 1 : 0)
        return writer.bytes
    }

    static func encode(_ changes: [Change], vault: VaultID, key: SealingKey) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(magic)
        writer.byte(version)
        writer.raw(vault.bytes)
        let chunkCount = max(1, (changes.count + changesPerChunk - 1) / changesPerChunk)
        for chunk in 0..<chunkCount {
            let slice = Array(changes[min(changes.count, chunk * changesPerChunk)..<min(changes.count, (chunk + 1) * changesPerChunk)])
            let sealed = key.seal(
                ChangeCodec.encode(slice),
                associatedData: associatedData(vault: vault, chunk: chunk, isLast: chunk == chunkCount - 1))
            writer.byte(chunk == chunkCount - 1 ? 1 : 0)
            writer.varint(sealed.count)
            writer.raw(sealed)
        }
        return writer.bytes
    }

    private static func batch(_ plaintext: [UInt8], chunk: Int) throws -> [Change] {
        do {
            return try ChangeCodec.decode(plaintext)
        } catch {
            throw StoreError.invalidExport("chunk \(chunk) of the file does not decode: \(error)")
        }
    }

    /// Reads every change of an export file of `vault`, or throws `StoreError.invalidExport`
    /// saying what is wrong; nothing is returned unless the whole file is sound.
    /// Each chunk may be sealed under any of `keys` (the vault's key epochs).
    static func decode(_ bytes: [UInt8], vault: VaultID, keys: [SealingKey]) throws -> [Change] {
        var reader = ByteReader(bytes)
        do {
            guard bytes.count >= magic.count + 1 + VaultID.byteCount, Array(try reader.raw(magic.count)) == magic else {
                throw StoreError.invalidExport("the file is not a Flare export")
            }
            let fileVersion = try reader.byte()
            guard fileVersion == version else {
                throw StoreError.invalidExport("the file is a version \(fileVersion) export, which this Flare cannot read")
            }
            let fileVault = VaultID(bytes: Array(try reader.raw(VaultID.byteCount)))!
            guard fileVault == vault else {
                throw StoreError.invalidExport("the file belongs to vault \(fileVault), not to this vault (\(vault))")
            }
            var changes: [Change] = []
            var chunk = 0
            while true {
                guard !reader.isAtEnd else {
                    throw StoreError.invalidExport("the file is incomplete: it ends after \(chunk) chunks without its last one")
                }
                let flag = try reader.byte()
                guard flag <= 1 else { throw StoreError.invalidExport("chunk \(chunk) of the file is damaged (bad flag)") }
                let isLast = flag == 1
                let sealed = Array(try reader.raw(try reader.count()))
                let data = associatedData(vault: vault, chunk: chunk, isLast: isLast)
                guard let opened = keys.lazy.compactMap({ try? $0.open(sealed, associatedData: data) }).first else {
                    throw StoreError.invalidExport("chunk \(chunk) of the file is damaged (it does not authenticate)")
                }
                changes.append(contentsOf: try batch(opened, chunk: chunk))
                if isLast {
                    guard reader.isAtEnd else { throw StoreError.invalidExport("the file has unexpected bytes after its last chunk") }
                    return changes
                }
                chunk += 1
            }
        } catch let error as DecodingError {
            throw StoreError.invalidExport("the file is cut short or malformed (\(error))")
        }
    }
}

/// What an export wrote.
public struct ExportSummary: Equatable, Sendable {
    /// Changes written (stored and buffered ones).
    public let changeCount: Int
    /// Size of the file.
    public let byteCount: Int
}

extension Vault {
    /// Writes every change this device holds, buffered ones included, to `path`, sealed under
    /// the data key of the newest key epoch this device holds (any device of this vault that
    /// holds that epoch can import it; nobody else can read it).
    /// The file is written under a temporary name and renamed into place.
    @discardableResult
    public func exportChanges(to path: String) throws -> ExportSummary {
        let changes = try changes() + replica.bufferedChanges
        let bytes = ExportFile.encode(changes, vault: vaultID, key: currentKeys.dataKey)
        let url = URL(fileURLWithPath: path)
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw StoreError.storage("cannot write \(path): \(error.localizedDescription)")
        }
        return ExportSummary(changeCount: changes.count, byteCount: bytes.count)
    }

    /// Receives every change of an export file of this vault in one transaction (see
    /// `receive(_:)`). A file that is damaged, cut short or from another vault is refused
    /// whole, with nothing stored.
    public func importChanges(from path: String) throws -> ReceiveReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.invalidExport("cannot read \(path)")
        }
        let keys = keyEpochs.map { epochs in (0...epochs.current).reversed().compactMap { epochs.keys(of: $0)?.dataKey } } ?? [currentKeys.dataKey]
        return try receive(try ExportFile.decode([UInt8](data), vault: vaultID, keys: keys))
    }
}
