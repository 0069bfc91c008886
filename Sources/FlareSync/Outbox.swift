import FlareCRDT
import FlareCrypto
import FlareWire

/// What a device sends a relay: the changes the relay lacks, sealed into envelopes and packed
/// into `push` messages that fit the relay's frames.
struct Outbox {
    /// The pushes, in order; each envelope holds consecutive changes of one replica.
    let pushes: [[Envelope]]
    /// How many changes they hold.
    let changeCount: Int

    /// Changes per envelope to start with; a run is split further if its box would not fit.
    static let changesPerEnvelope = 1024

    init(changes: [Change], vault: VaultID, key: SealingKey, epoch: UInt64 = 0, frameLimit: Int) throws(SyncError) {
        // Room for the push's type and count.
        let pushLimit = frameLimit - 16
        let envelopeLimit = pushLimit - Envelope.headerAllowance
        var envelopes: [Envelope] = []
        for run in changes.consecutiveRuns() {
            var start = run.startIndex
            while start < run.endIndex {
                let end = run.index(start, offsetBy: Self.changesPerEnvelope, limitedBy: run.endIndex) ?? run.endIndex
                try Self.seal(run[start..<end], vault: vault, key: key, epoch: epoch, limit: envelopeLimit, into: &envelopes)
                start = end
            }
        }
        var pushes: [[Envelope]] = []
        var current: [Envelope] = []
        var bytes = 0
        for envelope in envelopes {
            let size = envelope.sealed.count + Envelope.headerAllowance
            if !current.isEmpty, bytes + size > pushLimit {
                pushes.append(current)
                current = []
                bytes = 0
            }
            current.append(envelope)
            bytes += size
        }
        if !current.isEmpty { pushes.append(current) }
        self.pushes = pushes
        changeCount = changes.count
    }

    /// Seals `changes` as one envelope, or halves until each part fits `limit`.
    private static func seal(
        _ changes: ArraySlice<Change>, vault: VaultID, key: SealingKey, epoch: UInt64, limit: Int, into envelopes: inout [Envelope]
    ) throws(SyncError) {
        let envelope = EnvelopeSealing.seal(changes, vault: vault, key: key, epoch: epoch)
        if envelope.sealed.count <= limit {
            envelopes.append(envelope)
            return
        }
        guard changes.count > 1 else {
            throw .changeTooLarge(seq: changes[changes.startIndex].id.seq, bytes: envelope.sealed.count, limit: limit)
        }
        let middle = changes.index(changes.startIndex, offsetBy: changes.count / 2)
        try seal(changes[..<middle], vault: vault, key: key, epoch: epoch, limit: limit, into: &envelopes)
        try seal(changes[middle...], vault: vault, key: key, epoch: epoch, limit: limit, into: &envelopes)
    }
}
