/// Edits of one text field made apart that erased the same characters: both devices deleted
/// or replaced one stretch. The merge keeps both new texts side by side (nothing typed is
/// lost), which reads as neither device's text, so a person should see each version and choose.
///
/// An overlap is open until a later edit of the field has seen every edit in it: an edit made
/// with the merged text in view is the person's answer.
public struct TextOverlap: Sendable {
    /// One of the overlapping edits, and the text as its device had it just after.
    public struct Version: Sendable {
        public let change: ChangeID
        public let clock: HLC
        public let text: String
    }

    public let document: String
    public let field: String
    /// The overlapping edits, in log order.
    public let versions: [Version]

    /// The open overlaps in `changes` (a log: every change after those in its causal past),
    /// for the documents in `documents` (every document when nil).
    public static func find(in changes: [Change], documents: Set<String>? = nil) -> [TextOverlap] {
        var edits: [Place: [Int]] = [:]
        for (index, change) in changes.enumerated() {
            var places: Set<Place> = []
            for operation in change.operations {
                guard let place = Place(operation), documents?.contains(place.document) ?? true else { continue }
                places.insert(place)
            }
            for place in places { edits[place, default: []].append(index) }
        }
        return edits.keys.sorted().compactMap { place in
            overlap(at: place, among: edits[place]!.map { changes[$0] }, log: changes)
        }
    }

    /// The open overlap among `edits` (the changes that edited the text at `place`, in log
    /// order), if any.
    private static func overlap(at place: Place, among edits: [Change], log: [Change]) -> TextOverlap? {
        let erased = edits.map { change in
            change.operations.flatMap { operation -> [ElementRange] in
                guard case .deleteText(place.document, place.field, let ranges) = operation else { return [] }
                return ranges
            }
        }
        // Only edits of different replicas can be concurrent, so one device's long history of a
        // text costs one pass, not a comparison of every pair.
        let erasing = edits.indices.filter { !erased[$0].isEmpty }
        var involved: Set<Int> = []
        for (position, b) in erasing.enumerated() {
            for a in erasing[..<position] where edits[a].id.replica != edits[b].id.replica {
                let (first, second) = (edits[a], edits[b])
                guard !second.causalPast.includes(first.id), !first.causalPast.includes(second.id),
                    Self.intersect(erased[a], erased[b]),
                    // Settled by a later edit that saw both; the latest are likeliest to have.
                    !edits[(b + 1)...].reversed().contains(where: { $0.causalPast.includes(first.id) && $0.causalPast.includes(second.id) })
                else { continue }
                involved.formUnion([a, b])
            }
        }
        guard !involved.isEmpty else { return nil }
        let versions = involved.sorted().map { index in
            Version(change: edits[index].id, clock: edits[index].clock, text: text(at: place, through: edits[index].causalPast, log: log))
        }
        return TextOverlap(document: place.document, field: place.field, versions: versions)
    }

    /// Whether any range of `a` shares a character with any range of `b`.
    private static func intersect(_ a: [ElementRange], _ b: [ElementRange]) -> Bool {
        a.contains { x in
            b.contains { y in
                x.first.change == y.first.change
                    && UInt64(x.first.offset) < UInt64(y.first.offset) + UInt64(y.count)
                    && UInt64(y.first.offset) < UInt64(x.first.offset) + UInt64(x.count)
            }
        }
    }

    /// The text at `place` as it stood with the changes of `past` applied, replayed from `log`.
    private static func text(at place: Place, through past: VersionVector, log: [Change]) -> String {
        var sequence = TextSequence()
        for change in log where past.includes(change.id) {
            var offset: UInt32 = 0
            for operation in change.operations {
                switch operation {
                case .insertText(place.document, place.field, let anchor, let text):
                    _ = sequence.insert(Array(text.unicodeScalars), first: ElementID(change: change.id, offset: offset), at: anchor)
                case .deleteText(place.document, place.field, let ranges):
                    _ = sequence.delete(ranges)
                default:
                    break
                }
                // As `ChangeDraft` numbers them: the inserts of a change take consecutive offsets.
                offset &+= operation.insertedCount
            }
        }
        return sequence.string
    }

    /// A text field of a document.
    private struct Place: Hashable, Comparable {
        let document: String
        let field: String

        init?(_ operation: Operation) {
            switch operation {
            case .insertText(let document, let field, _, _), .deleteText(let document, let field, _):
                (self.document, self.field) = (document, field)
            default:
                return nil
            }
        }

        static func < (lhs: Place, rhs: Place) -> Bool { (lhs.document, lhs.field) < (rhs.document, rhs.field) }
    }
}
