import FlareBytes
import FlareCrypto
import FlareRelay
import FlareWire
import Foundation

/// The relay's session state machine (`RelaySession`) over a fresh SQLite relay storage per
/// input, driven by a script decoded from the input.
///
/// Input: a settings byte (bit 0: open relay; bits 1-2: the frame limit; bits 3-4: the quota),
/// then ops. Each op is a byte: bits 0-2 the kind, bit 3 which of two connections, bits 4-7 an
/// argument. Kinds: 0 a raw message (varint length, then a payload for `Message.decode`);
/// 1 hello from one of four devices of one of two vaults; 2 auth signed for the last challenge
/// (argument bit 0: a wrong signature); 3 join (no invite, a fresh valid invite, or a bogus
/// one); 4 push (a count byte, then per envelope: replica byte, first and last varints, a
/// sealed-length byte); 5 pull (two varints); 6 snapshot put or get; 7 forget (argument bit 0:
/// a wrong signature). The device side signs as a real device would, so the script gets past
/// authentication. Every reply must encode to a payload that decodes and fits the frame limit.
enum RelayHarness {
    struct Device {
        let key: SigningKey
        let keys: VaultKeys
        var vault: WireID { WireID(keys.vaultID.bytes)! }
        /// Replica ids 0x00…, 0x01…, 0x02…, 0x03… (the ones pushes name), one per device key,
        /// so that pushes hit both a device's own replica and others'.
        let replica: WireID
    }

    static let vaults: [VaultKeys] = [0x01, 0x02].map { byte in
        try! VaultSecret(SecretBytes(copying: [UInt8](repeating: byte, count: 32))).keys()
    }
    static let devices: [SigningKey] = (1...4).map { index in
        try! SigningKey(seed: SecretBytes(copying: [UInt8](repeating: UInt8(0x30 + index), count: SigningKey.seedByteCount)))
    }
    /// flare-relay takes 1024 bytes to the hard maximum.
    static let frameLimits: [UInt32] = [UInt32(Frame.maximumLength), 65536, 4096, 1024]
    static let quotas: [Quota] = [Quota(), Quota(maximumBytes: 4096, maximumEnvelopes: 16), Quota(maximumBytes: 64, maximumEnvelopes: 2), Quota(maximumBytes: 0, maximumEnvelopes: 0)]

    /// Where the per-input databases go (memory-backed when /dev/shm exists).
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = (base as NSString).appendingPathComponent("flare-fuzz-relay-\(getpid())")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static var verbose: Bool { ReplicaExercise.verbose }

    static func describe(_ message: Message) -> String {
        if case .error(let code, let text) = message { return "error(\(code): \(text))" }
        return "type \(message.type)"
    }

    struct Connection {
        var session: RelaySession
        var device: Device?
        var transcript: [UInt8] = []
        var sessionID: WireID?
    }

    @Sendable static func run(_ input: [UInt8]) {
        guard let settingsByte = input.first else { return }
        let path = (folder as NSString).appendingPathComponent("relay.sqlite")
        defer {
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        }
        let settings = RelaySession.Settings(
            maximumFrame: frameLimits[Int(settingsByte >> 1 & 3)], idleSeconds: 60, open: settingsByte & 1 == 1)
        // The storage is released (its connections closed) before the files are removed.
        do {
            guard let storage = try? SQLiteRelayStorage(path: path, quota: quotas[Int(settingsByte >> 3 & 3)]) else {
                fatalError("cannot create the relay storage at \(path)")
            }
            var connections = [Connection(session: RelaySession(storage: storage, settings: settings)),
                               Connection(session: RelaySession(storage: storage, settings: settings))]
            var reader = ByteReader(Array(input.dropFirst()))
            var steps = 0
            while !reader.isAtEnd, steps < 64 {
                steps += 1
                guard let op = try? reader.byte() else { break }
                let slot = Int(op >> 3 & 1)
                let argument = op >> 4
                guard let message = Self.message(kind: op & 7, argument: argument, reader: &reader, connection: &connections[slot], storage: storage)
                else { continue }
                let outcome = connections[slot].session.handle(message)
                if verbose { trace("connection \(slot): sent \(message.type), got \(outcome.replies.map(describe)) close: \(outcome.close)") }
                for reply in outcome.replies {
                    check(reply, limit: settings.maximumFrame)
                    if case .challenge(let version, let nonce, let session, _, _) = reply, let device = connections[slot].device,
                        case .hello(_, _, _, _, let deviceNonce, let replica?) = message
                    {
                        connections[slot].transcript = Transcript.auth(
                            vault: device.vault, deviceKey: device.key.publicKey, replica: replica, deviceNonce: deviceNonce, relayNonce: nonce,
                            session: session, version: version)
                        connections[slot].sessionID = session
                    }
                }
                if outcome.close {
                    connections[slot] = Connection(session: RelaySession(storage: storage, settings: settings))
                }
            }
        }
    }

    /// The message op `kind` makes, or nil when the input runs out.
    static func message(kind: UInt8, argument: UInt8, reader: inout ByteReader, connection: inout Connection, storage: SQLiteRelayStorage) -> Message? {
        switch kind {
        case 0:
            guard let length = try? reader.count(), let payload = try? reader.raw(length) else { return nil }
            return try? Message.decode(Array(payload))
        case 1:
            let index = Int(argument & 3)
            let device = Device(key: devices[index], keys: vaults[Int(argument >> 2 & 1)], replica: WireID([UInt8](repeating: UInt8(index), count: 16))!)
            connection.device = device
            let highest: UInt64 = argument & 8 == 0 ? 2 : 1
            return .hello(lowestVersion: 1, highestVersion: highest, vault: device.vault,
                          deviceKey: device.key.publicKey, nonce: [UInt8](repeating: argument, count: 32), replica: highest >= 2 ? device.replica : nil)
        case 2:
            guard let device = connection.device else { return .auth(signature: [UInt8](repeating: 0, count: 64)) }
            let signed = argument & 1 == 0 ? connection.transcript : connection.transcript + [1]
            return .auth(signature: device.key.signature(for: signed))
        case 3:
            guard let device = connection.device else { return nil }
            let invite: String
            switch argument & 3 {
            case 0: invite = ""
            case 1: invite = (try? storage.createInvite()) ?? ""
            case 2: invite = "bogus-invite"
            default: invite = String(repeating: "x", count: 300)
            }
            let authKey = argument & 4 == 0 ? device.keys.authKey : vaults[0].authKey
            let admission = authKey.signature(for: Transcript.admission(vault: device.vault, deviceKey: device.key.publicKey, replica: device.replica))
            return .join(vaultAuthKey: authKey.publicKey, admission: admission, invite: invite,
                         signature: device.key.signature(for: connection.transcript))
        case 4:
            guard let count = try? reader.byte() else { return nil }
            var envelopes: [Envelope] = []
            for _ in 0..<(count & 15) {
                guard let replica = try? reader.byte(), let first = try? reader.varint(), let last = try? reader.varint(),
                    let length = try? reader.byte()
                else { return nil }
                let id = WireID([UInt8](repeating: replica & 3, count: 16))!
                guard let envelope = try? Envelope(replica: id, firstSeq: first, lastSeq: last, sealed: [UInt8](repeating: 0xee, count: Int(length)))
                else { continue }
                envelopes.append(envelope)
            }
            return .push(envelopes)
        case 5:
            guard let after = try? reader.varint(), let maximum = try? reader.varint() else { return nil }
            return .pull(afterServerSeq: after, maximumBytes: maximum)
        case 6:
            if argument & 1 == 1 { return .snapshotGet }
            guard let seq = try? reader.varint(), let length = try? reader.byte() else { return nil }
            let covers: HighWaterMarks = argument & 2 == 0 ? [] : [(replica: WireID([UInt8](repeating: argument & 3, count: 16))!, seq: seq)]
            return .snapshotPut(covers: covers, sealed: [UInt8](repeating: 0xcd, count: Int(length) * 8))
        default:
            guard let device = connection.device, let session = connection.sessionID else { return .forget(signature: [UInt8](repeating: 0, count: 64)) }
            let signed = Transcript.forget(vault: device.vault, session: session) + (argument & 1 == 0 ? [] : [1])
            return .forget(signature: device.key.signature(for: signed))
        }
    }

    /// A reply must reach the device: encode, fit a frame (a batch: the relay's announced
    /// limit, PROTOCOL.md §5), decode.
    static func check(_ reply: Message, limit: UInt32) {
        let payload = reply.encoded()
        let bound = reply.type == 0x13 ? Int(limit) : Frame.maximumLength
        precondition(payload.count <= bound, "relay reply \(reply.type) of \(payload.count) bytes exceeds the frame limit \(bound)")
        guard let again = try? Message.decode(payload) else { fatalError("relay reply \(reply.type) does not decode") }
        precondition(again.encoded() == payload, "relay reply \(reply.type) does not re-encode stably")
    }
}
