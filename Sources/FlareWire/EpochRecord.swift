import FlareBytes

/// A vault's move to a new key epoch, made by the device that revoked others
/// (Protocol/PROTOCOL.md, "Key epochs"): the new epoch's auth public key, who was revoked, the
/// new epoch secret sealed to each remaining device's own key, and the previous epoch's secret
/// sealed under the new data key, so that whoever holds the newest secret can walk back to
/// every older one and nobody holding only an older one can walk forward.
///
/// This type is the record's bytes and their checks; signing, sealing and verifying the
/// signatures are the devices' and the relay's work (they hold the keys).
public struct EpochRecord: Sendable, Equatable {
    /// One remaining device and the epoch secret sealed to its key.
    public struct Member: Sendable, Equatable {
        public let deviceKey: [UInt8]
        public let sealedSecret: [UInt8]

        public init(deviceKey: [UInt8], sealedSecret: [UInt8]) {
            self.deviceKey = deviceKey
            self.sealedSecret = sealedSecret
        }
    }

    /// The most devices a record revokes or keeps: far more than a person's devices, few
    /// enough that a record stays small (about 150 bytes per member).
    public static let mostDevices = 64
    /// The largest epoch number: a vault revokes a device now and then, not billions of times.
    public static let largestEpoch: UInt64 = (1 << 32) - 1
    /// The longest sealed secret accepted (a sealed box of a short plaintext is ~120 bytes).
    public static let longestSealedSecret = 256
    /// The fewest bytes a record takes: one revoked key, one member (the revoker), one-byte boxes.
    public static let smallestEncoding = 16 + 1 + 32 + 32 + 1 + 1 + 32 + 1 + 32 + 1 + 1 + 1 + 1 + 64 + 64
    /// The most bytes a record may take: `mostDevices` revoked and kept, the longest boxes.
    public static let longestEncoding = 16 + 10 + 32 + 32 + 10 + 2 + mostDevices * 32 + 2 + mostDevices * (32 + 2 + longestSealedSecret)
        + 2 + longestSealedSecret + 64 + 64

    public let vault: WireID
    /// This record's epoch: 1 for the first revocation, one more for each after it.
    public let epoch: UInt64
    /// The new epoch's auth public key (from the new epoch secret, CRYPTO.md §2).
    public let authKey: [UInt8]
    /// The device key of the device that made the record.
    public let revoker: [UInt8]
    /// When the record was made, in seconds since 1970 by the revoker's clock.
    public let time: UInt64
    /// The device keys revoked by this record (at least one).
    public let revoked: [[UInt8]]
    /// The devices that keep the vault, each with the new epoch secret sealed to its key.
    public let members: [Member]
    /// The previous epoch's secret, sealed under this epoch's data key.
    public let sealedPrevious: [UInt8]
    /// By the previous epoch's auth key, over `signedBytes`.
    public let parentSignature: [UInt8]
    /// By `revoker`, over `signedBytes`.
    public let revokerSignature: [UInt8]

    /// A record from its parts; throws `malformed` for anything out of range: an epoch of 0
    /// or past `largestEpoch`, keys or signatures of the wrong length, no revoked key, more
    /// than `mostDevices` revoked or kept, a key listed twice or both revoked and kept, a
    /// revoker that is not among the kept, an empty or overlong sealed secret.
    public init(
        vault: WireID, epoch: UInt64, authKey: [UInt8], revoker: [UInt8], time: UInt64, revoked: [[UInt8]], members: [Member],
        sealedPrevious: [UInt8], parentSignature: [UInt8], revokerSignature: [UInt8]
    ) throws(WireError) {
        guard (1...Self.largestEpoch).contains(epoch) else { throw .malformed("an epoch record's epoch is 1 to \(Self.largestEpoch) (got \(epoch))") }
        guard authKey.count == 32, revoker.count == 32, revoked.allSatisfy({ $0.count == 32 }), members.allSatisfy({ $0.deviceKey.count == 32 }) else {
            throw .malformed("an epoch record's keys have 32 bytes")
        }
        guard parentSignature.count == 64, revokerSignature.count == 64 else { throw .malformed("an epoch record's signatures have 64 bytes") }
        guard !revoked.isEmpty, revoked.count <= Self.mostDevices, members.count <= Self.mostDevices else {
            throw .malformed("an epoch record revokes 1 to \(Self.mostDevices) devices and keeps at most \(Self.mostDevices)")
        }
        let keys = revoked + members.map(\.deviceKey)
        guard Set(keys).count == keys.count else { throw .malformed("an epoch record names a device key twice") }
        guard members.contains(where: { $0.deviceKey == revoker }) else { throw .malformed("an epoch record keeps the device that made it") }
        guard members.allSatisfy({ (1...Self.longestSealedSecret).contains($0.sealedSecret.count) }),
            (1...Self.longestSealedSecret).contains(sealedPrevious.count)
        else { throw .malformed("an epoch record's sealed secrets have 1 to \(Self.longestSealedSecret) bytes") }
        self.vault = vault
        self.epoch = epoch
        self.authKey = authKey
        self.revoker = revoker
        self.time = time
        self.revoked = revoked
        self.members = members
        self.sealedPrevious = sealedPrevious
        self.parentSignature = parentSignature
        self.revokerSignature = revokerSignature
    }

    /// What both signatures sign: the label `flare/epoch/v1`, then every field before them.
    public var signedBytes: [UInt8] {
        Self.signedBytes(
            vault: vault, epoch: epoch, authKey: authKey, revoker: revoker, time: time, revoked: revoked, members: members,
            sealedPrevious: sealedPrevious)
    }

    /// The signed bytes of a record being made, before its signatures exist.
    public static func signedBytes(
        vault: WireID, epoch: UInt64, authKey: [UInt8], revoker: [UInt8], time: UInt64, revoked: [[UInt8]], members: [Member], sealedPrevious: [UInt8]
    ) -> [UInt8] {
        var writer = ByteWriter()
        writer.string("flare/epoch/v1")
        writeBody(
            vault: vault, epoch: epoch, authKey: authKey, revoker: revoker, time: time, revoked: revoked, members: members,
            sealedPrevious: sealedPrevious, to: &writer)
        return writer.bytes
    }

    private static func writeBody(
        vault: WireID, epoch: UInt64, authKey: [UInt8], revoker: [UInt8], time: UInt64, revoked: [[UInt8]], members: [Member],
        sealedPrevious: [UInt8], to writer: inout ByteWriter
    ) {
        writer.raw(vault.bytes)
        writer.varint(epoch)
        writer.raw(authKey)
        writer.raw(revoker)
        writer.varint(time)
        writer.varint(revoked.count)
        for key in revoked { writer.raw(key) }
        writer.varint(members.count)
        for member in members {
            writer.raw(member.deviceKey)
            writer.varint(member.sealedSecret.count)
            writer.raw(member.sealedSecret)
        }
        writer.varint(sealedPrevious.count)
        writer.raw(sealedPrevious)
    }

    /// The record's bytes: the body, then the parent's and the revoker's signatures.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        Self.writeBody(
            vault: vault, epoch: epoch, authKey: authKey, revoker: revoker, time: time, revoked: revoked, members: members,
            sealedPrevious: sealedPrevious, to: &writer)
        writer.raw(parentSignature)
        writer.raw(revokerSignature)
        return writer.bytes
    }

    /// Reads a record; throws `WireError` for anything malformed (trailing bytes included),
    /// never traps.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> EpochRecord {
        var reader = ByteReader(bytes)
        do {
            let vault = WireID(Array(try reader.raw(16)))!
            let epoch = try reader.varint()
            let authKey = Array(try reader.raw(32))
            let revoker = Array(try reader.raw(32))
            let time = try reader.varint(atMost: UInt64(Int64.max), "an epoch record's time")
            let revokedCount = try reader.count(minimumSize: 32)
            guard revokedCount <= mostDevices else { throw WireError.malformed("an epoch record revokes at most \(mostDevices) devices") }
            let revoked = try (0..<revokedCount).map { _ in Array(try reader.raw(32)) }
            let memberCount = try reader.count(minimumSize: 33)
            guard memberCount <= mostDevices else { throw WireError.malformed("an epoch record keeps at most \(mostDevices) devices") }
            let members = try (0..<memberCount).map { _ in
                Member(deviceKey: Array(try reader.raw(32)), sealedSecret: Array(try reader.raw(try reader.count())))
            }
            let sealedPrevious = Array(try reader.raw(try reader.count()))
            let parent = Array(try reader.raw(64))
            let signature = Array(try reader.raw(64))
            guard reader.isAtEnd else { throw WireError.malformed("\(reader.remaining) bytes after the epoch record") }
            return try EpochRecord(
                vault: vault, epoch: epoch, authKey: authKey, revoker: revoker, time: time, revoked: revoked, members: members,
                sealedPrevious: sealedPrevious, parentSignature: parent, revokerSignature: signature)
        } catch let error as WireError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
    }
}
