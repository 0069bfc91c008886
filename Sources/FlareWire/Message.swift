import FlareBytes

/// The error codes of Protocol/PROTOCOL.md §6.
public enum ErrorCode: UInt16, CaseIterable, Sendable {
    case malformed = 1, frameTooLarge, unsupportedVersion, authFailed, unknownVault, badInvite, seqGap, quotaExceeded
    case rateLimited, shuttingDown, `internal`, storageFull
    /// A device pushed envelopes of a replica that is not its own.
    case forbidden
    /// The device key was revoked from the vault: it is not admitted again, by any code.
    case revoked
    /// Envelopes sealed under an older key epoch than the vault's: fetch the new epoch, seal again.
    case staleEpoch
    /// An epoch record that does not follow the vault's current epoch and devices.
    case epochConflict
}

/// Per replica, the highest seq held.
public typealias HighWaterMarks = [(replica: WireID, seq: UInt64)]

/// A device key admitted to a vault, as a relay lists it (`devices`).
public struct AdmittedDevice: Sendable, Equatable {
    /// The device's Ed25519 public key.
    public let key: [UInt8]
    /// The replica the key is bound to; nil for a key admitted before relays bound replicas
    /// (protocol version 1) that has not authenticated since.
    public let replica: WireID?
    /// When the relay admitted the key, in seconds since 1970 (0: not known).
    public let joined: UInt64
    /// When the device last authenticated, in seconds since 1970 (0: not since the relay
    /// started keeping it).
    public let lastSeen: UInt64
    /// The key epoch whose record revoked the key; nil while it is admitted.
    public let revokedIn: UInt64?

    public init(key: [UInt8], replica: WireID?, joined: UInt64, lastSeen: UInt64, revokedIn: UInt64? = nil) {
        self.key = key
        self.replica = replica
        self.joined = joined
        self.lastSeen = lastSeen
        self.revokedIn = revokedIn
    }
}

/// Every message of the sync protocol (Protocol/PROTOCOL.md §3), with its byte encoding.
public enum Message: Sendable {
    /// `replica` is nil only in a hello whose highest version is 1 (it has no replica field);
    /// a relay answers such a hello `unsupportedVersion`.
    case hello(lowestVersion: UInt64, highestVersion: UInt64, vault: WireID, deviceKey: [UInt8], nonce: [UInt8], replica: WireID?)
    case challenge(version: UInt64, nonce: [UInt8], session: WireID, maximumFrame: UInt32, idleSeconds: UInt64)
    case auth(signature: [UInt8])
    case join(vaultAuthKey: [UInt8], admission: [UInt8], invite: String, signature: [UInt8])
    /// `epoch` is the vault's current key epoch at the relay.
    case welcome(store: WireID, serverSeq: UInt64, held: HighWaterMarks, epoch: UInt64)
    case push([Envelope])
    case ack(held: HighWaterMarks, stored: UInt64, serverSeq: UInt64)
    case pull(afterServerSeq: UInt64, maximumBytes: UInt64)
    case batch([(serverSeq: UInt64, envelope: Envelope)], more: Bool)
    case notify(latestServerSeq: UInt64)
    case snapshotPut(covers: HighWaterMarks, sealed: [UInt8])
    case snapshotGet
    case snapshot(covers: HighWaterMarks, sealed: [UInt8])
    case forget(signature: [UInt8])
    case forgotten
    /// Asks for the vault's admitted devices from the `start`th on (0-based).
    case devicesGet(start: UInt64)
    case devices([AdmittedDevice], more: Bool)
    /// Leaves a one-time invitation at the relay, under the lookup id of an invite code, until
    /// `expires` (seconds since 1970).
    case invitePut(lookup: WireID, expires: UInt64, sealed: [UInt8])
    case inviteStored
    /// Takes (and so spends) the invitation under `lookup`, instead of authenticating.
    case inviteTake(lookup: WireID)
    case invitation(sealed: [UInt8], expires: UInt64)
    /// Asks for the vault's epoch records after epoch `after`.
    case epochsGet(after: UInt64)
    /// Epoch records in order, and whether more follow.
    case epochs([EpochRecord], more: Bool)
    /// Moves the vault to the record's epoch, revoking the device keys it names.
    case epochPut(EpochRecord)
    case epochStored(epoch: UInt64)
    /// Sent unasked to a vault's connections when it moved to a new key epoch.
    case rekeyed(epoch: UInt64)
    case ping(nonce: UInt32)
    case pong(nonce: UInt32)
    case error(ErrorCode, message: String)

    /// The message type byte.
    public var type: UInt8 {
        switch self {
        case .hello: 0x01
        case .challenge: 0x02
        case .auth: 0x03
        case .join: 0x04
        case .welcome: 0x05
        case .push: 0x10
        case .ack: 0x11
        case .pull: 0x12
        case .batch: 0x13
        case .notify: 0x14
        case .snapshotPut: 0x20
        case .snapshotGet: 0x21
        case .snapshot: 0x22
        case .forget: 0x30
        case .forgotten: 0x31
        case .devicesGet: 0x50
        case .devices: 0x51
        case .invitePut: 0x52
        case .inviteStored: 0x53
        case .inviteTake: 0x54
        case .invitation: 0x55
        case .epochsGet: 0x56
        case .epochs: 0x57
        case .epochPut: 0x58
        case .epochStored: 0x59
        case .rekeyed: 0x5a
        case .ping: 0x40
        case .pong: 0x41
        case .error: 0x7f
        }
    }

    /// The longest idle timeout a `challenge` may announce: one day.
    public static let maximumIdleSeconds: UInt64 = 86_400

    /// The payload: the type byte, then the body.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.byte(type)
        switch self {
        case .hello(let lowest, let highest, let vault, let deviceKey, let nonce, let replica):
            writer.varint(lowest)
            writer.varint(highest)
            writer.raw(vault.bytes)
            writer.raw(deviceKey)
            writer.raw(nonce)
            if let replica { writer.raw(replica.bytes) }
        case .challenge(let version, let nonce, let session, let maximumFrame, let idleSeconds):
            writer.varint(version)
            writer.raw(nonce)
            writer.raw(session.bytes)
            Self.write(maximumFrame, to: &writer)
            writer.varint(idleSeconds)
        case .auth(let signature), .forget(let signature):
            writer.raw(signature)
        case .join(let vaultAuthKey, let admission, let invite, let signature):
            writer.raw(vaultAuthKey)
            writer.raw(admission)
            writer.string(invite)
            writer.raw(signature)
        case .welcome(let store, let serverSeq, let held, let epoch):
            writer.raw(store.bytes)
            writer.varint(serverSeq)
            Self.write(held, to: &writer)
            writer.varint(epoch)
        case .push(let envelopes):
            writer.varint(envelopes.count)
            for envelope in envelopes { Self.write(envelope, to: &writer) }
        case .ack(let held, let stored, let serverSeq):
            Self.write(held, to: &writer)
            writer.varint(stored)
            writer.varint(serverSeq)
        case .pull(let after, let maximumBytes):
            writer.varint(after)
            writer.varint(maximumBytes)
        case .batch(let items, let more):
            writer.varint(items.count)
            for item in items {
                writer.varint(item.serverSeq)
                Self.write(item.envelope, to: &writer)
            }
            writer.byte(more ? 1 : 0)
        case .notify(let latest):
            writer.varint(latest)
        case .snapshotPut(let covers, let sealed), .snapshot(let covers, let sealed):
            Self.write(covers, to: &writer)
            writer.varint(sealed.count)
            writer.raw(sealed)
        case .snapshotGet, .forgotten, .inviteStored:
            break
        case .invitePut(let lookup, let expires, let sealed):
            writer.raw(lookup.bytes)
            writer.varint(expires)
            writer.varint(sealed.count)
            writer.raw(sealed)
        case .inviteTake(let lookup):
            writer.raw(lookup.bytes)
        case .invitation(let sealed, let expires):
            writer.varint(sealed.count)
            writer.raw(sealed)
            writer.varint(expires)
        case .devicesGet(let start):
            writer.varint(start)
        case .devices(let devices, let more):
            writer.varint(devices.count)
            for device in devices {
                writer.raw(device.key)
                if let replica = device.replica {
                    writer.byte(1)
                    writer.raw(replica.bytes)
                } else {
                    writer.byte(0)
                }
                writer.varint(device.joined)
                writer.varint(device.lastSeen)
                writer.varint(device.revokedIn ?? 0)
            }
            writer.byte(more ? 1 : 0)
        case .epochsGet(let epoch), .epochStored(let epoch), .rekeyed(let epoch):
            writer.varint(epoch)
        case .epochs(let records, let more):
            writer.varint(records.count)
            for record in records { Self.write(record, to: &writer) }
            writer.byte(more ? 1 : 0)
        case .epochPut(let record):
            Self.write(record, to: &writer)
        case .ping(let nonce), .pong(let nonce):
            Self.write(nonce, to: &writer)
        case .error(let code, let message):
            writer.byte(UInt8(code.rawValue >> 8))
            writer.byte(UInt8(truncatingIfNeeded: code.rawValue))
            writer.string(message)
        }
        return writer.bytes
    }

    /// Reads a payload. Throws `WireError` for anything malformed, never traps.
    public static func decode(_ payload: [UInt8]) throws(WireError) -> Message {
        var reader = ByteReader(payload)
        do {
            let type = try reader.byte()
            let message: Message
            switch type {
            case 0x01:
                let lowest = try reader.varint()
                let highest = try reader.varint()
                let vault = try id(&reader)
                let deviceKey = try raw(&reader, 32)
                let nonce = try raw(&reader, 32)
                // Version 1's hello ends here; from version 2 on it names the device's replica.
                message = .hello(
                    lowestVersion: lowest, highestVersion: highest, vault: vault, deviceKey: deviceKey, nonce: nonce,
                    replica: highest >= 2 ? try id(&reader) : nil)
            case 0x02:
                message = .challenge(
                    version: try reader.varint(), nonce: try raw(&reader, 32), session: try id(&reader),
                    maximumFrame: try frameLimit(&reader), idleSeconds: try reader.varint(atMost: Self.maximumIdleSeconds, "idle seconds"))
            case 0x03: message = .auth(signature: try raw(&reader, 64))
            case 0x04:
                message = .join(
                    vaultAuthKey: try raw(&reader, 32), admission: try raw(&reader, 64), invite: try reader.string(),
                    signature: try raw(&reader, 64))
            case 0x05:
                message = .welcome(
                    store: try id(&reader), serverSeq: try reader.seq(minimum: 0), held: try marks(&reader), epoch: try epoch(&reader, minimum: 0))
            case 0x10:
                let count = try reader.count(minimumSize: 20)
                message = .push(try (0..<count).map { _ in try envelope(&reader) })
            case 0x11: message = .ack(held: try marks(&reader), stored: try reader.seq(minimum: 0), serverSeq: try reader.seq(minimum: 0))
            case 0x12: message = .pull(afterServerSeq: try reader.seq(minimum: 0), maximumBytes: try reader.varint())
            case 0x13:
                let count = try reader.count(minimumSize: 21)
                let items = try (0..<count).map { _ in (serverSeq: try reader.seq(), envelope: try envelope(&reader)) }
                message = .batch(items, more: try flag(&reader, "the more flag"))
            case 0x14: message = .notify(latestServerSeq: try reader.seq(minimum: 0))
            case 0x20, 0x22:
                let covers = try marks(&reader)
                let sealed = Array(try reader.raw(try reader.count()))
                message = type == 0x20 ? .snapshotPut(covers: covers, sealed: sealed) : .snapshot(covers: covers, sealed: sealed)
            case 0x21: message = .snapshotGet
            case 0x30: message = .forget(signature: try raw(&reader, 64))
            case 0x31: message = .forgotten
            case 0x50: message = .devicesGet(start: try reader.seq(minimum: 0))
            case 0x51:
                let count = try reader.count(minimumSize: 36)
                let devices = try (0..<count).map { _ in
                    let key = try raw(&reader, 32)
                    let bound = try flag(&reader, "the replica flag")
                    let replica = bound ? try id(&reader) : nil
                    let joined = try reader.seq(minimum: 0)
                    let lastSeen = try reader.seq(minimum: 0)
                    let revoked = try epoch(&reader, minimum: 0)
                    return AdmittedDevice(key: key, replica: replica, joined: joined, lastSeen: lastSeen, revokedIn: revoked == 0 ? nil : revoked)
                }
                message = .devices(devices, more: try flag(&reader, "the more flag"))
            case 0x52:
                message = .invitePut(lookup: try id(&reader), expires: try reader.seq(minimum: 1), sealed: try invitationBox(&reader))
            case 0x53: message = .inviteStored
            case 0x54: message = .inviteTake(lookup: try id(&reader))
            case 0x55: message = .invitation(sealed: try invitationBox(&reader), expires: try reader.seq(minimum: 1))
            case 0x56: message = .epochsGet(after: try epoch(&reader, minimum: 0))
            case 0x57:
                let count = try reader.count(minimumSize: EpochRecord.smallestEncoding + 1)
                message = .epochs(try (0..<count).map { _ in try record(&reader) }, more: try flag(&reader, "the more flag"))
            case 0x58: message = .epochPut(try record(&reader))
            case 0x59: message = .epochStored(epoch: try epoch(&reader, minimum: 1))
            case 0x5a: message = .rekeyed(epoch: try epoch(&reader, minimum: 1))
            case 0x40: message = .ping(nonce: try uint32(&reader))
            case 0x41: message = .pong(nonce: try uint32(&reader))
            case 0x7f:
                let code = UInt16(try reader.byte()) << 8 | UInt16(try reader.byte())
                guard let known = ErrorCode(rawValue: code) else { throw WireError.malformed("unknown error code \(code)") }
                message = .error(known, message: try reader.string())
            default:
                throw WireError.unknownMessage(type)
            }
            guard reader.isAtEnd else { throw WireError.malformed("\(reader.remaining) bytes after the message") }
            return message
        } catch let error as WireError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
    }

    private static func write(_ value: UInt32, to writer: inout ByteWriter) {
        for shift in stride(from: 24, through: 0, by: -8) { writer.byte(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func write(_ marks: HighWaterMarks, to writer: inout ByteWriter) {
        writer.varint(marks.count)
        for mark in marks {
            writer.raw(mark.replica.bytes)
            writer.varint(mark.seq)
        }
    }

    private static func write(_ envelope: Envelope, to writer: inout ByteWriter) {
        writer.raw(envelope.replica.bytes)
        writer.varint(envelope.firstSeq)
        writer.varint(envelope.lastSeq)
        writer.varint(envelope.epoch)
        writer.varint(envelope.sealed.count)
        writer.raw(envelope.sealed)
    }

    private static func raw(_ reader: inout ByteReader, _ count: Int) throws -> [UInt8] { Array(try reader.raw(count)) }

    private static func id(_ reader: inout ByteReader) throws -> WireID { WireID(try raw(&reader, 16))! }

    /// A `challenge`'s frame limit: 1 byte to the hard maximum.
    private static func frameLimit(_ reader: inout ByteReader) throws -> UInt32 {
        let limit = try uint32(&reader)
        guard limit >= 1, limit <= UInt32(Frame.maximumLength) else {
            throw WireError.malformed("a frame limit must be 1 to \(Frame.maximumLength) bytes (got \(limit))")
        }
        return limit
    }

    /// The longest sealed invitation: it holds one 32-byte secret.
    public static let longestInvitation = 1024

    /// A sealed invitation: 1 to `longestInvitation` bytes.
    private static func invitationBox(_ reader: inout ByteReader) throws -> [UInt8] {
        let count = try reader.count()
        guard (1...longestInvitation).contains(count) else {
            throw WireError.malformed("a sealed invitation has 1 to \(longestInvitation) bytes (got \(count))")
        }
        return Array(try reader.raw(count))
    }

    /// A byte that is 0 (false) or 1 (true).
    private static func flag(_ reader: inout ByteReader, _ what: String) throws -> Bool {
        let byte = try reader.byte()
        guard byte <= 1 else { throw WireError.malformed("\(what) is 0 or 1") }
        return byte == 1
    }

    private static func uint32(_ reader: inout ByteReader) throws -> UInt32 {
        try reader.raw(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func marks(_ reader: inout ByteReader) throws -> HighWaterMarks {
        try (0..<(try reader.count(minimumSize: 17))).map { _ in (replica: try id(&reader), seq: try reader.seq()) }
    }

    private static func envelope(_ reader: inout ByteReader) throws -> Envelope {
        let replica = try id(&reader)
        let first = try reader.seq()
        let last = try reader.seq()
        let epoch = try epoch(&reader, minimum: 0)
        return try Envelope(replica: replica, firstSeq: first, lastSeq: last, epoch: epoch, sealed: Array(try reader.raw(try reader.count())))
    }

    /// An epoch record: its length, then its bytes (`EpochRecord.encoded()`).
    private static func write(_ record: EpochRecord, to writer: inout ByteWriter) {
        let bytes = record.encoded()
        writer.varint(bytes.count)
        writer.raw(bytes)
    }

    private static func record(_ reader: inout ByteReader) throws -> EpochRecord {
        let count = try reader.count()
        guard count <= EpochRecord.longestEncoding else {
            throw WireError.malformed("an epoch record has at most \(EpochRecord.longestEncoding) bytes (got \(count))")
        }
        return try EpochRecord.decode(Array(try reader.raw(count)))
    }

    /// A key epoch number: `minimum` to `EpochRecord.largestEpoch`.
    private static func epoch(_ reader: inout ByteReader, minimum: UInt64) throws -> UInt64 {
        let epoch = try reader.varint()
        guard epoch >= minimum, epoch <= EpochRecord.largestEpoch else {
            throw WireError.malformed("a key epoch is \(minimum) to \(EpochRecord.largestEpoch) (got \(epoch))")
        }
        return epoch
    }
}
