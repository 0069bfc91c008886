import FlareCRDT
import FlareStore

extension Journal {
    /// Reverts this device's last change with a new change, which syncs like any edit: a record
    /// it created is deleted; every field it set on a record goes back to the value it had just
    /// before (as this device saw it then). Undoing twice redoes. Returns the ids of the records
    /// it changed.
    ///
    /// A field restored this way also drops what other devices wrote to that same field since;
    /// a delete cannot be undone (a deleted record is not written again); naming the device is
    /// not a change to undo.
    @discardableResult
    public func undoLastChange() throws -> [String] {
        let me = vault.replicaID
        let seq = vault.replica.versionVector[me]
        let changes = try vault.changes()
        guard seq > 0, let last = changes.first(where: { $0.id == ChangeID(replica: me, seq: seq) }) else {
            throw JournalError.nothingToUndo
        }
        var records: [String] = []
        for operation in last.operations where !records.contains(operation.document) { records.append(operation.document) }
        records.removeAll { vault.replica.documents[$0]?.type == Device.recordType }
        guard !records.isEmpty else { throw JournalError.nothingToUndo }
        if last.operations.contains(where: { if case .delete = $0 { true } else { false } }) {
            throw JournalError.cannotUndoDelete
        }

        // The journal as this device saw it just before the change: what the change depended on.
        var past = last.dependencies
        if seq > 1 { past.raise(me, to: seq - 1) }
        var before = Replica(id: ReplicaID(high: 0, low: 0))
        for change in changes where past.includes(change.id) { _ = try before.receive(change) }

        try vault.makeChange { change in
            for id in records {
                let created = last.operations.contains { if case .create(let document, _) = $0 { document == id } else { false } }
                if created {
                    if change.document(id) != nil { try change.delete(id) }
                    continue
                }
                guard let earlier = before.document(id), change.document(id) != nil else { continue }
                let fields = Set(last.operations.filter { $0.document == id }.compactMap(\.field))
                try Self.restore(id, from: earlier, fields: fields, into: &change)
            }
        }
        return records
    }

    /// Writes the `fields` of the record `earlier` holds back onto document `id`, whatever its type.
    private static func restore(_ id: String, from earlier: Document, fields: Set<String>, into change: inout ChangeBuilder) throws {
        var reader = RecordFields(id: id, document: earlier)
        // A time is two registers; restoring one restores both.
        let fields = fields.union(fields.map { $0.hasSuffix("_utc_offset") ? String($0.dropLast(11)) : $0 + "_utc_offset" })
        switch earlier.type {
        case SymptomEntry.recordType: try change.write(try SymptomEntry(reading: &reader), as: id, fields: fields)
        case Treatment.recordType: try change.write(try Treatment(reading: &reader), as: id, fields: fields)
        case TreatmentEvent.recordType: try change.write(try TreatmentEvent(reading: &reader), as: id, fields: fields)
        case DoseChange.recordType: try change.write(try DoseChange(reading: &reader), as: id, fields: fields)
        case CheckIn.recordType: try change.write(try CheckIn(reading: &reader), as: id, fields: fields)
        default: throw JournalError.wrongType(record: id, expected: "a journal record", found: earlier.type)
        }
    }
}
