/// A replica's whole state in one encoding, so a store can reopen it without replaying its
/// history: the state snapshot, the replica's clock, and the clock of every applied change
/// (received changes are checked against their dependencies' clocks).
///
/// Layout (Protocol/ENCODING.md, "Replica checkpoints"): magic "FLR", version, the replica id
/// (16 bytes), its clock (varint milliseconds, varint counter), the snapshot's length and
/// bytes, then for each replica in the snapshot's version vector, in its order: the replica id
/// and one clock per seq, as a zigzag delta of milliseconds from the previous clock of that
/// replica and a varint counter.
extension Replica {
    static let checkpointMagic: [UInt8] = [0x46, 0x4C, 0x52]  // "FLR"

    /// This replica's checkpoint. Buffered changes are not part of it.
    public func checkpoint() -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(Self.checkpointMagic)
        writer.byte(ChangeCodec.version)
        writer.replica(id)
        writer.varint(clock.milliseconds)
        writer.varint(UInt64(clock.counter))
        let state = snapshot.encoded()
        writer.varint(state.count)
        writer.raw(state)
        let clocks = changeClocks
        for entry in versionVector {
            writer.replica(entry.replica)
            var previous: UInt64 = 0
            for reading in clocks[entry.replica]! {
                writer.signed(Int64(bitPattern: reading.milliseconds &- previous))
                writer.varint(UInt64(reading.counter))
                previous = reading.milliseconds
            }
        }
        return writer.bytes
    }

    /// Restores a replica from `checkpoint()`'s bytes. Throws `DecodingError` for anything
    /// malformed or inconsistent, never traps.
    public init(checkpoint bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        try ChangeCodec.readHeader(&reader, magic: Self.checkpointMagic)
        let id = try reader.replica()
        let clock = HLC(milliseconds: try reader.varint(), counter: try reader.varint32())
        let stateLength = try reader.count()
        let state = try StateSnapshot.decode(Array(try reader.raw(stateLength)))
        var clocks: [ReplicaID: [HLC]] = [:]
        for entry in state.versionVector {
            let at = reader.position
            guard try reader.replica() == entry.replica else {
                throw DecodingError.invalidValue("clocks must follow the version vector's replicas", at: at)
            }
            // Each clock takes at least two bytes, so the count is backed by the input.
            guard entry.seq <= UInt64(reader.remaining / 2) else { throw DecodingError.truncated(at: at) }
            var readings: [HLC] = []
            readings.reserveCapacity(Int(entry.seq))
            var previous: UInt64 = 0
            for _ in 0..<entry.seq {
                let milliseconds = previous &+ UInt64(bitPattern: try reader.signed())
                let reading = HLC(milliseconds: milliseconds, counter: try reader.varint32())
                guard readings.last.map({ $0 < reading }) ?? true, reading <= clock else {
                    throw DecodingError.invalidValue("change clocks must rise and not pass the replica's clock", at: at)
                }
                readings.append(reading)
                previous = milliseconds
            }
            clocks[entry.replica] = readings
        }
        guard reader.isAtEnd else { throw DecodingError.trailingBytes(at: reader.position) }
        self.init(id: id, clock: clock, state: state, clocks: clocks)
    }
}
