import FlareCRDT
import FlareCrypto
import FlareStore
import Foundation

/// A person's journal on one device: typed records over the vault's CRDT documents.
///
/// Every method that writes validates first (record initialisers refuse bad values) and then
/// writes one change in one transaction, so a refused call writes nothing.
public final class Journal {
    /// The vault the journal lives in.
    public let vault: Vault

    public init(vault: Vault) {
        self.vault = vault
    }

    // MARK: Writing

    /// Logs a new symptom entry; returns its id.
    @discardableResult
    public func log(_ entry: SymptomEntry) throws -> String { try addRecord(entry) }

    /// Adds a new treatment; returns its id.
    @discardableResult
    public func add(_ treatment: Treatment) throws -> String { try addRecord(treatment) }

    /// Records a treatment event; its treatment must exist. Returns its id.
    @discardableResult
    public func record(_ event: TreatmentEvent) throws -> String {
        _ = try stored(event.treatment, as: Treatment.self)
        return try addRecord(event)
    }

    /// Writes the check-in of its day: the first one creates it, later ones (from any device)
    /// update the fields they set. Returns its id.
    @discardableResult
    public func checkIn(_ checkIn: CheckIn) throws -> String {
        let id = CheckIn.id(for: checkIn.day)
        try vault.makeChange { try $0.write(checkIn, as: id) }
        return id
    }

    /// Replaces the record `id` with `record`, writing only the fields that changed. Returns
    /// false, writing nothing, when nothing changed.
    @discardableResult
    public func update<Record: JournalRecord>(_ id: String, to record: Record) throws -> Bool {
        _ = try stored(id, as: Record.self)
        do {
            try vault.makeChange { try $0.write(record, as: id) }
            return true
        } catch EditError.emptyChange {
            return false
        }
    }

    /// Deletes the record `id`. An edit another device makes concurrently keeps it (and shows
    /// it again after syncing), so nothing typed elsewhere is lost.
    public func delete(_ id: String) throws {
        guard vault.replica.document(id) != nil else { throw JournalError.unknownRecord(id) }
        try vault.makeChange { try $0.delete(id) }
    }

    private func addRecord<Record: JournalRecord>(_ record: Record) throws -> String {
        let id = Self.newID(prefix: Record.idPrefix)
        try vault.makeChange { try $0.write(record, as: id) }
        return id
    }

    /// A new record id: the type's letter and eight random characters (40 bits), short enough
    /// to type in `flare show`.
    static func newID(prefix: String) -> String {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        let random = Random.bytes(8).map { alphabet[Int($0) % alphabet.count] }
        return "\(prefix)-" + String(random)
    }

    // MARK: Reading

    /// The record `id` as `Record`, what of it could not be read, and its fields' conflicts.
    public func stored<Record: JournalRecord>(_ id: String, as type: Record.Type) throws -> Stored<Record> {
        guard let document = vault.replica.document(id) else { throw JournalError.unknownRecord(id) }
        guard document.type == Record.recordType else {
            throw JournalError.wrongType(record: id, expected: Record.recordType, found: document.type)
        }
        var fields = RecordFields(id: id, document: document)
        let record = try Record(reading: &fields)
        return Stored(id: id, record: record, problems: fields.problems, conflicts: Conflict.all(in: document, id: id))
    }

    /// Every live record of `Record`'s type, with its id, sorted by id. Records that cannot be
    /// read at all are left out and listed in the second value.
    public func all<Record: JournalRecord>(_ type: Record.Type) -> (records: [Stored<Record>], unreadable: [JournalError]) {
        var records: [Stored<Record>] = []
        var unreadable: [JournalError] = []
        for id in vault.replica.liveDocumentIDs {
            guard let document = vault.replica.document(id), document.type == Record.recordType else { continue }
            switch Self.read(Record.self, id, document) {
            case .success(let stored): records.append(stored)
            case .failure(let error): unreadable.append(error)
            }
        }
        return (records, unreadable)
    }

    /// The document `id` read as `Record`.
    static func read<Record: JournalRecord>(_ type: Record.Type, _ id: String, _ document: Document) -> Result<Stored<Record>, JournalError> {
        var fields = RecordFields(id: id, document: document)
        do throws(JournalError) {
            let record = try Record(reading: &fields)
            return .success(Stored(id: id, record: record, problems: fields.problems, conflicts: Conflict.all(in: document, id: id)))
        } catch {
            return .failure(error)
        }
    }

    /// Every register conflict in the journal: fields that devices wrote concurrently, where
    /// the winner shows and the others wait to be chosen.
    public func conflicts() -> [Conflict] {
        vault.replica.liveDocumentIDs.flatMap { id in Conflict.all(in: vault.replica.document(id)!, id: id) }
    }

    /// Resolves a conflict by writing `value` as the field's value; the write follows every
    /// write it saw, so it wins everywhere once synced.
    public func resolve(_ conflict: Conflict, choosing value: Scalar) throws {
        guard conflict.candidates.contains(value) else {
            throw JournalError.invalidValue(
                field: conflict.field, value: value.description,
                expected: "one of " + conflict.candidates.map(\.description).joined(separator: ", "))
        }
        try vault.makeChange { try $0.set(conflict.record, conflict.field, to: value) }
    }

    /// Every edit of the record `id` (only of `field`, if given), oldest first, with the device
    /// and the time of each.
    public func history(of id: String, field: String? = nil) throws -> [HistoryEntry] {
        guard vault.replica.documents[id] != nil else { throw JournalError.unknownRecord(id) }
        return try vault.history(of: id, field: field)
    }
}

/// A record as stored: its id, the record, what could not be read, and its conflicts.
public struct Stored<Record: JournalRecord>: Sendable {
    public let id: String
    public let record: Record
    public let problems: [JournalError]
    public let conflicts: [Conflict]
}

/// A field that devices wrote concurrently: the value shown (the winner by clock and device)
/// and the others.
public struct Conflict: Hashable, Sendable {
    public let record: String
    public let field: String
    public let shown: Scalar
    public let others: [Scalar]

    /// Every value one could choose.
    public var candidates: [Scalar] { [shown] + others }

    /// Which field of which record, whatever its values.
    public var place: String { "\(record)\u{0}\(field)" }

    /// The fields of `document` whose concurrent writes hold different values. Devices that
    /// wrote the same value apart agree: that is no conflict for a person to resolve.
    static func all(in document: Document, id: String) -> [Conflict] {
        document.visibleFields.compactMap { name, field in
            guard case .register(let register) = field else { return nil }
            var others: [Scalar] = []
            for value in register.conflicts.map(\.value) where value != register.winner.value && !others.contains(value) {
                others.append(value)
            }
            guard !others.isEmpty else { return nil }
            return Conflict(record: id, field: name, shown: register.winner.value, others: others)
        }
    }
}
