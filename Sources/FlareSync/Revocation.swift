import FlareBytes
import FlareCrypto
import FlareStore
import FlareWire

/// Key epochs at the relay (PROTOCOL.md §5, "Key epochs"; CRYPTO.md §13): a device learns the
/// epochs it lacks before it seals or opens anything, and a device revokes others by moving the
/// vault to a new epoch that leaves them out.
extension SyncClient {
    /// What a revocation did.
    public struct Revocation: Sendable {
        /// The vault's key epoch now.
        public let epoch: UInt64
        /// The device keys this device revoked (empty when another device had revoked them all).
        public let revoked: [[UInt8]]
        /// The devices that keep the vault, this one included.
        public let kept: [[UInt8]]
        /// The recovery code of the new epoch: it admits a device to the vault from now on,
        /// and every code before it does not.
        public let recoveryCode: String
    }

    /// Revokes the device keys `keys` from the vault at its relay: the relay refuses them from
    /// now on, and the vault moves to a new key epoch sealed to every other admitted device.
    /// Another device's revocation at the same moment is taken in first (and a key it revoked
    /// already is not revoked twice). Throws `notRevocable` for a key the relay does not admit
    /// to the vault, or this device's own.
    public func revoke(_ keys: [[UInt8]], in vault: Vault, relay: RelayAddress? = nil) async throws -> Revocation {
        guard var state = try SyncState.load(from: vault, relay: relay) else { throw SyncError.noRelay }
        guard !keys.contains(vault.deviceKey.publicKey) else {
            throw SyncError.notRevocable("A device cannot revoke itself; revoke it from another device of the vault.")
        }
        var report = SyncReport(relay: state.relay)
        let result = try await RelayLink.connect(to: state.relay, group: group, timeout: timeout) { link in
            let welcome = try await handshake(Identity(vault), state: &state, link: &link)
            try begin(welcome, state: &state, report: &report, vault: vault)
            try await catchUp(vault, to: welcome.epoch, report: &report, link: &link)
            // Each round either stores the record or learns the epoch that got in first.
            for _ in 0..<8 {
                let devices = try await listDevices(&link)
                let admitted = devices.filter { $0.revokedIn == nil }.map(\.key)
                if let unknown = keys.first(where: { key in !devices.contains { $0.key == key } }) {
                    throw SyncError.notRevocable("The relay does not know device key \(Hex.encode(unknown)) in this vault, so there is nothing to revoke.")
                }
                let revoking = keys.filter { admitted.contains($0) }
                if revoking.isEmpty {
                    // Another device revoked them a moment ago: its epoch is the vault's now.
                    try await catchUp(vault, to: nil, report: &report, link: &link)
                    return Revocation(epoch: vault.keyEpochs?.current ?? 0, revoked: [], kept: admitted, recoveryCode: vault.pairingCode)
                }
                guard let epochs = vault.keyEpochs else { throw SyncError.badEpochRecord(0, "this device has not learnt its key epoch") }
                let keeping = admitted.filter { !revoking.contains($0) }
                // A record names at most that many keys each way; the relay would not take more.
                guard keeping.count <= EpochRecord.mostDevices, revoking.count <= EpochRecord.mostDevices else {
                    throw SyncError.notRevocable(
                        "The relay admits \(admitted.count) device keys to this vault; a revocation can keep and revoke at most \(EpochRecord.mostDevices) each.")
                }
                let record = try EpochChain.record(
                    after: epochs, revoker: vault.deviceKey, revoking: revoking, keeping: keeping, time: vault.wallClock() / 1000)
                try await link.send(.epochPut(record))
                do {
                    guard case .epochStored(let epoch) = try await link.receive(while: "revoking"), epoch == record.epoch else {
                        throw SyncError.protocolViolation("the relay did not answer epoch put with epoch stored")
                    }
                } catch SyncError.refused(.epochConflict, _) {
                    // Another device moved the vault first (or a device was admitted meanwhile).
                    try await catchUp(vault, to: nil, report: &report, link: &link)
                    continue
                }
                // The same path as every other member: the record opens for this device too.
                try vault.adopt(try EpochChain.advance(epochs, by: record, as: vault.deviceKey))
                return Revocation(epoch: record.epoch, revoked: revoking, kept: keeping, recoveryCode: vault.pairingCode)
            }
            throw SyncError.notRevocable("Other devices kept changing the vault's devices; try the revocation again.")
        }
        try vault.setLocalState(SyncState.name, to: state.encoded())
        return result
    }

    /// More key epochs than a vault revokes devices in a lifetime: a relay serving more is not believed.
    static let mostEpochsFetched = 65_536

    /// Every device key the relay admitted to the vault, revoked ones included, a page at a time.
    func listDevices(_ link: inout RelayLink) async throws -> [AdmittedDevice] {
        var devices: [AdmittedDevice] = []
        while true {
            try await link.send(.devicesGet(start: UInt64(devices.count)))
            guard case .devices(let page, let more) = try await link.receive(while: "asking for the devices") else {
                throw SyncError.protocolViolation("the relay did not answer devices get with devices")
            }
            devices += page
            // A relay that says "more" with an empty page would keep this asking forever.
            guard more, !page.isEmpty else { return devices }
            guard devices.count <= Self.mostDevicesListed else {
                throw SyncError.protocolViolation("the relay lists more than \(Self.mostDevicesListed) devices")
            }
        }
    }

    /// Learns the key epochs the relay holds beyond this device's, up to `epoch` (every one
    /// the relay has, when nil), checking each record and opening its secret; a device given
    /// a later epoch's secret (by an invite or recovery code) walks back to every older one.
    /// Throws `revokedHere` when a record leaves this device out.
    func catchUp(_ vault: Vault, to epoch: UInt64?, report: inout SyncReport, link: inout RelayLink) async throws {
        let held = vault.keyEpochs?.current
        if let held, let epoch, held >= epoch {
            guard held == epoch else {
                throw SyncError.protocolViolation(
                    "the relay is at key epoch \(epoch) but this device holds epoch \(held): the relay lost the vault's later epochs "
                        + "(restored from an older backup?), so nothing is sent to it")
            }
            return
        }
        let after = held ?? 0
        var records: [EpochRecord] = []
        while true {
            try await link.send(.epochsGet(after: after + UInt64(records.count)))
            guard case .epochs(let page, let more) = try await link.receive(while: "fetching key epochs") else {
                throw SyncError.protocolViolation("the relay did not answer epochs get with epochs")
            }
            for (offset, record) in page.enumerated() where record.epoch != after + UInt64(records.count + offset) + 1 {
                throw SyncError.protocolViolation("the relay sent key epoch \(record.epoch) out of order")
            }
            records += page
            guard more, !page.isEmpty else { break }
            // A relay that keeps saying "more" cannot fill this device's memory.
            guard records.count < Self.mostEpochsFetched else {
                throw SyncError.protocolViolation("the relay serves more than \(Self.mostEpochsFetched) key epochs")
            }
        }
        if let epoch, after + UInt64(records.count) < epoch {
            throw SyncError.protocolViolation("the relay announced key epoch \(epoch) but holds records only to \(after + UInt64(records.count))")
        }
        if let epochs = vault.keyEpochs {
            guard !records.isEmpty else { return }
            var advanced = epochs
            for record in records { advanced = try EpochChain.advance(advanced, by: record, as: vault.deviceKey) }
            try vault.adopt(advanced)
        } else {
            try vault.adopt(try EpochChain.recover(vault: vault.vaultID, secret: vault.givenSecret, records: records))
        }
        report.newEpochs += records
    }
}
