import FlareWire
import NIOConcurrencyHelpers
import NIOCore

/// Every open connection, and those of each vault (for `notify` and `rekeyed`).
final class VaultHub: Sendable {
    private struct Connections {
        var all: [ObjectIdentifier: any Channel] = [:]
        var byVault: [WireID: [ObjectIdentifier: any Channel]] = [:]
    }

    private let connections = NIOLockedValueBox(Connections())

    func add(_ channel: any Channel) {
        connections.withLockedValue { $0.all[ObjectIdentifier(channel)] = channel }
    }

    func add(_ channel: any Channel, to vault: WireID) {
        connections.withLockedValue { $0.byVault[vault, default: [:]][ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        connections.withLockedValue { connections in
            connections.all.removeValue(forKey: ObjectIdentifier(channel))
            for vault in connections.byVault.keys {
                connections.byVault[vault]?.removeValue(forKey: ObjectIdentifier(channel))
                if connections.byVault[vault]?.isEmpty == true { connections.byVault.removeValue(forKey: vault) }
            }
        }
    }

    func all() -> [any Channel] {
        connections.withLockedValue { Array($0.all.values) }
    }

    /// Tells the vault's other connections that it moved to key epoch `epoch`; those of the
    /// revoked keys are refused and closed.
    func rekey(_ vault: WireID, to epoch: UInt64, revoking revoked: [[UInt8]], except sender: any Channel) {
        let others = connections.withLockedValue { $0.byVault[vault].map { Array($0.values) } ?? [] }.filter { $0 !== sender }
        for channel in others { channel.pipeline.fireUserInboundEventTriggered(VaultRekeyed(epoch: epoch, revoked: revoked)) }
    }

    /// Tells the vault's other connections (each sends `notify` once its replies drain).
    func notify(_ vault: WireID, latest: UInt64, except sender: any Channel) {
        let others = connections.withLockedValue { $0.byVault[vault].map { Array($0.values) } ?? [] }.filter { $0 !== sender }
        for channel in others { channel.pipeline.fireUserInboundEventTriggered(VaultNotify(latest: latest)) }
    }
}

extension RelayCounters {
    /// Counts a new connection if fewer than `limit` are open.
    func admit(upTo limit: Int) -> Bool {
        var admitted = false
        update { counts in
            admitted = counts.connectionsOpen < limit
            if admitted {
                counts.connectionsOpen += 1
                counts.connectionsAccepted += 1
            }
        }
        return admitted
    }
}
