/// A hybrid logical clock reading: wall-clock milliseconds plus a counter that orders events
/// within (or behind) the same millisecond.
///
/// Every change carries one. A replica never issues a reading at or below one it has seen,
/// so a change that causally follows another always carries a greater reading, whatever the
/// wall clocks of the two devices say.
public struct HLC: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let milliseconds: UInt64
    /// Orders readings that share `milliseconds`.
    public let counter: UInt32

    public init(milliseconds: UInt64, counter: UInt32 = 0) {
        self.milliseconds = milliseconds
        self.counter = counter
    }

    /// The reading below every other.
    public static let zero = HLC(milliseconds: 0, counter: 0)

    public static func < (lhs: HLC, rhs: HLC) -> Bool {
        (lhs.milliseconds, lhs.counter) < (rhs.milliseconds, rhs.counter)
    }

    /// The next reading after `self` for a local event at wall time `wallMilliseconds`.
    public func tick(wallMilliseconds: UInt64) -> HLC {
        if wallMilliseconds > milliseconds { return HLC(milliseconds: wallMilliseconds, counter: 0) }
        if counter == .max { return HLC(milliseconds: milliseconds + 1, counter: 0) }
        return HLC(milliseconds: milliseconds, counter: counter + 1)
    }

    public var description: String { "\(milliseconds).\(counter)" }
}
