import FlareWire

/// What one sync did.
public struct SyncReport: Sendable {
    public var relay: RelayAddress
    /// This device joined the vault at the relay in this sync.
    public var joined = false
    /// The relay's store of the vault was new (the relay lost or forgot it): this device
    /// pulled from the start and sent what the relay lacked.
    public var relayWasReset = false
    public var sentChanges = 0
    public var sentEnvelopes = 0
    public var receivedEnvelopes = 0
    /// Changes received and applied (including buffered ones that could now be applied).
    public var appliedChanges = 0
    /// Changes received that wait for changes not here yet.
    public var bufferedChanges = 0
    /// Envelopes or changes that could not be used, each with why. They were skipped;
    /// everything else was applied.
    public var problems: [String] = []
    public var bytesSent = 0
    public var bytesReceived = 0
    /// Replies from the relay this device waited for, the handshake's two included (a sync with
    /// nothing to pull and one push waits for three: one round trip after the handshake).
    public var replies = 0
    /// Key epoch records this device learnt in this sync (another device revoked devices),
    /// oldest first.
    public var newEpochs: [EpochRecord] = []

    public init(relay: RelayAddress) {
        self.relay = relay
    }

    mutating func count(_ traffic: Traffic) {
        bytesSent += traffic.bytesSent
        bytesReceived += traffic.bytesReceived
        replies += traffic.replies
    }
}

/// How far a sync has got, for a progress display.
public struct SyncProgress: Sendable {
    public enum Phase: Sendable { case receiving, sending }
    public var phase: Phase
    public var envelopesDone: Int
    /// Envelopes this phase expects in all (an estimate when receiving: it counts this
    /// device's own envelopes, which are skipped).
    public var envelopesTotal: Int
    public var bytes: Int
}
