import FlareBytes
import FlareCrypto
import FlareStore

/// The unlock agent's protocol (Protocol/CRYPTO.md, "Unlocking for a while"): over one
/// connection a command sends one request frame and reads one response frame.
///
/// A frame is a 4-byte big-endian length and that many bytes of body; a body is the protocol
/// version, a kind byte and the kind's fields, in ENCODING.md's primitives. Bodies are small and
/// bounded, and a key, when a body carries one, comes last, so a frame is built in a buffer of
/// exactly its size (never regrown, leaving no stray copy) and wiped once sent or read.
enum AgentProtocol {
    static let version: UInt8 = 1
    /// The longest vault path a request names, in UTF-8 bytes (Linux's `PATH_MAX`).
    static let maximumPathCount = 4096
    /// The longest body either side accepts: a path and the fixed fields with room to spare.
    static let maximumBodyCount = maximumPathCount + 256
    static let headerCount = 4

    /// The body length a frame header announces; nil for an empty or oversized body.
    static func bodyCount(header: [UInt8]) -> Int? {
        guard header.count == headerCount else { return nil }
        let count = header.reduce(0) { $0 << 8 | Int($1) }
        return (1...maximumBodyCount).contains(count) ? count : nil
    }

    /// The frame of a body whose non-secret part is `fields`, followed by `key` if given.
    static func frame(_ fields: ByteWriter, key: SealingKey? = nil) -> [UInt8] {
        let count = fields.bytes.count + (key?.secret.count ?? 0)
        var frame: [UInt8] = []
        frame.reserveCapacity(headerCount + count)
        frame += (0..<headerCount).reversed().map { UInt8(truncatingIfNeeded: count >> (8 * $0)) }
        frame += fields.bytes
        key?.secret.withUnsafeBytes { frame.append(contentsOf: $0) }
        return frame
    }

    /// A writer holding the version and `kind`.
    static func fields(_ kind: UInt8) -> ByteWriter {
        var writer = ByteWriter()
        writer.byte(version)
        writer.byte(kind)
        return writer
    }

    /// Writes the non-secret part of `unlock` (its key goes last in the frame).
    static func write(_ unlock: VaultUnlock, to writer: inout ByteWriter) {
        writer.raw(unlock.salt)
        writer.varint(unlock.parameters.opsLimit)
        writer.varint(unlock.parameters.memLimitBytes)
    }

    /// Reads an unlock written by `write` and the key after it, which must end the body.
    static func readUnlock(_ reader: inout ByteReader) throws -> VaultUnlock {
        let salt = Array(try reader.raw(PassphraseParameters.saltByteCount))
        let parameters = try PassphraseParameters(opsLimit: try reader.varint(), memLimitBytes: try reader.varint())
        guard reader.remaining == SealingKey.byteCount else { throw DecodingError.trailingBytes(at: reader.position) }
        let key = try SealingKey(SecretBytes(copying: try reader.raw(SealingKey.byteCount)))
        return VaultUnlock(salt: salt, parameters: parameters, key: key)
    }

    /// A reader past the version and kind of `body`, and the kind.
    static func open(_ body: [UInt8]) throws -> (ByteReader, UInt8) {
        var reader = ByteReader(body)
        guard try reader.byte() == version else { throw DecodingError.unsupportedVersion(body[0]) }
        let kind = try reader.byte()
        return (reader, kind)
    }

    /// A vault path as a request names it: not empty, at most `maximumPathCount` bytes.
    static func readPath(_ reader: inout ByteReader) throws -> String {
        let path = try reader.string()
        guard !path.isEmpty, path.utf8.count <= maximumPathCount else {
            throw DecodingError.invalidValue("a vault path has 1 to \(maximumPathCount) bytes", at: reader.position)
        }
        return path
    }
}

/// What a command asks the unlock agent. Vaults are named by canonical path
/// (`AgentClient.name(ofVaultAt:)`).
enum AgentRequest {
    /// Keep `unlock` for the vault for `seconds`, replacing any key held for it.
    case keep(vault: String, seconds: UInt32, unlock: VaultUnlock)
    /// The vault's key, if held.
    case key(vault: String)
    /// Whether the vault's key is held, and for how much longer; the key itself is not sent.
    case status(vault: String)
    /// Forget the vault's key.
    case forget(vault: String)
    /// Forget every key (the agent then exits).
    case forgetAll

    /// The request as a frame; wipe it once sent (it may hold a key).
    var frame: [UInt8] {
        switch self {
        case .keep(let vault, let seconds, let unlock):
            var fields = AgentProtocol.fields(1)
            fields.string(vault)
            fields.varint(UInt64(seconds))
            AgentProtocol.write(unlock, to: &fields)
            return AgentProtocol.frame(fields, key: unlock.key)
        case .key(let vault): return Self.frame(2, vault)
        case .status(let vault): return Self.frame(3, vault)
        case .forget(let vault): return Self.frame(4, vault)
        case .forgetAll: return AgentProtocol.frame(AgentProtocol.fields(5))
        }
    }

    private static func frame(_ kind: UInt8, _ vault: String) -> [UInt8] {
        var fields = AgentProtocol.fields(kind)
        fields.string(vault)
        return AgentProtocol.frame(fields)
    }

    /// Reads a request body from a client, which may send anything: nil unless it is exactly
    /// one well-formed request of this version.
    init?(body: [UInt8]) {
        do {
            var (reader, kind) = try AgentProtocol.open(body)
            switch kind {
            case 1:
                let vault = try AgentProtocol.readPath(&reader)
                let seconds = try reader.varint32()
                self = .keep(vault: vault, seconds: seconds, unlock: try AgentProtocol.readUnlock(&reader))
                return
            case 2: self = .key(vault: try AgentProtocol.readPath(&reader))
            case 3: self = .status(vault: try AgentProtocol.readPath(&reader))
            case 4: self = .forget(vault: try AgentProtocol.readPath(&reader))
            case 5: self = .forgetAll
            default: return nil
            }
            guard reader.isAtEnd else { return nil }
        } catch {
            return nil
        }
    }
}

/// What the unlock agent answers.
enum AgentResponse {
    /// Kept or forgotten, as asked.
    case done
    /// The vault's key, held for `secondsLeft` more.
    case key(secondsLeft: UInt32, unlock: VaultUnlock)
    /// The vault's key is held for `secondsLeft` more.
    case held(secondsLeft: UInt32)
    /// No key is held for the vault.
    case notHeld
    /// Not kept: the agent holds keys for as many vaults as it will.
    case full

    /// The response as a frame; wipe it once sent (it may hold a key).
    var frame: [UInt8] {
        switch self {
        case .done: return AgentProtocol.frame(AgentProtocol.fields(1))
        case .key(let secondsLeft, let unlock):
            var fields = AgentProtocol.fields(2)
            fields.varint(UInt64(secondsLeft))
            AgentProtocol.write(unlock, to: &fields)
            return AgentProtocol.frame(fields, key: unlock.key)
        case .held(let secondsLeft):
            var fields = AgentProtocol.fields(3)
            fields.varint(UInt64(secondsLeft))
            return AgentProtocol.frame(fields)
        case .notHeld: return AgentProtocol.frame(AgentProtocol.fields(4))
        case .full: return AgentProtocol.frame(AgentProtocol.fields(5))
        }
    }

    /// Reads a response body; nil unless it is exactly one well-formed response.
    init?(body: [UInt8]) {
        do {
            var (reader, kind) = try AgentProtocol.open(body)
            switch kind {
            case 1: self = .done
            case 2:
                let secondsLeft = try reader.varint32()
                self = .key(secondsLeft: secondsLeft, unlock: try AgentProtocol.readUnlock(&reader))
                return
            case 3: self = .held(secondsLeft: try reader.varint32())
            case 4: self = .notHeld
            case 5: self = .full
            default: return nil
            }
            guard reader.isAtEnd else { return nil }
        } catch {
            return nil
        }
    }
}
