import FlareCRDT

/// The local changes of one `Vault.write`: each is applied as it is made, so a later change
/// in the batch sees the earlier ones; all are stored together when the batch ends.
public struct VaultBatch {
    var replica: Replica
    let wallClock: @Sendable () -> UInt64
    /// The changes made so far, in order.
    public private(set) var made: [Change] = []

    init(replica: Replica, wallClock: @escaping @Sendable () -> UInt64) {
        self.replica = replica
        self.wallClock = wallClock
    }

    /// The state including the changes made so far in this batch.
    public var state: Replica { replica }

    /// Makes one change, stamped with the vault's wall clock unless `wallMilliseconds` is given.
    /// If `edit` throws, this change records nothing (earlier ones in the batch stay).
    @discardableResult
    public mutating func makeChange(wallMilliseconds: UInt64? = nil, _ edit: (inout ChangeBuilder) throws -> Void) throws -> Change {
        let change = try replica.makeChange(wallMilliseconds: wallMilliseconds ?? wallClock(), edit)
        made.append(change)
        return change
    }
}
