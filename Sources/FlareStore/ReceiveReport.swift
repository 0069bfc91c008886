import FlareCRDT

/// What `Vault.receive` did with each change it was given.
public struct ReceiveReport: Equatable, Sendable {
    /// A change that was refused, and why.
    public struct Rejection: Equatable, Sendable {
        public let change: ChangeID
        public let reason: String
    }

    /// Applied, in order, including buffered changes they unblocked.
    public internal(set) var applied: [ChangeID] = []
    /// Stored in the buffer, waiting for changes not yet here.
    public internal(set) var buffered: [ChangeID] = []
    /// Already held: nothing changed.
    public internal(set) var duplicates: [ChangeID] = []
    /// Malformed: not stored.
    public internal(set) var rejected: [Rejection] = []
}

/// Bytes a device keeps under a name outside the vault's data (`Vault.localState(_:)`).
public struct LocalState: Equatable, Sendable {
    public let name: String
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}
