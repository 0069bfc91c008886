/// An add-wins observed-remove set of strings: an element is present while some add of it
/// has not been seen by a remove of it, so an add concurrent with a remove survives.
public struct AddWinsSet: Sendable {
    /// Each present element (sorted by UTF-8 bytes) with the changes whose adds keep it present
    /// (sorted). Sets in a journal are small, so a sorted array serves better than a hash table.
    private(set) var tags: [(element: String, adds: [ChangeID])] = []

    init() {}

    init(tags: [(element: String, adds: [ChangeID])]) { self.tags = tags }

    /// The present elements, sorted by UTF-8 bytes.
    public var elements: [String] { tags.map(\.element) }

    /// Whether `element` is present.
    public func contains(_ element: String) -> Bool { position(of: element).found }

    private func position(of element: String) -> (index: Int, found: Bool) {
        for (index, entry) in tags.enumerated() {
            if entry.element == element { return (index, true) }
            if bytewiseLess(element, entry.element) { return (index, false) }
        }
        return (tags.count, false)
    }

    mutating func add(_ element: String, by change: ChangeID) {
        let (index, found) = position(of: element)
        guard found else {
            tags.insert((element, [change]), at: index)
            return
        }
        guard !tags[index].adds.contains(change) else { return }
        tags[index].adds.append(change)
        tags[index].adds.sort()
    }

    /// Removes the adds of `element` that lie in `past`.
    mutating func remove(_ element: String, past: VersionVector) {
        let (index, found) = position(of: element)
        guard found else { return }
        tags[index].adds.removeAll { past.includes($0) }
        if tags[index].adds.isEmpty { tags.remove(at: index) }
    }
}
