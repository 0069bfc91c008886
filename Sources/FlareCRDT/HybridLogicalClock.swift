/// A hybrid logical clock reading: wall-clock milliseconds plus a counter that orders events
/// within (or behind) the same millisecond.
///
/// Every change carries one. A replica never issues a reading at or below one it has seen,
/// so a change that causally follows another always carries a greater reading, whatever the
/// wall clocks of the two devices say.
///
/// Readings are bounded (Protocol/ENCODING.md, "Clocks"): milliseconds never pass
/// `maximumMilliseconds` (decoders refuse more), and a change's clock passes `horizon` only by
/// the one millisecond its causal past forces (`Replica.receive` refuses more). A device whose
/// wall clock is wrong by years still writes (its readings are merely far ahead), but no peer
/// can push the clock to where it could not advance.
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

    /// 9999-12-31T23:59:59.999Z: no wall clock is read as later, and a change's clock may pass
    /// it only by advancing one millisecond past a causal past already there.
    public static let horizon: UInt64 = 253_402_300_799_999

    /// 2^48 − 1 ms (about the year 10889): the end of the range decoders accept. Between the
    /// horizon and here lie 2^48 − 1 − `horizon` milliseconds, each of which one change at most
    /// can claim, so no chain of changes reaches the end.
    public static let maximumMilliseconds: UInt64 = 1 << 48 - 1

    /// Whether the reading lies in the range every encoding accepts.
    public var isInRange: Bool { milliseconds <= Self.maximumMilliseconds }

    public static func < (lhs: HLC, rhs: HLC) -> Bool {
        (lhs.milliseconds, lhs.counter) < (rhs.milliseconds, rhs.counter)
    }

    /// The next reading after `self` for a local event at wall time `wallMilliseconds` (read as
    /// the horizon when later). Total: it never traps, and from any reading in range it gives
    /// a greater one.
    public func tick(wallMilliseconds: UInt64) -> HLC {
        let wall = min(wallMilliseconds, Self.horizon)
        if wall > milliseconds { return HLC(milliseconds: wall, counter: 0) }
        if counter < .max { return HLC(milliseconds: milliseconds, counter: counter + 1) }
        guard milliseconds < .max else { return self }  // out of range: never accepted from a decoder
        return HLC(milliseconds: milliseconds + 1, counter: 0)
    }

    /// Whether a change stamped `self`, whose causal past's latest reading is `past`, keeps to
    /// the horizon rule: at or before the horizon, or no more than one millisecond past `past`.
    public func keepsHorizon(after past: HLC?) -> Bool {
        milliseconds <= Self.horizon || past.map { milliseconds - 1 <= $0.milliseconds } ?? false
    }

    public var description: String { "\(milliseconds).\(counter)" }
}
