import FlareCRDT
import FlareStore
import FlareWire

/// Pulling and pushing over an authenticated connection (PROTOCOL.md §5).
extension SyncClient {
    /// Pulls, then pushes, and goes round again while another device pushed meanwhile; then
    /// records the sync. Returns the relay's latest server seq as far as it is known.
    func exchange(
        _ vault: Vault, state: inout SyncState, report: inout SyncReport, link: inout RelayLink, relayLatest known: UInt64, frameLimit: Int
    ) async throws -> UInt64 {
        var relayLatest = known
        // How far this session has read: past the position recorded when an envelope stuck.
        var seen = state.pulledServerSeq
        for _ in 0..<4 {
            relayLatest = max(relayLatest, link.latestNotified)
            let held = vault.keyEpochs?.current ?? 0
            if link.latestEpoch > held || state.stuck.contains(where: { $0.epoch > held }) {
                // The vault moved to a new key epoch meanwhile: learn it (every epoch the relay
                // has, when only an envelope named it), then read again what was sealed under it.
                try await catchUp(vault, to: link.latestEpoch > held ? link.latestEpoch : nil, report: &report, link: &link)
                seen = min(seen, state.pulledServerSeq)
            }
            let pulled = relayLatest > seen
            if pulled {
                seen = try await pull(
                    after: seen, into: vault, state: &state, report: &report, link: &link, expected: relayLatest, frameLimit: frameLimit)
            }
            // A relay takes only this device's own replica from it (PROTOCOL.md §5): other
            // devices' changes reach it from them.
            let outbox = try Outbox(
                changes: try vault.changes(notIn: state.relayHolds, of: vault.replicaID), vault: vault.vaultID, key: vault.currentKeys.dataKey,
                epoch: vault.keyEpochs?.current ?? 0, frameLimit: frameLimit)
            if !outbox.pushes.isEmpty {
                relayLatest = max(relayLatest, try await push(outbox, from: vault, state: &state, report: &report, link: &link, seen: &seen))
            }
            if !pulled && outbox.pushes.isEmpty { break }
        }
        state.lastSyncMilliseconds = vault.wallClock()
        try vault.setLocalState(SyncState.name, to: state.encoded())
        return relayLatest
    }

    /// Records `envelope`, which did not open, as stuck (once), and keeps the pulled position
    /// before it so the next sync fetches it again.
    private func stick(_ envelope: Envelope, at serverSeq: UInt64, replica: ReplicaID, why: String, state: inout SyncState) {
        state.stuck.removeAll { $0.replica == replica && $0.firstSeq == envelope.firstSeq }
        state.stuck.append(StuckEnvelope(
            serverSeq: serverSeq, replica: replica, firstSeq: envelope.firstSeq, lastSeq: envelope.lastSeq, epoch: envelope.epoch, reason: why))
        state.stuck.sort { $0.serverSeq < $1.serverSeq }
        // Only the first holds the position back; later ones are fetched again and named again
        // anyway, so a relay serving endless damage cannot grow what the device keeps.
        if state.stuck.count > StuckEnvelope.kept { state.stuck.removeLast(state.stuck.count - StuckEnvelope.kept) }
    }

    /// Pulls every envelope after `after`, asking for the next page as soon as one arrives,
    /// and applies each page with the new position in one transaction. An envelope that does
    /// not open holds the recorded position before it (and is named in `state.stuck`): every
    /// later sync fetches it again, so a relay repaired, or another relay, can still deliver it.
    /// Returns the last server seq read.
    private func pull(
        after start: UInt64, into vault: Vault, state: inout SyncState, report: inout SyncReport, link: inout RelayLink, expected: UInt64,
        frameLimit: Int
    ) async throws -> UInt64 {
        let total = Int(clamping: expected - min(expected, start))
        var done = 0
        var read = start
        try await link.send(.pull(afterServerSeq: start, maximumBytes: UInt64(frameLimit)))
        while true {
            guard case .batch(let items, let more) = try await link.receive(while: "receiving") else {
                throw SyncError.protocolViolation("the relay did not answer pull with a batch")
            }
            guard let first = items.first?.serverSeq, let last = items.last?.serverSeq, first > read,
                zip(items, items.dropFirst()).allSatisfy({ $0.serverSeq < $1.serverSeq })
            else {
                if items.isEmpty && !more { return read }
                throw SyncError.protocolViolation("a batch out of server-seq order")
            }
            if more { try await link.send(.pull(afterServerSeq: last, maximumBytes: UInt64(frameLimit))) }
            var changes: [Change] = []
            for item in items {
                let envelope = item.envelope
                guard let replica = ReplicaID(bytes: envelope.replica.bytes) else { continue }
                // Envelopes this device already applied (its own, or sent on by others) are
                // not opened at all.
                if vault.replica.versionVector[replica] >= envelope.lastSeq {
                    state.relayHolds.raise(replica, to: envelope.lastSeq)
                    continue
                }
                guard let keys = vault.keyEpochs?.keys(of: envelope.epoch) else {
                    // Sealed under an epoch this device has not learnt yet: held back until it has.
                    stick(envelope, at: item.serverSeq, replica: replica, why: "sealed under key epoch \(envelope.epoch), not yet received here", state: &state)
                    continue
                }
                do {
                    changes += try EnvelopeSealing.open(envelope, vault: vault.vaultID, key: keys.dataKey)
                    state.relayHolds.raise(replica, to: envelope.lastSeq)
                    state.stuck.removeAll { $0.replica == replica && $0.firstSeq >= envelope.firstSeq && $0.lastSeq <= envelope.lastSeq }
                } catch {
                    report.problems.append(error.description)
                    stick(envelope, at: item.serverSeq, replica: replica, why: error.description, state: &state)
                }
            }
            read = last
            let stuckBefore = state.stuck.first?.serverSeq ?? .max
            state.pulledServerSeq = min(last, stuckBefore - 1)
            let received = try vault.receive(changes, settingLocalState: state.localState)
            state.stuck.removeAll { vault.replica.versionVector[$0.replica] >= $0.lastSeq }
            report.receivedEnvelopes += items.count
            report.appliedChanges += received.applied.count
            report.bufferedChanges += received.buffered.count
            report.problems += received.rejected.map { "Change \($0.change) was refused: \($0.reason)." }
            done += items.count
            await progress?(SyncProgress(phase: .receiving, envelopesDone: done, envelopesTotal: max(total, done), bytes: link.traffic.bytesReceived))
            if !more { return read }
        }
    }

    /// Sends the outbox with up to `pushWindow` pushes unacknowledged; returns the relay's
    /// latest server seq.
    private func push(
        _ outbox: Outbox, from vault: Vault, state: inout SyncState, report: inout SyncReport, link: inout RelayLink, seen: inout UInt64
    ) async throws -> UInt64 {
        let total = outbox.pushes.reduce(0) { $0 + $1.count }
        var acknowledged = 0
        var latest: UInt64 = 0
        var waiting: [[Envelope]] = []
        var next = outbox.pushes.makeIterator()
        while true {
            while waiting.count < pushWindow, let push = next.next() {
                try await link.send(.push(push))
                waiting.append(push)
            }
            guard !waiting.isEmpty else { break }
            guard case .ack(let held, let stored, let serverSeq) = try await link.receive(while: "sending") else {
                throw SyncError.protocolViolation("the relay did not answer push with ack")
            }
            let push = waiting.removeFirst()
            guard stored <= serverSeq else { throw SyncError.protocolViolation("an ack storing more envelopes than its server seq") }
            state.relayHolds.formUnion(try Self.vector(held))
            // The server seqs just stored are this device's own: nothing to pull there.
            if serverSeq - stored == state.pulledServerSeq { state.pulledServerSeq = serverSeq }
            if serverSeq - stored == seen { seen = serverSeq }
            latest = max(latest, serverSeq)
            try vault.setLocalState(SyncState.name, to: state.encoded())
            acknowledged += push.count
            report.sentEnvelopes += push.count
            report.sentChanges += push.reduce(0) { $0 + Int($1.lastSeq - $1.firstSeq + 1) }
            await progress?(SyncProgress(phase: .sending, envelopesDone: acknowledged, envelopesTotal: total, bytes: link.traffic.bytesSent))
        }
        return latest
    }

    static func vector(_ marks: HighWaterMarks) throws(SyncError) -> VersionVector {
        VersionVector(try marks.map { mark throws(SyncError) in
            guard let replica = ReplicaID(bytes: mark.replica.bytes) else { throw .protocolViolation("a replica id") }
            return (replica, mark.seq)
        })
    }
}
