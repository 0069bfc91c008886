import FlareBytes
import FlareCRDT
import FlareStore
import FlareWire

/// What this device remembers about its relay, kept in the vault as local state (sealed, never
/// synced): where the relay is, whether this device is admitted there, which store of the
/// vault it last saw, how far it has pulled, and what the relay is known to hold.
public struct SyncState: Equatable, Sendable {
    /// The local-state name it is kept under.
    public static let name = "sync"

    public var relay: RelayAddress
    /// This device's key was admitted at `relay` (so it authenticates instead of joining).
    public var admitted = false
    /// The relay's store id for the vault at the last sync (see `welcome`).
    public var store: WireID?
    /// The last server seq whose envelopes are applied here (or are this device's own).
    public var pulledServerSeq: UInt64 = 0
    /// Per replica, the highest seq the relay is known to hold.
    public var relayHolds = VersionVector()
    /// When a sync last completed, in milliseconds since 1970 (0: never).
    public var lastSyncMilliseconds: UInt64 = 0
    /// Envelopes the relay served that did not open, oldest first. The pulled position stays
    /// before the first of them, so each sync fetches them again until one opens.
    public var stuck: [StuckEnvelope] = []

    public init(relay: RelayAddress) {
        self.relay = relay
    }

    /// The state for `relay`: what is stored if it names the same relay, else a fresh start.
    public static func load(from vault: Vault, relay: RelayAddress? = nil) throws -> SyncState? {
        let stored = try vault.localState(name).map { try SyncState(decoding: $0) }
        guard let relay else { return stored }
        if let stored, stored.relay == relay { return stored }
        return SyncState(relay: relay)
    }

    /// Layout 2 added `stuck`, layout 3 each stuck envelope's key epoch; older ones are still read.
    static let layout: UInt8 = 3

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.byte(Self.layout)
        writer.string(relay.host)
        writer.varint(UInt64(relay.port))
        writer.byte(admitted ? 1 : 0)
        writer.byte(store == nil ? 0 : 1)
        if let store { writer.raw(store.bytes) }
        writer.varint(pulledServerSeq)
        writer.varint(relayHolds.entries.count)
        for entry in relayHolds {
            writer.replica(entry.replica)
            writer.varint(entry.seq)
        }
        writer.varint(lastSyncMilliseconds)
        writer.varint(stuck.count)
        for envelope in stuck {
            writer.varint(envelope.serverSeq)
            writer.replica(envelope.replica)
            writer.varint(envelope.firstSeq)
            writer.varint(envelope.lastSeq)
            writer.varint(envelope.epoch)
            writer.string(envelope.reason)
        }
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        let layout = try reader.byte()
        guard (1...Self.layout).contains(layout) else { throw DecodingError.unsupportedVersion(layout) }
        let host = try reader.string()
        let port = try reader.varint()
        guard (1...65535).contains(port) else { throw DecodingError.invalidValue("a relay port of \(port)", at: reader.position) }
        relay = RelayAddress(host: host, port: Int(port))
        admitted = try reader.byte() == 1
        store = try reader.byte() == 1 ? WireID(Array(try reader.raw(16))) : nil
        pulledServerSeq = try reader.seq(minimum: 0)
        relayHolds = VersionVector(try (0..<(try reader.count(minimumSize: 17))).map { _ in (try reader.replica(), try reader.seq()) })
        lastSyncMilliseconds = try reader.varint()
        if layout >= 2 {
            stuck = try (0..<(try reader.count(minimumSize: 20))).map { _ in
                let serverSeq = try reader.seq()
                let replica = try reader.replica()
                let first = try reader.seq()
                let last = try reader.seq()
                guard last >= first else { throw DecodingError.invalidValue("a stuck envelope's seqs run backwards", at: reader.position) }
                let epoch = layout >= 3 ? try reader.varint(atMost: EpochRecord.largestEpoch, "a key epoch") : 0
                return StuckEnvelope(serverSeq: serverSeq, replica: replica, firstSeq: first, lastSeq: last, epoch: epoch, reason: try reader.string())
            }
        }
        guard reader.isAtEnd else { throw DecodingError.trailingBytes(at: reader.position) }
    }

    var localState: LocalState { LocalState(name: Self.name, bytes: encoded()) }
}

/// An envelope the relay served that this device could not open (tampered with, or damaged
/// on the relay's disk), and why. Its changes, and every later change of its replica, wait
/// until a sync fetches it again intact.
public struct StuckEnvelope: Equatable, Sendable {
    /// How many a device remembers at most: the earliest, by server seq.
    public static let kept = 64

    public var serverSeq: UInt64
    public var replica: ReplicaID
    public var firstSeq: UInt64
    public var lastSeq: UInt64
    /// The key epoch it was sealed under.
    public var epoch: UInt64
    public var reason: String
}
