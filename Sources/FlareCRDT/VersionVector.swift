/// For each replica, the highest sequence number seen from it: a summary of a causal past.
///
/// Stored as a sorted array because a vault has a handful of devices: lookups are a short
/// scan, and equal vectors are equal arrays, which keeps encodings canonical.
public struct VersionVector: Hashable, Sendable, Sequence, CustomStringConvertible {
    public private(set) var entries: [(replica: ReplicaID, seq: UInt64)]

    public init() { entries = [] }

    /// Builds a vector from pairs; a replica listed twice keeps its highest seq.
    public init<S: Sequence>(_ pairs: S) where S.Element == (ReplicaID, UInt64) {
        entries = []
        for (replica, seq) in pairs { raise(replica, to: seq) }
    }

    /// The highest seq seen from `replica`, 0 if none.
    public subscript(replica: ReplicaID) -> UInt64 {
        for entry in entries where entry.replica == replica { return entry.seq }
        return 0
    }

    /// Whether the change `id` is in the past this vector summarises.
    public func includes(_ id: ChangeID) -> Bool { self[id.replica] >= id.seq }

    /// Whether every change `other` includes, `self` includes too.
    public func includes(_ other: VersionVector) -> Bool {
        other.entries.allSatisfy { self[$0.replica] >= $0.seq }
    }

    /// Raises the entry for `replica` to `seq` if it is lower (seq 0 adds nothing).
    public mutating func raise(_ replica: ReplicaID, to seq: UInt64) {
        guard seq > 0 else { return }
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].replica < replica { low = mid + 1 } else { high = mid }
        }
        if low < entries.count, entries[low].replica == replica {
            if entries[low].seq < seq { entries[low].seq = seq }
        } else {
            entries.insert((replica, seq), at: low)
        }
    }

    /// The pointwise maximum with `other`.
    public mutating func formUnion(_ other: VersionVector) {
        for entry in other.entries { raise(entry.replica, to: entry.seq) }
    }

    /// Whether the vector has no entries.
    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> IndexingIterator<[(replica: ReplicaID, seq: UInt64)]> {
        entries.makeIterator()
    }

    public static func == (lhs: VersionVector, rhs: VersionVector) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.replica == $1.replica && $0.seq == $1.seq }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.replica)
            hasher.combine(entry.seq)
        }
    }

    public var description: String {
        "[" + entries.map { "\($0.replica): \($0.seq)" }.joined(separator: ", ") + "]"
    }
}
