import FlareBytes

// The replica ids of Flare's encodings: 16 bytes, big-endian (Protocol/ENCODING.md).
extension ByteWriter {
    public mutating func replica(_ id: ReplicaID) {
        raw(id.bytes)
    }
}

extension ByteReader {
    public mutating func replica() throws -> ReplicaID {
        ReplicaID(bytes: try raw(16))!
    }
}
