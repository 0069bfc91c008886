/// Typos: which of the words a command knows a person most likely meant.
public enum Spelling {
    /// The word of `words` nearest to `typed` by edit distance (letters inserted, deleted,
    /// replaced or swapped with a neighbour, ignoring case), when it is near enough to be what
    /// was meant: at most two edits, or a third of the letters for longer words. Ties go to the
    /// word first in alphabetical order, so the suggestion is the same everywhere.
    public static func nearest(to typed: String, among words: some Sequence<String>) -> String? {
        let typed = Array(typed.lowercased())
        let allowed = max(2, typed.count / 3)
        var best: (distance: Int, word: String)?
        for word in words.sorted() {
            let distance = editDistance(typed, Array(word.lowercased()), limit: allowed)
            if distance <= allowed, distance < best?.distance ?? .max { best = (distance, word) }
        }
        return best?.word
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
