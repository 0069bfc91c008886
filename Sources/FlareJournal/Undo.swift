import FlareBytes
import FlareCRDT
import FlareStore

/// What one undo or redo did to a record.
public enum UndoEffect: Equatable, Sendable {
    /// Fields went back to their earlier values.
    case reverted(String)
    /// A record the change logged (or brought back) is deleted again.
    case removed(String)
    /// A record the change deleted is back, with every field it had.
    case restored(String)

    public var record: String {
        switch self {
        case .reverted(let id), .removed(let id), .restored(let id): return id
        }
    }
}

extension Journal {
    /// Reverts this device's latest change not yet undone, with a new change that syncs like
    /// any edit: a record it logged is deleted, a record it deleted is back, fields it set go
    /// back to the values they had just before (as this device saw them then). Repeated, it
    /// walks back through this device's changes; `redo()` walks forward again until a new
    /// edit is made.
    ///
    /// A field restored this way also drops what other devices wrote to that same field since;
    /// naming the device is not a change to undo.
    @discardableResult
    public func undo() throws -> [UndoEffect] {
        let (log, changes, own) = try ownChanges()
        guard let target = log.stacks(own: own).done.last else { throw JournalError.nothingToUndo }
        return try revert(target, own: own, changes: changes, noting: .undo(of: target), in: log)
    }

    /// Reverts the latest undo not yet redone (see `undo()`); refused once a new edit follows it.
    @discardableResult
    public func redo() throws -> [UndoEffect] {
        let (log, changes, own) = try ownChanges()
        guard let target = log.stacks(own: own).undone.last else { throw JournalError.nothingToRedo }
        return try revert(target, own: own, changes: changes, noting: .redo(of: target), in: log)
    }

    /// This device's undo log, every change (read and opened once, for both the stacks and
    /// the state before the change reverted), and its own changes by seq (those that edit
    /// journal records: naming the device is not an edit to undo).
    private func ownChanges() throws -> (UndoLog, [Change], [UInt64: Change]) {
        let log = try UndoLog(vault.localState(UndoLog.stateName) ?? [])
        let me = vault.replicaID
        let changes = try vault.changes()
        var own: [UInt64: Change] = [:]
        for change in changes where change.id.replica == me {
            if change.operations.contains(where: { vault.replica.documents[$0.document]?.type != Device.recordType }) {
                own[change.id.seq] = change
            }
        }
        return (log, changes, own)
    }

    /// Makes the change that reverts own change `seq`, noting it in the undo log as `role`.
    private func revert(
        _ seq: UInt64, own: [UInt64: Change], changes: [Change], noting role: UndoLog.Role, in log: UndoLog
    ) throws -> [UndoEffect] {
        guard let last = own[seq] else { throw JournalError.nothingToUndo }
        var records: [String] = []
        for operation in last.operations where !records.contains(operation.document) { records.append(operation.document) }
        records.removeAll { vault.replica.documents[$0]?.type == Device.recordType }

        // The journal as this device saw it just before the change: what the change depended on.
        var past = last.dependencies
        if seq > 1 { past.raise(vault.replicaID, to: seq - 1) }
        var before = Replica(id: ReplicaID(high: 0, low: 0))
        for change in changes where past.includes(change.id) { _ = try before.receive(change) }

        // Read before the write: inside it, the batch holds the replica.
        let types = Dictionary(uniqueKeysWithValues: records.map { ($0, vault.replica.documents[$0]?.type ?? "") })
        var noted = log
        noted.roles[vault.replica.versionVector[vault.replicaID] + 1] = role
        var effects: [UndoEffect] = []
        try vault.write(settingLocalState: LocalState(name: UndoLog.stateName, bytes: noted.encoded)) { batch in
            _ = try batch.makeChange { change in
                for id in records {
                    let wasLive = before.document(id) != nil
                    let isLive = change.document(id) != nil
                    if last.operations.contains(.create(document: id, type: types[id] ?? "")) && !wasLive {
                        // It logged (or brought back) the record: delete it again.
                        if isLive {
                            try change.delete(id)
                            effects.append(.removed(id))
                        }
                    } else if last.operations.contains(.delete(document: id)) && wasLive {
                        if !isLive {
                            try change.revive(id)
                            effects.append(.restored(id))
                        }
                    } else if let earlier = before.document(id), isLive {
                        let fields = Set(last.operations.filter { $0.document == id }.compactMap(\.field))
                        try Self.restore(id, from: earlier, fields: fields, into: &change)
                        effects.append(.reverted(id))
                    }
                }
            }
        }
        return effects
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

/// Which of this device's changes undid or redid which, kept on this device only (undo is
/// per device: another device's edits are not this person's to take back here).
struct UndoLog: Equatable {
    enum Role: Equatable {
        /// Reverted own change `of`.
        case undo(of: UInt64)
        /// Reverted the undo change `of`.
        case redo(of: UInt64)
    }

    static let stateName = "undo"

    /// By the seq of the change that played the role.
    var roles: [UInt64: Role] = [:]

    /// Reads what `encoded` wrote; empty bytes are an empty log.
    init(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        var reader = ByteReader(bytes)
        guard try reader.byte() == 1 else { throw JournalError.unreadable(record: "this device's undo history", field: "version", found: "another version") }
        let count = try reader.count(minimumSize: 3)
        for _ in 0..<count {
            let seq = try reader.seq()
            let kind = try reader.byte()
            let target = try reader.seq()
            guard kind <= 1, target < seq else { throw DecodingError.invalidValue("an undo entry that does not follow what it reverts", at: reader.position) }
            roles[seq] = kind == 0 ? .undo(of: target) : .redo(of: target)
        }
        guard reader.isAtEnd else { throw DecodingError.trailingBytes(at: reader.position) }
    }

    /// Version 1: count, then (seq, 0 undo / 1 redo, target seq) in seq order.
    var encoded: [UInt8] {
        var writer = ByteWriter()
        writer.byte(1)
        writer.varint(roles.count)
        for (seq, role) in roles.sorted(by: { $0.key < $1.key }) {
            writer.varint(seq)
            switch role {
            case .undo(let target): writer.byte(0); writer.varint(target)
            case .redo(let target): writer.byte(1); writer.varint(target)
            }
        }
        return writer.bytes
    }

    /// What undo and redo would revert next, last on top: own changes (and redos) not undone,
    /// and undos not redone. A plain edit empties `undone`: what it changed is the new state.
    func stacks(own: [UInt64: Change]) -> (done: [UInt64], undone: [UInt64]) {
        var done: [UInt64] = []
        var undone: [UInt64] = []
        for seq in own.keys.sorted() {
            switch roles[seq] {
            case .undo(let target)?:
                if let index = done.lastIndex(of: target) { done.remove(at: index) }
                undone.append(seq)
            case .redo(let target)?:
                if let index = undone.lastIndex(of: target) { undone.remove(at: index) }
                done.append(seq)
            case nil:
                done.append(seq)
                undone = []
            }
        }
        return (done, undone)
    }
}
