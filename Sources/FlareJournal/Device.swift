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
    public func nameThisDevice(_ device: Device) throws { try rename(vault.replicaID, to: device) }

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

/// A device of the vault as this device knows it: from its name record and the changes of
/// its replica that have arrived here.
public struct KnownDevice: Sendable, Equatable {
    public let replica: ReplicaID
    /// Its name, if its name record has arrived (a device that never synced has none here).
    public let name: String?
    /// When it made its first change (naming itself, when it joined).
    public let joined: HLC?
    /// Its latest change that has arrived here.
    public let lastChange: HLC?
    /// How many of its changes have arrived here.
    public let changes: UInt64
    public let isThisDevice: Bool
}

extension Journal {
    /// Every device this one knows of, this one included, the earliest to join first.
    public func devices() -> [KnownDevice] {
        let names = deviceNames()
        let replicas = Set(vault.replica.versionVector.map(\.replica)).union(names.keys).union([vault.replicaID])
        let seen = vault.replica.versionVector
        return replicas.map { replica in
            let count = seen[replica]
            return KnownDevice(
                replica: replica, name: names[replica], joined: vault.replica.clock(of: ChangeID(replica: replica, seq: 1)),
                lastChange: count == 0 ? nil : vault.replica.clock(of: ChangeID(replica: replica, seq: count)), changes: count,
                isThisDevice: replica == vault.replicaID)
        }.sorted { ($0.joined?.milliseconds ?? .max, $0.replica.description) < ($1.joined?.milliseconds ?? .max, $1.replica.description) }
    }

    /// Renames the device `replica` (this one or another): its name record is a record like
    /// the others, so the new name reaches every device by syncing.
    public func rename(_ replica: ReplicaID, to device: Device) throws {
        let id = Device.id(for: replica)
        try vault.makeChange { try $0.write(device, as: id) }
    }
}
