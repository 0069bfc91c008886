import FlareCRDT

/// A device's name, so history and conflicts can say "phone" instead of a replica id. It is a
/// record like the others, so every device learns every name by syncing.
public struct Device: JournalRecord {
    public static let recordType = "device"
    public static let idPrefix = "d"

    public var name: String

    public init(name: String) throws(JournalError) {
        guard let name = try Check.label(name, field: "device name") else { throw .missing(field: "device name") }
        self.name = name
    }

    /// The document id of `replica`'s device record.
    public static func id(for replica: ReplicaID) -> String { "device-\(replica)" }

    public var fields: [String: FieldValue] { ["name": .scalar(.string(name))] }

    public init(reading fields: inout RecordFields) throws(JournalError) {
        guard let name = fields.string("name") else { throw .unreadable(record: fields.id, field: "name", found: "nothing") }
        self.name = name
    }
}

extension Journal {
    /// Names this device.
    public func nameThisDevice(_ device: Device) throws {
        let id = Device.id(for: vault.replicaID)
        try vault.makeChange { try $0.write(device, as: id) }
    }

    /// Every device's name, by replica.
    public func deviceNames() -> [ReplicaID: String] {
        var names: [ReplicaID: String] = [:]
        // Device records are found by their ids, so no other document is decoded.
        for id in vault.replica.liveDocumentIDs where id.hasPrefix("device-") {
            guard let replica = ReplicaID(hex: String(id.dropFirst("device-".count))), let document = vault.replica.document(id),
                document.type == Device.recordType, case .success(let stored) = Self.read(Device.self, id, document)
            else { continue }
            names[replica] = stored.record.name
        }
        return names
    }
}
