/// A document's fields, kept as an array sorted by key (name bytes, then kind).
///
/// Documents hold about ten fields: a short sorted array beats a hash table in both speed and
/// memory here, and its order is already the canonical encoding order.
struct FieldTable: Sendable {
    private(set) var entries: [(key: FieldKey, field: Field)] = []

    init() {}

    var keys: [FieldKey] { entries.map(\.key) }

    private func position(of key: FieldKey) -> (index: Int, found: Bool) {
        for (index, entry) in entries.enumerated() {
            if entry.key.name == key.name && entry.key.kind == key.kind { return (index, true) }
            if key < entry.key { return (index, false) }
        }
        return (entries.count, false)
    }

    subscript(key: FieldKey) -> Field? {
        get {
            let (index, found) = position(of: key)
            return found ? entries[index].field : nil
        }
        set {
            let (index, found) = position(of: key)
            switch (found, newValue) {
            case (true, let field?): entries[index].field = field
            case (true, nil): entries.remove(at: index)
            case (false, let field?): entries.insert((key, field), at: index)
            case (false, nil): break
            }
        }
    }

    /// Removes and returns the field, so the caller can mutate it without a copy.
    mutating func removeValue(forKey key: FieldKey) -> Field? {
        let (index, found) = position(of: key)
        return found ? entries.remove(at: index).field : nil
    }
}
