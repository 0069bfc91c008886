import FlareCRDT

/// Change batches, state snapshots and replica checkpoints.
enum CRDTHarnesses {
    /// `ChangeCodec.decode`; what decodes must re-encode to bytes that decode alike, and must
    /// be safe to receive into a replica that then edits, checkpoints and syncs.
    @Sendable static func changes(_ bytes: [UInt8]) {
        guard let changes = try? ChangeCodec.decode(bytes) else { return }
        apply(changes)
    }

    /// Receives `changes` into a fresh replica and exercises it (shared with the export harness,
    /// which skips the re-encoding: an export's chunks are separate batches, so one replica's
    /// seqs start over in each and the changes together are no single batch).
    static func apply(_ changes: [Change], roundTrip: Bool = true) {
        if roundTrip {
            let encoded = ChangeCodec.encode(changes)
            guard let again = try? ChangeCodec.decode(encoded) else { fatalError("a decoded batch re-encodes to bytes that do not decode") }
            precondition(ChangeCodec.encode(again) == encoded, "a decoded batch does not re-encode stably")
        }
        // Receiving the batch at once (typing stretches go into their runs together) must end
        // where receiving one by one up to the first refusal ends.
        var batch = Replica(id: ReplicaExercise.local)
        _ = try? batch.receive(contentsOf: changes)
        var oneByOne = Replica(id: ReplicaExercise.local)
        for change in changes {
            do { _ = try oneByOne.receive(change) } catch { break }
        }
        precondition(batch.snapshot.encoded() == oneByOne.snapshot.encoded(), "a batch received at once ends elsewhere than one by one")
        var replica = Replica(id: ReplicaExercise.local)
        var applied: [ChangeID] = []
        for change in changes {
            do {
                let outcome = try replica.receive(change)
                if case .applied(let ids) = outcome { applied += ids }
                if ReplicaExercise.verbose { trace("receive \(change)\n  -> \(outcome)") }
            } catch {
                if ReplicaExercise.verbose { trace("receive \(change)\n  -> refused: \(error)") }
            }
        }
        // Again: what was refused may apply now (its document may have come since), the rest
        // are duplicates.
        for change in changes {
            if case .applied(let ids)? = try? replica.receive(change) { applied += ids }
        }
        ReplicaExercise.run(&replica, applied: applied)
    }

    /// `StateSnapshot.decode`; what decodes must re-encode canonically.
    @Sendable static func snapshot(_ bytes: [UInt8]) {
        guard let snapshot = try? StateSnapshot.decode(bytes) else { return }
        var total = 0
        for (_, document) in snapshot.documents {
            total &+= document.type.utf8.count
            for (_, field) in document.visibleFields {
                if case .text(let text) = field { total &+= text.string.unicodeScalars.count &+ text.count }
            }
            _ = document.isLive
        }
        let encoded = snapshot.encoded()
        guard let again = try? StateSnapshot.decode(encoded) else { fatalError("a decoded snapshot re-encodes to bytes that do not decode") }
        precondition(again.encoded() == encoded && total >= 0, "a decoded snapshot does not re-encode stably")
    }

    /// `Replica(checkpoint:)`; a checkpoint that restores must give a replica that reads, edits,
    /// checkpoints and restores again without trapping.
    @Sendable static func checkpoint(_ bytes: [UInt8]) {
        guard var replica = try? Replica(checkpoint: bytes) else { return }
        let again = replica.checkpoint()
        guard (try? Replica(checkpoint: again)) != nil else { fatalError("a restored checkpoint re-encodes to bytes that do not restore") }
        ReplicaExercise.run(&replica, applied: nil)
        // Continue from its own checkpoint, edit again, and take in one remote change.
        _ = replica.rebaseOnCheckpoint()
        ReplicaExercise.edit(&replica) { try $0.create("fuzz.rebased", type: "fuzz") }
        var peer = Replica(id: ReplicaExercise.peer)
        if let change = try? peer.makeChange(wallMilliseconds: ReplicaExercise.wall, { try $0.create("fuzz.peer", type: "fuzz") }) {
            _ = try? replica.receive(change)
        }
        ReplicaExercise.read(replica)
    }
}
