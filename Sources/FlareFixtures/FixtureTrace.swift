import FlareCRDT

/// What happened at one step of a run, with the HLC stamps replicas gave or received, for
/// `flare fixtures run --trace`.
public enum FixtureTraceEvent: Sendable {
    /// A change an engine received in a sync: who received it, whose change it is, its stamp.
    public struct Receipt: Sendable, Equatable {
        public let to: String
        public let replica: String
        public let seq: UInt64
        public let stamp: HLC
    }

    case change(step: Int, replica: String, at: UInt64, seq: UInt64, stamp: HLC)
    case deliver(step: Int, from: String, to: String, seq: UInt64, stamp: HLC)
    case sync(step: Int, a: String, b: String, received: [Receipt])
    /// A replica's state and conflicts at the end.
    case dump(replica: String, view: ReplicaView)

    /// One line: `step 3: sync phone laptop: laptop received phone@1 2026-03-01T08:00:00Z/0`.
    public var text: String {
        switch self {
        case .change(let step, let replica, let at, let seq, let stamp):
            return "step \(step): \(replica) made change \(seq) at \(FixtureTime.text(milliseconds: at)), stamped \(FixtureTime.text(stamp))"
        case .deliver(let step, let from, let to, let seq, let stamp):
            return "step \(step): \(to) received \(from)@\(seq) \(FixtureTime.text(stamp))"
        case .sync(let step, let a, let b, let received):
            let what = received.isEmpty ? "nothing to exchange"
                : received.map { "\($0.to) received \($0.replica)@\($0.seq) \(FixtureTime.text($0.stamp))" }.joined(separator: ", ")
            return "step \(step): sync \(a) \(b): \(what)"
        case .dump(let replica, let view):
            return "end: \(replica) holds \(view.state), conflicts \(view.conflicts)"
        }
    }

    /// The event as one JSON object; stamps are `[ms, counter]` as in the engine protocol.
    public var json: JSONValue {
        switch self {
        case .change(let step, let replica, let at, let seq, let stamp):
            return .object(["step": .int(Int64(step)), "op": .string("change"), "replica": .string(replica), "at": .int(Int64(clamping: at)),
                            "seq": .int(Int64(clamping: seq)), "hlc": FlareEngine.json(stamp)])
        case .deliver(let step, let from, let to, let seq, let stamp):
            return .object(["step": .int(Int64(step)), "op": .string("deliver"), "from": .string(from), "to": .string(to),
                            "seq": .int(Int64(clamping: seq)), "hlc": FlareEngine.json(stamp)])
        case .sync(let step, let a, let b, let received):
            return .object(["step": .int(Int64(step)), "op": .string("sync"), "replicas": .array([.string(a), .string(b)]),
                            "received": .array(received.map {
                                .object(["to": .string($0.to), "replica": .string($0.replica), "seq": .int(Int64(clamping: $0.seq)),
                                         "hlc": FlareEngine.json($0.stamp)])
                            })])
        case .dump(let replica, let view):
            return .object(["op": .string("dump"), "replica": .string(replica), "state": view.state, "conflicts": view.conflicts])
        }
    }
}
