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
        }
    }
}

/// Appends the primitives of Flare's encodings (see Protocol/ENCODING.md) to a byte array.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    public mutating func raw<C: Collection>(_ values: C) where C.Element == UInt8 { bytes.append(contentsOf: values) }

    /// Unsigned LEB128, minimal length.
    public mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    public mutating func varint(_ value: Int) { varint(UInt64(value)) }

    /// Zigzag, then LEB128.
    public mutating func signed(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    /// Length-prefixed UTF-8.
    public mutating func string(_ value: String) {
        let utf8 = value.utf8
        varint(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// Length-prefixed UTF-8 of `scalars`, without building a `String` first.
    public mutating func string<S: Collection>(scalars: S) where S.Element == Unicode.Scalar {
        varint(scalars.reduce(0) { $0 + $1.utf8.count })
        for scalar in scalars { bytes.append(contentsOf: scalar.utf8) }
    }

    public mutating func littleEndian(_ value: UInt64, bytes count: Int) {
        for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }

    public mutating func replica(_ id: ReplicaID) {
        bigEndianWord(id.high)
        bigEndianWord(id.low)
    }

    private mutating func bigEndianWord(_ word: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
}

/// Reads the primitives of Flare's encodings from untrusted bytes, failing with a typed error.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var position: Int = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - position }
    public var isAtEnd: Bool { position == bytes.count }

    public mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw DecodingError.truncated(at: position) }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func raw(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw DecodingError.truncated(at: position) }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// Unsigned LEB128; rejects encodings longer than needed and values past 64 bits.
    public mutating func varint() throws -> UInt64 {
        let start = position
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
    public mutating func count(minimumSize: Int = 1) throws -> Int {
        let at = position
        let value = try varint()
        guard value <= UInt64(remaining / max(minimumSize, 1)) else { throw DecodingError.truncated(at: at) }
        return Int(value)
    }

    /// A varint that must fit in `UInt32`.
    public mutating func varint32() throws -> UInt32 {
        let at = position
        let value = try varint()
        guard let narrow = UInt32(exactly: value) else { throw DecodingError.invalidValue("value exceeds 32 bits", at: at) }
        return narrow
    }

    public mutating func signed() throws -> Int64 {
        let value = try varint()
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    public mutating func string() throws -> String {
        let length = try count()
        let at = position
        let slice = try raw(length)
        guard let string = String(validating: slice, as: UTF8.self) else { throw DecodingError.invalidUTF8(at: at) }
        return string
    }

    public mutating func littleEndian(bytes count: Int) throws -> UInt64 {
        let slice = try raw(count)
        var value: UInt64 = 0
        for (index, byte) in slice.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        return value
    }

    public mutating func replica() throws -> ReplicaID {
        ReplicaID(bytes: try raw(16))!
    }

    /// An index into a table of `count` entries.
    public mutating func index(below count: Int) throws -> Int {
        let at = position
        let value = try varint()
        guard value < UInt64(count) else { throw DecodingError.indexOutOfRange(at: at) }
        return Int(value)
    }
}
