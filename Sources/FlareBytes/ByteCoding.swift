/// Why bytes could not be decoded. Decoding never traps and never allocates more than a
/// small multiple of the input's size.
public enum DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    case truncated(at: Int)
    case badMagic
    case unsupportedVersion(UInt8)
    case malformedVarint(at: Int)
    case invalidUTF8(at: Int)
    case indexOutOfRange(at: Int)
    case unknownTag(UInt8, at: Int)
    case invalidValue(String, at: Int)
    case trailingBytes(at: Int)
    /// A clock reading past the end of the range clocks may take (Protocol/ENCODING.md, "Clocks").
    case clockOutOfRange(UInt64, at: Int)

    public var description: String {
        switch self {
        case .truncated(let at): return "input ends early at byte \(at)"
        case .badMagic: return "not a Flare encoding (bad magic bytes)"
        case .unsupportedVersion(let version): return "unsupported encoding version \(version)"
        case .malformedVarint(let at): return "malformed varint at byte \(at)"
        case .invalidUTF8(let at): return "invalid UTF-8 at byte \(at)"
        case .indexOutOfRange(let at): return "table index out of range at byte \(at)"
        case .unknownTag(let tag, let at): return "unknown tag \(tag) at byte \(at)"
        case .invalidValue(let what, let at): return "\(what) at byte \(at)"
        case .trailingBytes(let at): return "unexpected bytes after the end, from byte \(at)"
        case .clockOutOfRange(let milliseconds, let at):
            return "a clock of \(milliseconds) ms is past the end of the clock range (2^48 - 1 ms) at byte \(at)"
        }
    }
}

/// The range of every sequence number in Flare's encodings and messages (a change's seq, a
/// server seq): at most 2^63 − 1, so that each fits the signed 64-bit integer a store keeps it
/// in (SQLite's INTEGER). Decoders refuse anything larger where they read it, so code past a
/// decoder never converts or adds an unchecked seq.
public enum Seq {
    /// 2^63 − 1.
    public static let maximum = UInt64(Int64.max)
}

/// Appends the primitives of Flare's encodings (see Protocol/ENCODING.md) to a byte array.
public struct ByteWriter: Sendable {
    /// What has been written.
    public var bytes: [UInt8] { storage }
    @usableFromInline var storage: [UInt8] = []

    @inlinable public init() {}

    @inlinable public mutating func byte(_ value: UInt8) { storage.append(value) }

    @inlinable public mutating func raw<C: Collection>(_ values: C) where C.Element == UInt8 { storage.append(contentsOf: values) }

    /// Unsigned LEB128, minimal length.
    @inlinable public mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            storage.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        storage.append(UInt8(value))
    }

    @inlinable public mutating func varint(_ value: Int) { varint(UInt64(value)) }

    /// Zigzag, then LEB128.
    @inlinable public mutating func signed(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    /// Length-prefixed UTF-8.
    @inlinable public mutating func string(_ value: String) {
        let utf8 = value.utf8
        varint(utf8.count)
        storage.append(contentsOf: utf8)
    }

    /// Length-prefixed UTF-8 of `scalars`, without building a `String` first.
    @inlinable public mutating func string<S: Collection>(scalars: S) where S.Element == Unicode.Scalar {
        varint(scalars.reduce(0) { $0 + $1.utf8.count })
        for scalar in scalars { storage.append(contentsOf: scalar.utf8) }
    }

    @inlinable public mutating func littleEndian(_ value: UInt64, bytes count: Int) {
        for index in 0..<count { storage.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }

}

/// Reads the primitives of Flare's encodings from untrusted bytes, failing with a typed error.
public struct ByteReader: Sendable {
    @usableFromInline let bytes: [UInt8]
    /// How many bytes have been read.
    public var position: Int { offset }
    @usableFromInline var offset: Int = 0

    @inlinable public init(_ bytes: [UInt8]) { self.bytes = bytes }

    @inlinable public var remaining: Int { bytes.count - offset }
    @inlinable public var isAtEnd: Bool { offset == bytes.count }

    @inlinable public mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw DecodingError.truncated(at: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inlinable public mutating func raw(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw DecodingError.truncated(at: offset) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// Unsigned LEB128; rejects encodings longer than needed and values past 64 bits.
    @inlinable public mutating func varint() throws -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.byte()
            let payload = UInt64(byte & 0x7F)
            if shift == 63, payload > 1 { throw DecodingError.malformedVarint(at: start) }
            result |= payload << shift
            if byte & 0x80 == 0 {
                if byte == 0, shift > 0 { throw DecodingError.malformedVarint(at: start) }
                return result
            }
            shift += 7
            if shift > 63 { throw DecodingError.malformedVarint(at: start) }
        }
    }

    /// A varint that counts items of at least `minimumSize` bytes each still to come, so a
    /// hostile count cannot make the decoder reserve memory the input does not back.
    @inlinable public mutating func count(minimumSize: Int = 1) throws -> Int {
        let at = offset
        let value = try varint()
        guard value <= UInt64(remaining / max(minimumSize, 1)) else { throw DecodingError.truncated(at: at) }
        return Int(value)
    }

    /// A varint that must fit in `UInt32`.
    @inlinable public mutating func varint32() throws -> UInt32 {
        let at = offset
        let value = try varint()
        guard let narrow = UInt32(exactly: value) else { throw DecodingError.invalidValue("value exceeds 32 bits", at: at) }
        return narrow
    }

    /// A sequence number from `minimum` (0 or 1) to `Seq.maximum`.
    @inlinable public mutating func seq(minimum: UInt64 = 1) throws -> UInt64 {
        let at = offset
        let value = try varint()
        guard value >= minimum, value <= Seq.maximum else {
            throw DecodingError.invalidValue("a sequence number must be from \(minimum) to 2^63 - 1 (got \(value))", at: at)
        }
        return value
    }

    /// A varint no greater than `maximum`; `what` names it in the error.
    @inlinable public mutating func varint(atMost maximum: UInt64, _ what: String) throws -> UInt64 {
        let at = offset
        let value = try varint()
        guard value <= maximum else { throw DecodingError.invalidValue("\(what) must be at most \(maximum) (got \(value))", at: at) }
        return value
    }

    @inlinable public mutating func signed() throws -> Int64 {
        let value = try varint()
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    @inlinable public mutating func string() throws -> String {
        let length = try count()
        let at = offset
        let slice = try raw(length)
        guard let string = String(validating: slice, as: UTF8.self) else { throw DecodingError.invalidUTF8(at: at) }
        return string
    }

    @inlinable public mutating func littleEndian(bytes count: Int) throws -> UInt64 {
        let slice = try raw(count)
        var value: UInt64 = 0
        for (index, byte) in slice.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        return value
    }

    /// An index into a table of `count` entries.
    @inlinable public mutating func index(below count: Int) throws -> Int {
        let at = offset
        let value = try varint()
        guard value < UInt64(count) else { throw DecodingError.indexOutOfRange(at: at) }
        return Int(value)
    }
}
