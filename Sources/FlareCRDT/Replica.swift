import FlareBytes
/// What receiving a change did.
public enum ReceiveOutcome: Hashable, Sendable {
    /// Applied, together with any buffered changes it unblocked (in the order applied).
    case applied([ChangeID])
    /// Held back until the changes it depends on arrive.
    case buffered
    /// Already applied or already buffered: nothing changed.
    case duplicate
}

/// One device's copy of a vault's documents: the state, the log of every change it holds, its
/// clock, and the buffer of received changes still waiting for their dependencies.
///
/// `Replica` is a value: copying it is cheap until one copy changes, and every mutating method
/// either applies a change completely or throws and leaves the replica as it was.
public struct Replica: Sendable {
    /// This device's id.
    public let id: ReplicaID
    /// The latest clock reading issued or seen.
    public private(set) var clock: HLC
    /// For each replica, the highest seq applied (changes are applied in seq order per replica).
    public private(set) var versionVector: VersionVector
    /// Every document ever created, deleted ones included.
    public internal(set) var documents: DocumentMap
    /// Applied changes still held in memory, per replica: `log[r][i]` has seq
    /// `releasedThrough[r] + 1 + i`.
    private var log: [ReplicaID: [Change]]
    /// Applied changes at or below this vector are no longer held in memory (a store keeps
    /// them on disk); see `releaseLog()`.
    public private(set) var releasedThrough: VersionVector
    /// The clock of every applied change, per replica, indexed by seq - 1: kept after the
    /// changes are released, because a received change must be checked against its
    /// dependencies' clocks.
    private var clocks: [ReplicaID: [HLC]]
    /// Received changes waiting for dependencies.
    private(set) var pending: [ChangeID: Change]
    /// For each not-yet-applied change id, the buffered changes waiting on it.
    private var waiting: [ChangeID: [ChangeID]]

    /// An empty replica.
    public init(id: ReplicaID) {
        self.id = id
        clock = .zero
        versionVector = VersionVector()
        documents = DocumentMap()
        log = [:]
        releasedThrough = VersionVector()
        clocks = [:]
        pending = [:]
        waiting = [:]
    }

    /// A replica restored from its documents, version vector and the clocks of every change
    /// in it, holding no changes in memory (they are all released).
    init(id: ReplicaID, clock: HLC, versionVector: VersionVector, documents: DocumentMap, clocks: [ReplicaID: [HLC]]) {
        self.id = id
        self.clock = clock
        self.versionVector = versionVector
        self.documents = documents
        log = [:]
        releasedThrough = versionVector
        self.clocks = clocks
        pending = [:]
        waiting = [:]
    }

    /// The clocks of every applied change, per replica, indexed by seq - 1.
    var changeClocks: [ReplicaID: [HLC]] { clocks }

    /// A new participant that starts from this replica's state: the same documents, changes,
    /// clocks and buffer, under `id` (give a fresh one, e.g. `ReplicaID.random()`). Its own
    /// changes start at seq 1. Throws `forkIDInUse` when changes of `id` are already here.
    public func forked(as id: ReplicaID) throws(EditError) -> Replica {
        guard id != self.id, versionVector[id] == 0, !pending.keys.contains(where: { $0.replica == id }) else { throw .forkIDInUse(id) }
        var fork = Replica(id: id, clock: clock, versionVector: versionVector, documents: documents, clocks: clocks)
        fork.log = log
        fork.releasedThrough = releasedThrough
        fork.pending = pending
        fork.waiting = waiting
        return fork
    }

    /// Receives every change `other` holds in memory that this replica lacks, in `other`'s
    /// order (each replica's changes by seq), and returns what was applied. Changes `other`
    /// has released (`releaseLog()`) are not in memory to give: a store sends those.
    @discardableResult
    public mutating func merge(_ other: Replica) throws -> [ChangeID] {
        try receive(contentsOf: other.changes(notIn: versionVector))
    }

    /// The live document with `id`, if any.
    public func document(_ id: String) -> Document? {
        guard documents.isLive(id) else { return nil }
        return documents[id]
    }

    /// The ids of live documents, sorted.
    public var liveDocumentIDs: [String] {
        documents.liveIDs.sorted()
    }

    /// How many received changes wait for dependencies.
    public var bufferedCount: Int { pending.count }

    /// The ids of buffered changes, sorted.
    public var bufferedChangeIDs: [ChangeID] { pending.keys.sorted() }

    /// The buffered changes, sorted by id.
    public var bufferedChanges: [Change] { pending.values.sorted { $0.id < $1.id } }

    /// The applied change with `id`, if held in memory.
    public func change(_ id: ChangeID) -> Change? {
        let base = releasedThrough[id.replica]
        guard id.seq > base, let changes = log[id.replica], id.seq - base <= UInt64(changes.count) else { return nil }
        return changes[Int(id.seq - base - 1)]
    }

    /// The clock of the applied change `id`, whether or not the change is still in memory.
    public func clock(of id: ChangeID) -> HLC? {
        guard id.seq > 0, let clocks = clocks[id.replica], id.seq <= UInt64(clocks.count) else { return nil }
        return clocks[Int(id.seq - 1)]
    }

    /// Each replica's latest applied clock: how far ahead of this device's wall clock another
    /// device stamps its changes shows how wrong that device's clock is.
    public var latestClocks: [(replica: ReplicaID, clock: HLC)] {
        versionVector.compactMap { entry in clock(of: ChangeID(replica: entry.replica, seq: entry.seq)).map { (entry.replica, $0) } }
    }

    /// Every applied change held in memory and not included in `known`, in an order that
    /// respects causality (so a receiver applies them without buffering). Changes at or below
    /// `releasedThrough` are not returned: whoever released them serves them.
    public func changes(notIn known: VersionVector = VersionVector()) -> [Change] {
        var result: [Change] = []
        for (replica, changes) in log {
            let base = releasedThrough[replica]
            let have = max(known[replica], base) - base
            if have < UInt64(changes.count) { result.append(contentsOf: changes[Int(have)...]) }
        }
        // A change's clock exceeds its whole causal past's, so clock order is a causal order.
        result.sort { ($0.clock, $0.id) < ($1.clock, $1.id) }
        return result
    }

    /// Makes a local change at wall time `wallMilliseconds`: `edit` records ops through the
    /// builder, which checks each against the state as it stands after the ops before it.
    /// If `edit` throws, or records nothing, nothing changes.
    @discardableResult
    public mutating func makeChange(
        wallMilliseconds: UInt64,
        _ edit: (inout ChangeBuilder) throws -> Void
    ) throws -> Change {
        let own = versionVector[id]
        guard own < Seq.maximum else { throw EditError.sequenceExhausted }
        let seq = own + 1
        let changeID = ChangeID(replica: id, seq: seq)
        let stamp = clock.tick(wallMilliseconds: wallMilliseconds)
        let dependencies = VersionVector(versionVector.filter { $0.replica != id }.map { ($0.replica, $0.seq) })
        // The builder holds a copy of the documents, so it is gone before they change in place.
        let outcome: (operations: [Operation], draft: ChangeDraft?) = try {
            var builder = ChangeBuilder(
                change: Change(id: changeID, clock: stamp, dependencies: dependencies, operations: []),
                documents: documents
            )
            try edit(&builder)
            return (builder.operations, builder.appliedDraft)
        }()
        guard !outcome.operations.isEmpty else { throw EditError.emptyChange }
        let change = Change(id: changeID, clock: stamp, dependencies: dependencies, operations: outcome.operations)
        if let draft = outcome.draft {
            commit(change, touched: draft.touched)
        } else {
            if let failure = applyAlone(change) { throw EditError.inconsistentState(failure) }
            record(change)
        }
        return change
    }

    /// Receives a change made elsewhere (or an echo of one of ours): applies it if its
    /// dependencies are here, buffers it otherwise, and ignores it if already held.
    /// Throws, changing nothing, if the change is malformed.
    @discardableResult
    public mutating func receive(_ change: Change) throws -> ReceiveOutcome {
        let changeID = change.id
        guard changeID.seq > 0 else { throw ChangeRejection.invalidSequence(changeID) }
        // Decoders refuse these already; a change built in memory (a fixture, a test) is
        // held to the same ranges, so nothing past here meets a seq or clock out of range.
        guard changeID.seq <= Seq.maximum, change.dependencies.allSatisfy({ $0.seq <= Seq.maximum }) else {
            throw ChangeRejection.outOfRange(changeID, "a sequence number is past 2^63 - 1")
        }
        guard change.clock.isInRange else {
            throw ChangeRejection.outOfRange(changeID, "its clock (\(change.clock.milliseconds) ms) is past the end of the clock range")
        }
        guard change.dependencies[changeID.replica] == 0 else { throw ChangeRejection.dependsOnItself(changeID) }
        guard !change.operations.isEmpty else { throw ChangeRejection.emptyChange(changeID) }
        if let held = self.change(changeID) ?? pending[changeID] {
            guard held == change else { throw ChangeRejection.conflictingDuplicate(changeID) }
            return .duplicate
        }
        // Applied and released from memory: known to be here, no longer comparable.
        if versionVector.includes(changeID) { return .duplicate }
        if let missing = firstMissingDependency(of: change) {
            hold(change, until: missing)
            return .buffered
        }
        try apply(change)
        var applied = [changeID]
        var unblocked = waiting.removeValue(forKey: changeID) ?? []
        while let nextID = unblocked.popLast() {
            guard let next = pending.removeValue(forKey: nextID) else { continue }
            if let missing = firstMissingDependency(of: next) {
                hold(next, until: missing)
                continue
            }
            do {
                try apply(next)
            } catch {
                // A malformed change that was buffered is dropped: it can never apply, and
                // everything depending on it stays buffered, exactly as if it never came.
                continue
            }
            applied.append(nextID)
            unblocked.append(contentsOf: waiting.removeValue(forKey: nextID) ?? [])
        }
        return .applied(applied)
    }

    /// Buffers `change` until the change `missing` is applied.
    private mutating func hold(_ change: Change, until missing: ChangeID) {
        pending[change.id] = change
        waiting[missing, default: []].append(change.id)
    }

    private func firstMissingDependency(of change: Change) -> ChangeID? {
        let own = versionVector[change.id.replica]
        if own < change.id.seq - 1 { return ChangeID(replica: change.id.replica, seq: own + 1) }
        for entry in change.dependencies where versionVector[entry.replica] < entry.seq {
            return ChangeID(replica: entry.replica, seq: versionVector[entry.replica] + 1)
        }
        return nil
    }

    /// Validates and applies a change whose dependencies are all applied.
    private mutating func apply(_ change: Change) throws {
        let previous = ChangeID(replica: change.id.replica, seq: change.id.seq - 1)
        var latestPast: HLC?
        for dependency in change.dependencies.map({ ChangeID(replica: $0.replica, seq: $0.seq) }) + [previous] {
            guard let earlier = clock(of: dependency) else { continue }
            if earlier >= change.clock { throw ChangeRejection.clockNotAfterDependency(change.id, dependency: dependency) }
            latestPast = max(latestPast ?? earlier, earlier)
        }
        guard change.clock.keepsHorizon(after: latestPast) else {
            throw ChangeRejection.outOfRange(
                change.id, "its clock (\(change.clock.milliseconds) ms) passes the horizon (the end of year 9999) by more than its causal past allows")
        }
        if change.operations.count == 1 {
            if let failure = applyAlone(change) { throw ChangeRejection.invalidOperation(change.id, index: 0, reason: failure) }
            return record(change)
        }
        var draft = ChangeDraft(change: change)
        for (index, operation) in change.operations.enumerated() {
            if let failure = draft.apply(operation, base: documents) {
                throw ChangeRejection.invalidOperation(change.id, index: index, reason: failure)
            }
        }
        commit(change, touched: draft.touched)
    }

    /// Applies a change of one op to its document in place: one op applies completely or
    /// not at all, so it needs no draft, and a long text is not copied. Returns why it cannot
    /// apply, having changed nothing.
    private mutating func applyAlone(_ change: Change) -> String? {
        let operation = change.operations[0]
        let past = change.causalPast
        switch documents.modify(operation.document, { $0.apply(operation, index: 0, change: change, past: past, textOffset: 0) }) {
        case .some(let outcome): return outcome
        case nil: break
        }
        guard var document = Document(createdBy: operation, index: 0, of: change) else { return "document \(operation.document) does not exist" }
        if let failure = document.apply(operation, index: 0, change: change, past: past, textOffset: 0) { return failure }
        documents.store(document, as: operation.document)
        return nil
    }

    private mutating func commit(_ change: Change, touched: [(id: String, document: Document)]) {
        for (documentID, document) in touched { documents.store(document, as: documentID) }
        record(change)
    }

    /// Enters an applied change in the log, the clocks and the version vector.
    mutating func record(_ change: Change) {
        log[change.id.replica, default: []].append(change)
        clocks[change.id.replica, default: []].append(change.clock)
        versionVector.raise(change.id.replica, to: change.id.seq)
        if change.clock > clock { clock = change.clock }
    }

    /// Drops the applied changes from memory, keeping the state, clocks and buffer. For a
    /// store that holds the log on disk: `change(_:)` and `changes(notIn:)` then only see
    /// changes applied after this call.
    public mutating func releaseLog() {
        releasedThrough = versionVector
        log = [:]
    }
}
