import FlareBytes

/// Why bytes from a peer were refused (Protocol/PROTOCOL.md §2, §6).
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A frame announced a length over the limit, or of zero.
    case frameLength(Int, limit: Int)
    /// A message body that does not parse.
    case malformed(String)
    /// A message type this version does not know.
    case unknownMessage(UInt8)

    public var description: String {
        switch self {
        case .frameLength(let length, let limit): return "a frame of \(length) bytes (allowed: 1 to \(limit))"
        case .malformed(let reason): return "a malformed message: \(reason)"
        case .unknownMessage(let type): return "an unknown message type \(type)"
        }
    }
}

/// Frames: a 4-byte big-endian length, then that many payload bytes.
public enum Frame {
    /// The hard limit on a frame's payload.
    public static let maximumLength = 1 << 20

    /// `payload` as one frame.
    public static func encode(_ payload: [UInt8]) -> [UInt8] {
        precondition(!payload.isEmpty && payload.count <= maximumLength, "a frame holds 1 to \(maximumLength) bytes")
        let length = UInt32(payload.count)
        return [UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            + payload
    }

    /// Refuses a frame length of zero or over `limit` (checked from the 4 length bytes alone).
    public static func check(length: Int, limit: Int) throws(WireError) {
        guard length > 0, length <= min(limit, maximumLength) else { throw .frameLength(length, limit: min(limit, maximumLength)) }
    }

    /// Cuts a byte stream into frame payloads, however the bytes arrive. A length over `limit`
    /// (or zero) is refused as soon as its 4 bytes are in, before any payload is buffered.
    public struct Decoder: Sendable {
        public let limit: Int
        private var buffer: [UInt8] = []
        private var start = 0

        public init(limit: Int = Frame.maximumLength) {
            self.limit = min(limit, Frame.maximumLength)
        }

        /// Adds bytes as they arrive.
        public mutating func feed(_ bytes: some Sequence<UInt8>) {
            buffer.append(contentsOf: bytes)
        }

        /// The next complete payload, nil while more bytes are needed.
        public mutating func next() throws(WireError) -> [UInt8]? {
            guard buffer.count - start >= 4 else { return nil }
            let length = buffer[start..<(start + 4)].reduce(0) { $0 << 8 | Int($1) }
            try Frame.check(length: length, limit: limit)
            guard buffer.count - start - 4 >= length else { return nil }
            let payload = Array(buffer[(start + 4)..<(start + 4 + length)])
            start += 4 + length
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            } else if start > 1 << 16 {
                buffer.removeFirst(start)
                start = 0
            }
            return payload
        }

        /// Bytes received that do not yet make a frame.
        public var pendingCount: Int { buffer.count - start }
    }
}
