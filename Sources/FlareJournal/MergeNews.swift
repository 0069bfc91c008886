import FlareCRDT

/// What a merge (a sync, an imported changes file) brought that the person should hear of:
/// fields now in conflict, records a delete did not remove because another device edited
/// them meanwhile, and notes whose edits made apart overlapped.
public struct MergeNews: Sendable {
    /// A record that a delete did not remove: devices edited it without having seen the delete.
    public struct Kept: Sendable {
        public let id: String
        public let type: String
        /// The devices that deleted it.
        public let deletedBy: [ReplicaID]
        /// The devices whose edits keep it.
        public let keptBy: [ReplicaID]
    }

    /// What was so before the merge, to tell what it brought.
    public struct Baseline: Sendable {
        let conflicts: Set<String>
        let kept: Set<String>
        let version: VersionVector
    }

    public let conflicts: [Conflict]
    public let kept: [Kept]
    public let overlaps: [TextOverlap]

    public var isEmpty: Bool { conflicts.isEmpty && kept.isEmpty && overlaps.isEmpty }
}

extension Journal {
    /// What `news(since:)` compares with: take it before a merge.
    public func baseline() -> MergeNews.Baseline {
        MergeNews.Baseline(
            conflicts: Set(conflicts().map(\.place)), kept: Set(keptIDs()), version: vault.replica.versionVector)
    }

    /// What the changes applied since `baseline` brought. Overlapping note edits are looked
    /// for only in the records those changes edited as text, so a merge that brought none
    /// reads no history.
    public func news(since baseline: MergeNews.Baseline) throws -> MergeNews {
        let conflicts = conflicts().filter { !baseline.conflicts.contains($0.place) }
        let newKept = keptIDs().filter { !baseline.kept.contains($0) }
        let arrived = try vault.changes(notIn: baseline.version)
        let edited = Set(arrived.flatMap { change in
            change.operations.compactMap { operation -> String? in
                switch operation {
                case .insertText(let document, _, _, _), .deleteText(let document, _, _): return document
                default: return nil
                }
            }
        })
        let log = newKept.isEmpty && edited.isEmpty ? [] : try vault.changes()
        let overlaps = edited.isEmpty ? [] : TextOverlap.find(in: log, documents: edited).filter { isLive($0.document) }
        let kept = newKept.map { id in
            let deleters = log.filter { change in change.operations.contains { $0 == .delete(document: id) } }.map(\.id.replica)
            return MergeNews.Kept(
                id: id, type: vault.replica.document(id)?.type ?? "", deletedBy: Self.unique(deleters),
                keptBy: vault.replica.document(id)?.keptAliveBy ?? [])
        }
        return MergeNews(conflicts: conflicts, kept: kept, overlaps: overlaps)
    }

    /// Notes (and other text fields) whose edits made apart overlapped and that no edit since
    /// has settled, in live records.
    public func textConflicts() throws -> [TextOverlap] {
        TextOverlap.find(in: try vault.changes()).filter { isLive($0.document) }
    }

    /// Settles `overlap` with `text`, written as an edit that has seen every version; written
    /// even when `text` is the merged text as it stands, so the overlap closes.
    public func resolve(_ overlap: TextOverlap, with text: String) throws {
        guard let document = vault.replica.document(overlap.document), document.isLive,
            case .text(let current)? = document.field(overlap.field)
        else { throw JournalError.unknownRecord(overlap.document) }
        try vault.makeChange { change in
            if current.string == text {
                // Rewritten whole: an edit that changes nothing would write nothing.
                try change.replaceText(overlap.document, overlap.field, from: current.string, to: "")
                try change.replaceText(overlap.document, overlap.field, from: "", to: text)
            } else {
                try change.replaceText(overlap.document, overlap.field, from: current.string, to: text)
            }
        }
    }

    /// Live records that a delete did not remove.
    private func keptIDs() -> [String] {
        vault.replica.liveDocumentIDs.filter { !(vault.replica.document($0)?.keptAliveBy.isEmpty ?? true) }
    }

    private func isLive(_ id: String) -> Bool { vault.replica.document(id)?.isLive ?? false }

    private static func unique(_ replicas: [ReplicaID]) -> [ReplicaID] {
        var seen: Set<ReplicaID> = []
        return replicas.filter { seen.insert($0).inserted }
    }
}
