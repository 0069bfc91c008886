/// Region words as people type them, and as the journal stores them.
///
/// New entries store canonical words only: an alias is stored as the index regions it means
/// ("shoulders" as "left shoulder girdle" and "right shoulder girdle"), so every device, the
/// report and another client count the same regions without knowing the aliases, and an alias
/// added or changed later cannot change what an old entry meant. Words stored before (aliases,
/// free words) stay as they are and are read through `regions(for:)`.
extension BodyRegion {
    /// Every word Flare knows as a place, sorted: the canonical names, their aliases, the other
    /// places and `widespread`.
    public static let knownWords: [String] = Set(aliases.keys).union(otherPlaces).union([widespread]).sorted()

    /// The canonical words `term` stands for: the names of the index regions an alias means;
    /// a canonical name, another place or `widespread` as it is; nil for a word Flare does not
    /// know.
    public static func canonicalWords(for term: Term) -> Set<Term>? {
        if let regions = aliases[term.text] { return Set(regions.map { Term(normalised: $0.rawValue) }) }
        return isKnown(term) ? [term] : nil
    }

    /// The region words to store for what a person gave: each of `known` must be a word Flare
    /// knows (else it is refused, naming the nearest known word) and is stored as its canonical
    /// words; each of `new` is a place the person means to add, kept as written (or stored as
    /// its canonical words, if Flare knows it after all).
    public static func storedWords(known: [Term], new: [Term]) throws(JournalError) -> Set<Term> {
        var stored: Set<Term> = []
        for term in known {
            guard let words = canonicalWords(for: term) else {
                throw .unknownRegion(term.text, suggestion: suggestion(for: term))
            }
            stored.formUnion(words)
        }
        for term in new { stored.formUnion(canonicalWords(for: term) ?? [term]) }
        return stored
    }

    /// The known word nearest to `term` (`Spelling.nearest`), when it is near enough to be what
    /// was meant.
    public static func suggestion(for term: Term) -> String? { Spelling.nearest(to: term.text, among: knownWords) }

    /// Whether two region words name overlapping places: the index regions they map to
    /// overlap, or, for words that map to none (the other places, `widespread`, free words),
    /// they are the same word.
    public static func overlaps(_ word: Term, _ other: Term) -> Bool {
        let (regions, otherRegions) = (regions(for: word), regions(for: other))
        if regions.isEmpty || otherRegions.isEmpty { return word == other }
        return !regions.isDisjoint(with: otherRegions)
    }
}
