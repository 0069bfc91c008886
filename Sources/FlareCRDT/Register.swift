/// Identifies one write: the change and the op's index inside it.
public struct WriteID: Hashable, Comparable, Sendable {
    public let change: ChangeID
    public let operation: UInt32

    public init(change: ChangeID, operation: UInt32) {
        self.change = change
        self.operation = operation
    }

    public static func < (lhs: WriteID, rhs: WriteID) -> Bool {
        (lhs.change, lhs.operation) < (rhs.change, rhs.operation)
    }
}

/// A value written to a register, with who wrote it and when.
public struct RegisterWrite: Hashable, Sendable {
    public let id: WriteID
    public let clock: HLC
    public let value: Scalar

    public init(id: WriteID, clock: HLC, value: Scalar) {
        self.id = id
        self.clock = clock
        self.value = value
    }

    /// Last-writer-wins order: clock, then replica id.
    func beats(_ other: RegisterWrite) -> Bool {
        (clock, id.change.replica, id) > (other.clock, other.id.change.replica, other.id)
    }
}

/// A multi-value last-writer-wins register: keeps every write that no other write causally
/// overwrote; the greatest by (clock, replica) is the value, the rest are its conflicts.
public struct Register: Hashable, Sendable {
    /// The visible write.
    public private(set) var winner: RegisterWrite
    /// Concurrent writes that lost, in id order.
    public private(set) var conflicts: [RegisterWrite]

    init(_ write: RegisterWrite) {
        winner = write
        conflicts = []
    }

    /// Rebuilds a register from its surviving writes (at least one).
    init?(writes: [RegisterWrite]) {
        guard var best = writes.first else { return nil }
        for write in writes.dropFirst() where write.beats(best) { best = write }
        winner = best
        conflicts = writes.filter { $0.id != best.id }.sorted { $0.id < $1.id }
    }

    /// Every surviving write, winner included, in id order.
    public var writes: [RegisterWrite] {
        conflicts.isEmpty ? [winner] : ([winner] + conflicts).sorted { $0.id < $1.id }
    }

    /// Applies `write`, made by a change whose causal past is `past`: it overwrites every
    /// surviving write in that past (an earlier op of the same change included).
    /// Applying a write the register already holds changes nothing (a new document starts
    /// with its create's type write).
    mutating func apply(_ write: RegisterWrite, past: VersionVector) {
        if winner.id == write.id || conflicts.contains(where: { $0.id == write.id }) { return }
        func overwritten(_ old: RegisterWrite) -> Bool {
            old.id.change == write.id.change ? old.id.operation < write.id.operation : past.includes(old.id.change)
        }
        let survivors = conflicts.filter { !overwritten($0) } + (overwritten(winner) ? [] : [winner])
        if survivors.isEmpty {
            winner = write
            conflicts = []
            return
        }
        var all = survivors
        all.append(write)
        self = Register(writes: all)!
    }
}
