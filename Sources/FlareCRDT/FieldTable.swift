/// A document's fields, kept sorted by key (name bytes, then kind).
///
/// Documents hold about ten fields: short sorted arrays beat a hash table in both speed and
/// memory here, and their order is already the canonical encoding order. Keys sit apart from
/// the fields so a search reads only keys.
struct FieldTable: Sendable {
    private(set) var keys: [FieldKey] = []
    private var fields: [Field] = []

    init() {}

    var entries: Zip2Sequence<[FieldKey], [Field]> { zip(keys, fields) }

    private func position(of key: FieldKey) -> (index: Int, found: Bool) {
        for index in keys.indices {
            let candidate = keys[index]
            if candidate.kind == key.kind && candidate.name == key.name { return (index, true) }
            if key < candidate { return (index, false) }
        }
        return (keys.count, false)
    }

    subscript(key: FieldKey) -> Field? {
        get {
            let (index, found) = position(of: key)
            return found ? fields[index] : nil
        }
        set {
            let (index, found) = position(of: key)
            switch (found, newValue) {
            case (true, let field?): fields[index] = field
            case (true, nil):
                keys.remove(at: index)
                fields.remove(at: index)
            case (false, let field?):
                keys.insert(key, at: index)
                fields.insert(field, at: index)
            case (false, nil): break
            }
        }
    }

    /// Removes and returns the field, so the caller can mutate it without a copy.
    mutating func removeValue(forKey key: FieldKey) -> Field? {
        let (index, found) = position(of: key)
        guard found else { return nil }
        keys.remove(at: index)
        return fields.remove(at: index)
    }
}
