import FlareBytes

/// The bytes devices sign and relays verify (Protocol/PROTOCOL.md §4): each starts with its
/// own label, so a signature made for one purpose never verifies for another.
public enum Transcript {
    /// What a device signs to authenticate in one session, binding its key to its replica.
    public static func auth(
        vault: WireID, deviceKey: [UInt8], replica: WireID, deviceNonce: [UInt8], relayNonce: [UInt8], session: WireID, version: UInt64
    ) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/auth/v2")
        writer.raw(vault.bytes)
        writer.raw(deviceKey)
        writer.raw(replica.bytes)
        writer.raw(deviceNonce)
        writer.raw(relayNonce)
        writer.raw(session.bytes)
        writer.varint(version)
        return writer.bytes
    }

    /// What the vault auth key signs to admit a device key with its replica.
    public static func admission(vault: WireID, deviceKey: [UInt8], replica: WireID) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/admit/v2")
        writer.raw(vault.bytes)
        writer.raw(deviceKey)
        writer.raw(replica.bytes)
        return writer.bytes
    }

    /// What a device signs to have the relay forget the vault.
    public static func forget(vault: WireID, session: WireID) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/forget/v1")
        writer.raw(vault.bytes)
        writer.raw(session.bytes)
        return writer.bytes
    }
}
