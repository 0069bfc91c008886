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

    /// The known word nearest to `term` by edit distance (letters inserted, deleted, replaced
    /// or swapped with a neighbour), when it is near enough to be what was meant: at most two
    /// edits, or a third of the word's letters for longer words. Ties go to the word first in
    /// alphabetical order, so the suggestion is the same everywhere.
    public static func suggestion(for term: Term) -> String? {
        let typed = Array(term.text)
        let allowed = max(2, typed.count / 3)
        var best: (distance: Int, word: String)?
        for word in knownWords {
            let distance = editDistance(typed, Array(word), limit: allowed)
            if distance <= allowed, distance < best?.distance ?? .max { best = (distance, word) }
        }
        return best?.word
    }

    /// Whether two region words name overlapping places: the index regions they map to
    /// overlap, or, for words that map to none (the other places, `widespread`, free words),
    /// they are the same word.
    public static func overlaps(_ word: Term, _ other: Term) -> Bool {
        let (regions, otherRegions) = (regions(for: word), regions(for: other))
        if regions.isEmpty || otherRegions.isEmpty { return word == other }
        return !regions.isDisjoint(with: otherRegions)
    }

    /// The optimal string alignment distance between `a` and `b`, or any number above `limit`
    /// once it is certain to exceed it (words far apart are not compared to the end).
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        guard abs(a.count - b.count) <= limit else { return limit + 1 }
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous: [Int] = []
        var row = Array(0...b.count)
        for i in 1...a.count {
            var next = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                next[j] = min(row[j] + 1, next[j - 1] + 1, row[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { next[j] = min(next[j], previous[j - 2] + 1) }
            }
            guard let least = next.min(), least <= limit else { return limit + 1 }
            (previous, row) = (row, next)
        }
        return row[b.count]
    }
}
