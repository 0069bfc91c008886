import FlareCRDT

/// Why a vault could not be created, opened or changed. Each case reads as one plain
/// sentence; every operation that throws one leaves the vault file as it was.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The passphrase does not unlock this vault.
    case wrongPassphrase
    /// A file (a vault or anything else) already exists at the path given to `create`.
    case alreadyExists(path: String)
    /// No vault can be created at the path given to `create`, and why.
    case cannotCreate(path: String, reason: String)
    /// No vault at the path given to `open`.
    case noVault(path: String)
    /// The file is not a Flare vault (or not a SQLite database at all).
    case notAVault(path: String)
    /// Another process has the vault open.
    case locked(path: String)
    /// The file was written by a newer version of Flare.
    case newerSchema(path: String, found: [String])
    /// Rows that fail authentication or do not fit together, by table and key.
    case corrupted([CorruptRow])
    /// A file to import is not a Flare export, or belongs to another vault.
    case invalidExport(String)
    /// SQLite or the file system failed.
    case storage(String)
    /// The disk holding the vault is full; what was being written was not.
    case diskFull
    /// The key epochs kept or offered do not fit the vault (why, in words).
    case badKeyEpochs(String)

    public var description: String {
        switch self {
        case .wrongPassphrase:
            return "The passphrase does not unlock this vault; check it and try again."
        case .alreadyExists(let path):
            return "A file already exists at \(path); open it if it is a vault, or choose another path."
        case .cannotCreate(let path, let reason):
            return "Cannot create a vault at \(path): \(reason)."
        case .noVault(let path):
            return "No vault at \(path); create one first."
        case .notAVault(let path):
            return "\(path) is not a Flare vault."
        case .locked(let path):
            return "The vault at \(path) is in use by another flare process (a sync in progress, or a command still running); try again when it is done."
        case .newerSchema(let path, let found):
            return "The vault at \(path) was written by a newer Flare (schema \(found.joined(separator: ", "))); update Flare to open it."
        case .corrupted(let rows):
            let listed = rows.prefix(5).map(\.description).joined(separator: "; ")
            let more = rows.count > 5 ? " and \(rows.count - 5) more" : ""
            return "The vault is damaged: \(listed)\(more). Restore it from a backup or another device."
        case .invalidExport(let reason):
            return "Cannot import: \(reason)."
        case .storage(let reason):
            return "The vault could not be read or written: \(reason)."
        case .diskFull:
            return "The disk holding the vault is full; nothing of this was written and nothing stored is lost. Free some space and try again."
        case .badKeyEpochs(let reason):
            return "The vault's key epochs are not right: \(reason)."
        }
    }
}

/// A damaged row, named so a person (or a support request) can say exactly what is wrong.
public struct CorruptRow: Error, Hashable, Sendable, CustomStringConvertible {
    /// The table holding it.
    public let table: String
    /// The row's key in readable form (e.g. `replica 0a1b…@12–40`).
    public let key: String
    /// What is wrong with it.
    public let problem: String

    public init(table: String, key: String, problem: String) {
        self.table = table
        self.key = key
        self.problem = problem
    }

    public var description: String { "\(table) row \(key): \(problem)" }
}
