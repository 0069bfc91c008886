import ArgumentParser
import FlareJournal

/// `flare edit`'s flags that change a symptom entry's lists by a word at a time, keeping the
/// rest: `--add-region neck`, `--remove-trigger "poor sleep"`. (`--region` and the like replace
/// the whole list, so a list is either replaced or changed by words, not both at once.) The
/// result is checked by the record's initialiser when the other fields are applied.
struct SymptomListEdits: ParsableArguments {
    @Option(name: .customLong("add-region")) var addRegions: [String] = []
    @Option(name: .customLong("add-new-region")) var addNewRegions: [String] = []
    @Option(name: .customLong("remove-region")) var removeRegions: [String] = []
    @Option(name: .customLong("add-quality")) var addQualities: [String] = []
    @Option(name: .customLong("remove-quality")) var removeQualities: [String] = []
    @Option(name: .customLong("add-stiffness-timing")) var addStiffnessTiming: [String] = []
    @Option(name: .customLong("remove-stiffness-timing")) var removeStiffnessTiming: [String] = []
    @Option(name: .customLong("add-trigger")) var addTriggers: [String] = []
    @Option(name: .customLong("remove-trigger")) var removeTriggers: [String] = []

    /// `entry` (the record `id`) with the words added and removed; refused when `fields`
    /// also replaces a list changed here.
    func applied(to entry: SymptomEntry, id: String, replacing fields: SymptomOptions) throws -> SymptomEntry {
        try ListEdit.refuseBoth("region", replaced: !fields.regions.isEmpty || !fields.newRegions.isEmpty,
            edited: addRegions.count + addNewRegions.count + removeRegions.count)
        try ListEdit.refuseBoth("quality", replaced: !fields.qualities.isEmpty, edited: addQualities.count + removeQualities.count)
        try ListEdit.refuseBoth("stiffness-timing", replaced: !fields.stiffnessTiming.isEmpty,
            edited: addStiffnessTiming.count + removeStiffnessTiming.count)
        try ListEdit.refuseBoth("trigger", replaced: !fields.triggers.isEmpty, edited: addTriggers.count + removeTriggers.count)
        var entry = entry
        let added = try addedRegions()
        entry.regions = try ListEdit.regions(entry.regions, adding: added, removing: termList(removeRegions, "remove-region"), id: id)
        entry.qualities = try ListEdit.terms(
            entry.qualities, adding: terms(addQualities, "add-quality"), removing: termList(removeQualities, "remove-quality"), name: "quality", id: id)
        entry.stiffnessTiming = try ListEdit.terms(
            entry.stiffnessTiming, adding: terms(addStiffnessTiming, "add-stiffness-timing"),
            removing: termList(removeStiffnessTiming, "remove-stiffness-timing"), name: "stiffness timing", id: id)
        entry.triggers = try ListEdit.terms(
            entry.triggers, adding: terms(addTriggers, "add-trigger"), removing: termList(removeTriggers, "remove-trigger"), name: "trigger", id: id)
        return entry
    }
}

extension SymptomListEdits {
    /// The stored words for `--add-region` and `--add-new-region`; an unknown `--add-region`
    /// is refused with the flag that adds it as written.
    private func addedRegions() throws -> Set<Term> {
        let known = try termList(addRegions, "add-region")
        let new = try termList(addNewRegions, "add-new-region")
        guard let unknown = known.first(where: { BodyRegion.canonicalWords(for: $0) == nil }) else {
            return try BodyRegion.storedWords(known: known, new: new)
        }
        let hint = BodyRegion.suggestion(for: unknown).map { "did you mean \"\($0)\"? " } ?? "`flare log --help` lists the regions. "
        throw CLIError.usage("Unknown region \"\(unknown)\"; \(hint)Use --add-new-region \"\(unknown)\" to add it as a place of your own.")
    }
}

/// `flare edit`'s flags that change a treatment event's side effects a word at a time.
struct EventListEdits: ParsableArguments {
    @Option(name: .customLong("add-side-effect")) var addSideEffects: [String] = []
    @Option(name: .customLong("remove-side-effect")) var removeSideEffects: [String] = []

    /// `event` (the record `id`) with the side effects added and removed; refused when
    /// `fields` also replaces them.
    func applied(to event: TreatmentEvent, id: String, replacing fields: EventOptions) throws -> TreatmentEvent {
        try ListEdit.refuseBoth("side-effect", replaced: !fields.sideEffects.isEmpty, edited: addSideEffects.count + removeSideEffects.count)
        var event = event
        event.sideEffects = try ListEdit.terms(
            event.sideEffects, adding: terms(addSideEffects, "add-side-effect"),
            removing: termList(removeSideEffects, "remove-side-effect"), name: "side effect", id: id)
        return event
    }
}

/// Adding and removing words of a record's list. A word to remove that the list does not hold
/// is refused, naming what it holds: a typo must not pass for a change made.
enum ListEdit {
    static func terms(_ current: Set<Term>, adding: Set<Term>, removing: [Term], name: String, id: String) throws -> Set<Term> {
        var result = current.union(adding)
        for term in removing {
            guard result.remove(term) != nil else { throw missing(term, name: name, in: current, id: id) }
        }
        return result
    }

    /// As `terms`, where a region word also removes the stored words it stands for
    /// ("shoulders" removes both shoulder girdles) and a place of the person's own is removed
    /// as written.
    static func regions(_ current: Set<Term>, adding: Set<Term>, removing: [Term], id: String) throws -> Set<Term> {
        var result = current.union(adding)
        for term in removing {
            let words = result.contains(term) ? [term] : BodyRegion.canonicalWords(for: term) ?? []
            guard !result.intersection(words).isEmpty else { throw missing(term, name: "region", in: current, id: id) }
            result.subtract(words)
        }
        return result
    }

    /// Refuses `--NAME` (which replaces a list) together with `--add-NAME` or `--remove-NAME`.
    static func refuseBoth(_ name: String, replaced: Bool, edited: Int) throws {
        guard replaced, edited > 0 else { return }
        throw CLIError.usage("--\(name) replaces the whole list, so it cannot go with --add-\(name) or --remove-\(name); use one or the other.")
    }

    private static func missing(_ term: Term, name: String, in current: Set<Term>, id: String) -> CLIError {
        let held = current.isEmpty ? "it has none" : "it has " + current.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        return .usage("\(id) has no \(name) \"\(term)\" to remove; \(held). Nothing was changed.")
    }
}
