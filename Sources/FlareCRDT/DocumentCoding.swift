import FlareBytes
/// How one document is encoded inside a state snapshot (FLS) and a replica checkpoint (FLR):
/// its type register, the vectors observed-remove deletion needs, and its fields, every
/// replica and string written as an index into the enclosing encoding's tables.
enum DocumentCoding {
    /// How a body writes change seqs and clock milliseconds. Snapshots write them in full
    /// (`.absolute`); checkpoints write them as zigzag differences from the document's first
    /// type write (`.fromType`), since a document is mostly written by the change that created
    /// it, which saves most of their bytes.
    enum Numbering {
        case absolute
        case fromType
    }

    /// What differences are counted from; `nil` writes numbers in full.
    typealias Base = (seq: UInt64, milliseconds: UInt64)?

    private static func base(_ typeRegister: Register, _ numbering: Numbering) -> Base {
        guard numbering == .fromType, let first = typeRegister.writes.first else { return nil }
        return (first.id.change.seq, first.clock.milliseconds)
    }

    private static func writeSeq(_ seq: UInt64, base: Base, to writer: inout ByteWriter) {
        if let base { writer.signed(Int64(bitPattern: seq &- base.seq)) } else { writer.varint(seq) }
    }

    private static func writeMilliseconds(_ milliseconds: UInt64, base: Base, to writer: inout ByteWriter) {
        if let base { writer.signed(Int64(bitPattern: milliseconds &- base.milliseconds)) } else { writer.varint(milliseconds) }
    }

    /// A change seq, which is 1 or more.
    private static func readSeq(_ reader: inout ByteReader, base: Base) throws -> UInt64 {
        let at = reader.position
        let seq = try base.map { $0.seq &+ UInt64(bitPattern: try reader.signed()) } ?? (try reader.varint())
        guard seq > 0, seq <= Seq.maximum else { throw DecodingError.invalidValue("change seqs are 1 to 2^63 - 1 (got \(seq))", at: at) }
        return seq
    }

    private static func readMilliseconds(_ reader: inout ByteReader, base: Base) throws -> UInt64 {
        let at = reader.position
        let milliseconds = try base.map { $0.milliseconds &+ UInt64(bitPattern: try reader.signed()) } ?? (try reader.varint())
        guard milliseconds <= HLC.maximumMilliseconds else { throw DecodingError.clockOutOfRange(milliseconds, at: at) }
        return milliseconds
    }

    /// Writes the document's body (everything but its id).
    static func write(_ document: Document, to writer: inout ByteWriter, tables: Tables, numbering: Numbering = .absolute) {
        write(document.typeRegister, to: &writer, tables: tables, base: nil)
        let base = base(document.typeRegister, numbering)
        write(document.touchedBy, to: &writer, tables: tables, base: base)
        write(document.deletedThrough, to: &writer, tables: tables, base: base)
        writer.varint(document.fields.keys.count)
        for (key, field) in document.fields.entries {
            writer.varint(tables.stringIndex[key.name]!)
            writer.byte(key.kind.rawValue)
            switch field {
            case .register(let register): write(register, to: &writer, tables: tables, base: base)
            case .set(let set):
                writer.varint(set.tags.count)
                for (element, tags) in set.tags {
                    writer.varint(tables.stringIndex[element]!)
                    writer.varint(tags.count)
                    for tag in tags {
                        writer.varint(tables.replicaIndex[tag.replica]!)
                        writeSeq(tag.seq, base: base, to: &writer)
                    }
                }
            case .counter(let total): writer.signed(total)
            case .text(let text): write(text, to: &writer, tables: tables, base: base)
            }
        }
    }

    /// Reads a document's body. Throws `DecodingError` for anything malformed, never traps.
    static func read(_ reader: inout ByteReader, tables: Tables, numbering: Numbering = .absolute) throws -> Document {
        let typeRegister = try readRegister(&reader, tables: tables, base: nil)
        let base = base(typeRegister, numbering)
        let touchedBy = try readVector(&reader, tables: tables, base: base)
        let deletedThrough = try readVector(&reader, tables: tables, base: base)
        var fields = FieldTable()
        for _ in 0..<(try reader.count(minimumSize: 3)) {
            let fieldAt = reader.position
            let name = tables.strings[try reader.index(below: tables.strings.count)]
            let kindByte = try reader.byte()
            guard let kind = FieldKind(rawValue: kindByte) else { throw DecodingError.unknownTag(kindByte, at: fieldAt) }
            let key = FieldKey(name: name, kind: kind)
            guard fields[key] == nil else { throw DecodingError.invalidValue("field listed twice", at: fieldAt) }
            switch kind {
            case .register: fields[key] = .register(try readRegister(&reader, tables: tables, base: base))
            case .set:
                var tags: [(element: String, adds: [ChangeID])] = []
                for _ in 0..<(try reader.count(minimumSize: 4)) {
                    let element = tables.strings[try reader.index(below: tables.strings.count)]
                    var list: [ChangeID] = []
                    for _ in 0..<(try reader.count(minimumSize: 2)) {
                        let replica = tables.replicas[try reader.index(below: tables.replicas.count)]
                        list.append(ChangeID(replica: replica, seq: try readSeq(&reader, base: base)))
                    }
                    guard !list.isEmpty, tags.last.map({ bytewiseLess($0.element, element) }) ?? true,
                          zip(list, list.dropFirst()).allSatisfy({ $0 < $1 }) else {
                        throw DecodingError.invalidValue("set elements must be sorted, each with sorted distinct adds", at: fieldAt)
                    }
                    tags.append((element, list))
                }
                fields[key] = .set(AddWinsSet(tags: tags))
            case .counter: fields[key] = .counter(try reader.signed())
            case .text: fields[key] = .text(try readText(&reader, tables: tables, base: base))
            }
        }
        return Document(typeRegister: typeRegister, fields: fields, touchedBy: touchedBy, deletedThrough: deletedThrough)
    }

    /// Whether every change `document` names lies within `vector`: a state that names a change
    /// it does not hold contradicts itself (its next local change would reuse that change's id).
    static func names(_ document: Document, onlyWithin vector: VersionVector) -> Bool {
        func covered(_ id: ChangeID) -> Bool { vector.includes(id) }
        guard document.typeRegister.writes.allSatisfy({ covered($0.id.change) }), vector.includes(document.touchedBy),
              vector.includes(document.deletedThrough) else { return false }
        for (_, field) in document.fields.entries {
            switch field {
            case .register(let register): guard register.writes.allSatisfy({ covered($0.id.change) }) else { return false }
            case .set(let set): guard set.tags.allSatisfy({ $0.adds.allSatisfy(covered) }) else { return false }
            case .counter: break
            case .text(let text):
                // A run's last character has its latest change (runs across changes go up by one).
                guard text.runs.dropFirst().allSatisfy({ covered($0.id(at: $0.count - 1).change) }) else { return false }
            }
        }
        return true
    }

    static func readVector(_ reader: inout ByteReader, tables: Tables, base: Base = nil) throws -> VersionVector {
        let at = reader.position
        var entries: [(ReplicaID, UInt64)] = []
        for _ in 0..<(try reader.count(minimumSize: 2)) {
            let entry = (tables.replicas[try reader.index(below: tables.replicas.count)], try readSeq(&reader, base: base))
            guard entries.last.map({ $0.0 < entry.0 }) ?? true else {
                throw DecodingError.invalidValue("version vectors must be sorted with positive seqs", at: at)
            }
            entries.append(entry)
        }
        return VersionVector(entries)
    }

    /// Reads a register; with a `base`, seqs and milliseconds are differences from it.
    static func readRegister(_ reader: inout ByteReader, tables: Tables, base: Base) throws -> Register {
        let at = reader.position
        var writes: [RegisterWrite] = []
        for _ in 0..<(try reader.count(minimumSize: 6)) {
            let replica = tables.replicas[try reader.index(below: tables.replicas.count)]
            let seq = try readSeq(&reader, base: base)
            let id = WriteID(change: ChangeID(replica: replica, seq: seq), operation: try reader.varint32())
            let milliseconds = try readMilliseconds(&reader, base: base)
            let clock = HLC(milliseconds: milliseconds, counter: try reader.varint32())
            let value = try ChangeCodec.readScalar(&reader, tables: tables)
            guard writes.last.map({ $0.id < id }) ?? true else {
                throw DecodingError.invalidValue("register writes must be sorted", at: at)
            }
            writes.append(RegisterWrite(id: id, clock: clock, value: value))
        }
        guard let register = Register(writes: writes) else {
            throw DecodingError.invalidValue("a register needs at least one write", at: at)
        }
        return register
    }

    /// Adds the document's replicas and strings to `tables`, in the canonical table order.
    static func collect(_ document: Document, id: String, into tables: inout Tables) {
        tables.add(id)
        for write in document.typeRegister.writes { tables.add(write.id.change.replica); tables.add(write.value) }
        for entry in document.touchedBy { tables.add(entry.replica) }
        for entry in document.deletedThrough { tables.add(entry.replica) }
        for (key, field) in document.fields.entries {
            tables.add(key.name)
            switch field {
            case .register(let register):
                for write in register.writes { tables.add(write.id.change.replica); tables.add(write.value) }
            case .set(let set):
                for (element, tags) in set.tags {
                    tables.add(element)
                    for tag in tags { tables.add(tag.replica) }
                }
            case .counter: break
            case .text(let text):
                for piece in text.preorder().dropFirst() { tables.add(text.runs[piece.run].first.change.replica) }
            }
        }
    }

    static func write(_ vector: VersionVector, to writer: inout ByteWriter, tables: Tables, base: Base = nil) {
        writer.varint(vector.entries.count)
        for entry in vector {
            writer.varint(tables.replicaIndex[entry.replica]!)
            writeSeq(entry.seq, base: base, to: &writer)
        }
    }

    /// Writes a register; with a `base`, seqs and milliseconds as differences from it.
    static func write(_ register: Register, to writer: inout ByteWriter, tables: Tables, base: Base) {
        let writes = register.writes
        writer.varint(writes.count)
        for write in writes {
            writer.varint(tables.replicaIndex[write.id.change.replica]!)
            writeSeq(write.id.change.seq, base: base, to: &writer)
            writer.varint(UInt64(write.id.operation))
            writeMilliseconds(write.clock.milliseconds, base: base, to: &writer)
            writer.varint(UInt64(write.clock.counter))
            ChangeCodec.writeScalar(write.value, to: &writer, tables: tables)
        }
    }

    static func write(_ text: TextSequence, to writer: inout ByteWriter, tables: Tables, base: Base) {
        let order = text.preorder()
        writer.varint(order.count - 1)
        for piece in order.dropFirst() {
            let value = text.runs[piece.run]
            let first = value.id(at: piece.offset)
            writer.varint(UInt64(piece.parent) << 1 | (piece.isLeft ? 1 : 0))
            writer.varint(tables.replicaIndex[first.change.replica]!)
            writeSeq(first.change.seq, base: base, to: &writer)
            writer.varint(UInt64(first.offset))
            writer.string(scalars: value.scalars[piece.offset..<(piece.offset + piece.count)])
            var deleted: [(start: Int, length: Int)] = []
            for offset in 0..<piece.count where value.isDeleted(piece.offset + offset) {
                if let last = deleted.last, last.start + last.length == offset {
                    deleted[deleted.count - 1].length += 1
                } else {
                    deleted.append((offset, 1))
                }
            }
            writer.varint(deleted.count)
            for range in deleted {
                writer.varint(range.start)
                writer.varint(range.length)
            }
        }
    }

    /// Rebuilds a text field by replaying its runs in pre-order, each hung where it was, so the
    /// same checks guard a snapshot as guard received changes.
    static func readText(_ reader: inout ByteReader, tables: Tables, base: Base) throws -> TextSequence {
        var text = TextSequence()
        // The first and last character of each run read so far (the start has none).
        var placed: [(first: ElementID, last: ElementID)?] = [nil]
        for _ in 0..<(try reader.count(minimumSize: 6)) {
            let at = reader.position
            let link = try reader.varint()
            let parentPosition = link >> 1
            guard parentPosition < UInt64(placed.count) else { throw DecodingError.indexOutOfRange(at: at) }
            let parent = placed[Int(parentPosition)]
            let replica = tables.replicas[try reader.index(below: tables.replicas.count)]
            let seq = try readSeq(&reader, base: base)
            let first = ElementID(change: ChangeID(replica: replica, seq: seq), offset: try reader.varint32())
            let scalars = Array(try reader.string().unicodeScalars)
            let anchor: TextAnchor
            if link & 1 == 1 {
                guard let parent else { throw DecodingError.invalidValue("nothing hangs left of the start", at: at) }
                anchor = .before(parent.first)
            } else {
                anchor = parent.map { .after($0.last) } ?? .start
            }
            if let failure = text.insert(scalars, first: first, at: anchor) { throw DecodingError.invalidValue(failure, at: at) }
            placed.append((first, ElementID(change: first.change, offset: first.offset + UInt32(scalars.count - 1))))
            var ranges: [ElementRange] = []
            var end = 0
            for _ in 0..<(try reader.count(minimumSize: 2)) {
                let rangeAt = reader.position
                let start = try reader.varint()
                let length = try reader.varint()
                guard start >= UInt64(end), start < UInt64(scalars.count), length > 0, length <= UInt64(scalars.count) - start else {
                    throw DecodingError.invalidValue("deleted ranges must be sorted, non-empty and inside the run", at: rangeAt)
                }
                end = Int(start + length)
                ranges.append(ElementRange(first: ElementID(change: first.change, offset: first.offset + UInt32(start)), count: UInt32(length)))
            }
            if let failure = text.delete(ranges) { throw DecodingError.invalidValue(failure, at: at) }
        }
        return text
    }
}
