/// An add-wins observed-remove set of strings: an element is present while some add of it
/// has not been seen by a remove of it, so an add concurrent with a remove survives.
public struct AddWinsSet: Hashable, Sendable {
    /// Each present element with the changes whose adds keep it present.
    private(set) var tags: [String: [ChangeID]] = [:]

    init() {}

    init(tags: [String: [ChangeID]]) { self.tags = tags }

    /// The present elements, sorted.
    public var elements: [String] { tags.keys.sorted() }

    /// Whether `element` is present.
    public func contains(_ element: String) -> Bool { tags[element] != nil }

    mutating func add(_ element: String, by change: ChangeID) {
        var list = tags[element] ?? []
        if !list.contains(change) {
            list.append(change)
            list.sort()
        }
        tags[element] = list
    }

    /// Removes the adds of `element` that lie in `past`.
    mutating func remove(_ element: String, past: VersionVector) {
        guard let list = tags[element] else { return }
        let kept = list.filter { !past.includes($0) }
        tags[element] = kept.isEmpty ? nil : kept
    }
}
