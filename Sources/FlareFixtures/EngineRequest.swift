/// A request of the engine protocol (Protocol/FIXTURES.md, "Engine protocol"): what Flare
/// asks an engine, one JSON object a line.
public enum EngineRequest: Sendable, Equatable {
    /// The first request to every engine process: which protocol version Flare speaks.
    case hello(version: Int)
    /// Forget every replica and make these, empty; starts a fixture.
    case replicas(fixture: String, names: [String])
    /// `replica` makes one change of these ops at wall time `at` (ms since 1970).
    case change(replica: String, at: UInt64, operations: [FixtureOperation])
    /// `to` receives `from`'s own change `seq`.
    case deliver(from: String, to: String, seq: UInt64)
    /// The two replicas exchange every change either holds.
    case sync(String, String)
    /// The replica's live documents and conflicts, in the fixture form.
    case dump(replica: String)

    /// The protocol version this Flare speaks.
    public static let protocolVersion = 1

    /// The longest line either side may send, newline excluded.
    public static let maximumLineLength = 16 << 20

    /// The request's `op`.
    public var op: String {
        switch self {
        case .hello: return "hello"
        case .replicas: return "replicas"
        case .change: return "change"
        case .deliver: return "deliver"
        case .sync: return "sync"
        case .dump: return "dump"
        }
    }

    /// The request as one line of JSON (no newline), keys sorted.
    public func line(id: Int) -> String {
        var object: [String: JSONValue] = ["id": .int(Int64(id)), "op": .string(op)]
        switch self {
        case .hello(let version):
            object["protocol"] = .int(Int64(version))
        case .replicas(let fixture, let names):
            object["fixture"] = .string(fixture)
            object["replicas"] = .array(names.map(JSONValue.string))
        case .change(let replica, let at, let operations):
            object["replica"] = .string(replica)
            object["at"] = .int(Int64(clamping: at))
            object["ops"] = .array(operations.map(\.json))
        case .deliver(let from, let to, let seq):
            object["from"] = .string(from)
            object["to"] = .string(to)
            object["seq"] = .int(Int64(clamping: seq))
        case .sync(let a, let b):
            object["replicas"] = .array([.string(a), .string(b)])
        case .dump(let replica):
            object["replica"] = .string(replica)
        }
        return JSONValue.object(object).description
    }

    /// What the request does, for messages: "phone's change", "the sync of phone and laptop".
    var summary: String {
        switch self {
        case .hello: return "the handshake (hello)"
        case .replicas: return "creating the replicas"
        case .change(let replica, _, _): return "\(replica)'s change"
        case .deliver(let from, let to, let seq): return "delivering \(from)'s change \(seq) to \(to)"
        case .sync(let a, let b): return "the sync of \(a) and \(b)"
        case .dump(let replica): return "the dump of \(replica)"
        }
    }
}
