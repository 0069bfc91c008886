/// One atomic unit of editing made by one replica: its ops apply all together or not at all.
public struct Change: Hashable, Sendable {
    /// Who made it and where it stands in that replica's sequence.
    public let id: ChangeID
    /// When it was made; greater than the clock of every change in its causal past.
    public let clock: HLC
    /// Everything its replica had applied when making it, not counting its own earlier
    /// changes (which `id.seq - 1` implies).
    public let dependencies: VersionVector
    /// The edits, applied in order.
    public let operations: [Operation]

    public init(id: ChangeID, clock: HLC, dependencies: VersionVector, operations: [Operation]) {
        self.id = id
        self.clock = clock
        self.dependencies = dependencies
        self.operations = operations
    }

    /// The whole causal past including this change itself.
    public var causalPast: VersionVector {
        var past = dependencies
        past.raise(id.replica, to: id.seq)
        return past
    }
}
