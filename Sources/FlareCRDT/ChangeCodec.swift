import FlareBytes
/// The binary encoding of a batch of changes, specified byte by byte in Protocol/ENCODING.md.
///
/// A batch shares one table of replica ids and one of strings (document ids, types, field
/// names, set elements, string values) across its changes, and stores clocks, seqs and
/// dependencies as deltas, so a long history costs little more than the values typed.
public enum ChangeCodec {
    static let magic: [UInt8] = [0x46, 0x4C, 0x43]  // "FLC"
    /// The only version this code writes and reads.
    public static let version: UInt8 = 1

    enum OperationTag: UInt8 {
        case create = 0, set, add, remove, increment, insertText, deleteText, delete
    }

    enum ScalarTag: UInt8 {
        case null = 0, falseValue, trueValue, int, double, float, string
    }

    enum AnchorTag: UInt8 {
        case start = 0, before, after
    }

    // MARK: Encoding

    /// Encodes `changes`, kept in the order given, as one batch. Each replica's changes must
    /// appear in increasing seq order, as `Replica.changes` gives them; the decoder refuses
    /// anything else.
    public static func encode(_ changes: [Change]) -> [UInt8] {
        var tables = Tables()
        for change in changes { tables.collect(change) }
        var writer = ByteWriter()
        writer.raw(magic)
        writer.byte(version)
        tables.write(to: &writer)
        writer.varint(changes.count)
        var lastSeq: [ReplicaID: UInt64] = [:]
        var lastDependencies: [ReplicaID: VersionVector] = [:]
        var lastMilliseconds: UInt64 = 0
        var lastDocument: String?
        for change in changes {
            let replica = change.id.replica
            writer.varint(tables.replicaIndex[replica]!)
            writer.varint(change.id.seq &- (lastSeq[replica] ?? 0))
            lastSeq[replica] = change.id.seq
            writer.signed(Int64(bitPattern: change.clock.milliseconds &- lastMilliseconds))
            lastMilliseconds = change.clock.milliseconds
            writer.varint(UInt64(change.clock.counter))
            if change.dependencies == (lastDependencies[replica] ?? VersionVector()) {
                writer.varint(0)
            } else {
                writer.varint(change.dependencies.entries.count + 1)
                for entry in change.dependencies {
                    writer.varint(tables.replicaIndex[entry.replica]!)
                    writer.varint(entry.seq)
                }
            }
            lastDependencies[replica] = change.dependencies
            writer.varint(change.operations.count)
            for operation in change.operations {
                write(operation, to: &writer, tables: tables, lastDocument: &lastDocument)
            }
        }
        return writer.bytes
    }

    private static func write(_ operation: Operation, to writer: inout ByteWriter, tables: Tables, lastDocument: inout String?) {
        func document(_ id: String) {
            if id == lastDocument { writer.varint(0) } else { writer.varint(tables.stringIndex[id]! + 1) }
            lastDocument = id
        }
        func string(_ value: String) { writer.varint(tables.stringIndex[value]!) }
        switch operation {
        case .create(let id, let type):
            writer.byte(OperationTag.create.rawValue); document(id); string(type)
        case .set(let id, let field, let value):
            writer.byte(OperationTag.set.rawValue); document(id); string(field)
            writeScalar(value, to: &writer, tables: tables)
        case .add(let id, let field, let element):
            writer.byte(OperationTag.add.rawValue); document(id); string(field); string(element)
        case .remove(let id, let field, let element):
            writer.byte(OperationTag.remove.rawValue); document(id); string(field); string(element)
        case .increment(let id, let field, let amount):
            writer.byte(OperationTag.increment.rawValue); document(id); string(field); writer.signed(amount)
        case .insertText(let id, let field, let anchor, let text):
            writer.byte(OperationTag.insertText.rawValue); document(id); string(field)
            switch anchor {
            case .start: writer.byte(AnchorTag.start.rawValue)
            case .before(let element): writer.byte(AnchorTag.before.rawValue); writeElement(element, to: &writer, tables: tables)
            case .after(let element): writer.byte(AnchorTag.after.rawValue); writeElement(element, to: &writer, tables: tables)
            }
            writer.string(text)
        case .deleteText(let id, let field, let ranges):
            writer.byte(OperationTag.deleteText.rawValue); document(id); string(field)
            writer.varint(ranges.count)
            for range in ranges {
                writeElement(range.first, to: &writer, tables: tables)
                writer.varint(UInt64(range.count))
            }
        case .delete(let id):
            writer.byte(OperationTag.delete.rawValue); document(id)
        }
    }

    static func writeElement(_ element: ElementID, to writer: inout ByteWriter, tables: Tables) {
        writer.varint(tables.replicaIndex[element.change.replica]!)
        writer.varint(element.change.seq)
        writer.varint(UInt64(element.offset))
    }

    static func writeScalar(_ value: Scalar, to writer: inout ByteWriter, tables: Tables) {
        switch value {
        case .null: writer.byte(ScalarTag.null.rawValue)
        case .bool(let flag): writer.byte(flag ? ScalarTag.trueValue.rawValue : ScalarTag.falseValue.rawValue)
        case .int(let int): writer.byte(ScalarTag.int.rawValue); writer.signed(int)
        case .double(let double):
            // Decimals people log (7.5 hours, 0.25 mg) are exact in 32 bits: half the bytes.
            let narrow = Float(double)
            if Double(narrow).bitPattern == double.bitPattern {
                writer.byte(ScalarTag.float.rawValue)
                writer.littleEndian(UInt64(narrow.bitPattern), bytes: 4)
            } else {
                writer.byte(ScalarTag.double.rawValue)
                writer.littleEndian(double.bitPattern, bytes: 8)
            }
        case .string(let string): writer.byte(ScalarTag.string.rawValue); writer.varint(tables.stringIndex[string]!)
        }
    }

    // MARK: Decoding

    /// Decodes a batch. Throws `DecodingError` for anything malformed, never traps.
    public static func decode(_ bytes: [UInt8]) throws -> [Change] {
        var reader = ByteReader(bytes)
        try readHeader(&reader, magic: magic)
        let tables = try Tables.read(from: &reader)
        let count = try reader.count(minimumSize: 6)
        var changes: [Change] = []
        changes.reserveCapacity(count)
        var lastSeq: [ReplicaID: UInt64] = [:]
        var lastDependencies: [ReplicaID: VersionVector] = [:]
        var lastMilliseconds: UInt64 = 0
        var lastDocument: String?
        for _ in 0..<count {
            let at = reader.position
            let replica = tables.replicas[try reader.index(below: tables.replicas.count)]
            let delta = try reader.varint()
            let (seq, seqOverflow) = (lastSeq[replica] ?? 0).addingReportingOverflow(delta)
            guard delta > 0, !seqOverflow else { throw DecodingError.invalidValue("sequence numbers must increase", at: at) }
            guard seq <= Seq.maximum else { throw DecodingError.invalidValue("a sequence number must be at most 2^63 - 1 (got \(seq))", at: at) }
            lastSeq[replica] = seq
            let clockAt = reader.position
            lastMilliseconds = lastMilliseconds &+ UInt64(bitPattern: try reader.signed())
            let clock = HLC(milliseconds: lastMilliseconds, counter: try reader.varint32())
            guard clock.isInRange else { throw DecodingError.clockOutOfRange(clock.milliseconds, at: clockAt) }
            let dependencyAt = reader.position
            let dependencyMode = try reader.count()
            var dependencies = lastDependencies[replica] ?? VersionVector()
            if dependencyMode > 0 {
                var entries: [(ReplicaID, UInt64)] = []
                for _ in 0..<(dependencyMode - 1) {
                    let dependency = tables.replicas[try reader.index(below: tables.replicas.count)]
                    let dependencySeq = try reader.seq()
                    guard dependencySeq > 0, dependency != replica, entries.last.map({ $0.0 < dependency }) ?? true else {
                        throw DecodingError.invalidValue("dependencies must be sorted, positive and not the change's own replica", at: dependencyAt)
                    }
                    entries.append((dependency, dependencySeq))
                }
                dependencies = VersionVector(entries)
            }
            lastDependencies[replica] = dependencies
            let operationCount = try reader.count(minimumSize: 2)
            guard operationCount > 0 else { throw DecodingError.invalidValue("a change needs at least one operation", at: reader.position) }
            var operations: [Operation] = []
            operations.reserveCapacity(operationCount)
            for _ in 0..<operationCount {
                operations.append(try readOperation(&reader, tables: tables, lastDocument: &lastDocument))
            }
            changes.append(Change(id: ChangeID(replica: replica, seq: seq), clock: clock, dependencies: dependencies, operations: operations))
        }
        guard reader.isAtEnd else { throw DecodingError.trailingBytes(at: reader.position) }
        return changes
    }

    static func readHeader(_ reader: inout ByteReader, magic: [UInt8]) throws {
        guard reader.remaining >= magic.count + 1, Array(try reader.raw(magic.count)) == magic else {
            throw DecodingError.badMagic
        }
        let version = try reader.byte()
        guard version == Self.version else { throw DecodingError.unsupportedVersion(version) }
    }

    private static func readOperation(_ reader: inout ByteReader, tables: Tables, lastDocument: inout String?) throws -> Operation {
        let at = reader.position
        let tagByte = try reader.byte()
        guard let tag = OperationTag(rawValue: tagByte) else { throw DecodingError.unknownTag(tagByte, at: at) }
        let documentAt = reader.position
        let reference = try reader.varint()
        let document: String
        if reference == 0 {
            guard let last = lastDocument else { throw DecodingError.invalidValue("no previous document to refer to", at: documentAt) }
            document = last
        } else {
            guard reference <= UInt64(tables.strings.count) else { throw DecodingError.indexOutOfRange(at: documentAt) }
            document = tables.strings[Int(reference - 1)]
        }
        lastDocument = document
        func string() throws -> String { tables.strings[try reader.index(below: tables.strings.count)] }
        switch tag {
        case .create: return .create(document: document, type: try string())
        case .set: return .set(document: document, field: try string(), value: try readScalar(&reader, tables: tables))
        case .add: return .add(document: document, field: try string(), element: try string())
        case .remove: return .remove(document: document, field: try string(), element: try string())
        case .increment: return .increment(document: document, field: try string(), amount: try reader.signed())
        case .insertText:
            let field = try string()
            let anchorAt = reader.position
            let anchorByte = try reader.byte()
            let anchor: TextAnchor
            switch AnchorTag(rawValue: anchorByte) {
            case .start?: anchor = .start
            case .before?: anchor = .before(try readElement(&reader, tables: tables))
            case .after?: anchor = .after(try readElement(&reader, tables: tables))
            case nil: throw DecodingError.unknownTag(anchorByte, at: anchorAt)
            }
            let textAt = reader.position
            let text = try reader.string()
            guard !text.isEmpty else { throw DecodingError.invalidValue("inserted text is empty", at: textAt) }
            return .insertText(document: document, field: field, anchor: anchor, text: text)
        case .deleteText:
            let field = try string()
            let countAt = reader.position
            let count = try reader.count(minimumSize: 4)
            guard count > 0 else { throw DecodingError.invalidValue("a text deletion needs at least one range", at: countAt) }
            var ranges: [ElementRange] = []
            ranges.reserveCapacity(count)
            for _ in 0..<count {
                let first = try readElement(&reader, tables: tables)
                let countAt = reader.position
                let length = try reader.varint32()
                guard length > 0, UInt32.max - first.offset >= length else {
                    throw DecodingError.invalidValue("a deleted range must be non-empty and within 32-bit offsets", at: countAt)
                }
                ranges.append(ElementRange(first: first, count: length))
            }
            return .deleteText(document: document, field: field, ranges: ranges)
        case .delete: return .delete(document: document)
        }
    }

    static func readElement(_ reader: inout ByteReader, tables: Tables) throws -> ElementID {
        let replica = tables.replicas[try reader.index(below: tables.replicas.count)]
        let seq = try reader.seq()
        return ElementID(change: ChangeID(replica: replica, seq: seq), offset: try reader.varint32())
    }

    static func readScalar(_ reader: inout ByteReader, tables: Tables) throws -> Scalar {
        let at = reader.position
        let tagByte = try reader.byte()
        switch ScalarTag(rawValue: tagByte) {
        case .null?: return .null
        case .falseValue?: return .bool(false)
        case .trueValue?: return .bool(true)
        case .int?: return .int(try reader.signed())
        case .double?: return .double(Double(bitPattern: try reader.littleEndian(bytes: 8)))
        case .float?: return .double(Double(Float(bitPattern: UInt32(try reader.littleEndian(bytes: 4)))))
        case .string?: return .string(tables.strings[try reader.index(below: tables.strings.count)])
        case nil: throw DecodingError.unknownTag(tagByte, at: at)
        }
    }
}

/// The replica and string tables an encoding shares across its contents, in order of first use.
struct Tables {
    private(set) var replicas: [ReplicaID] = []
    private(set) var replicaIndex: [ReplicaID: Int] = [:]
    private(set) var strings: [String] = []
    private(set) var stringIndex: [String: Int] = [:]

    mutating func add(_ replica: ReplicaID) {
        guard replicaIndex[replica] == nil else { return }
        replicaIndex[replica] = replicas.count
        replicas.append(replica)
    }

    mutating func add(_ string: String) {
        guard stringIndex[string] == nil else { return }
        stringIndex[string] = strings.count
        strings.append(string)
    }

    mutating func add(_ scalar: Scalar) {
        if case .string(let string) = scalar { add(string) }
    }

    mutating func collect(_ change: Change) {
        add(change.id.replica)
        for entry in change.dependencies { add(entry.replica) }
        for operation in change.operations {
            add(operation.document)
            switch operation {
            case .create(_, let type): add(type)
            case .set(_, let field, let value): add(field); add(value)
            case .add(_, let field, let element), .remove(_, let field, let element): add(field); add(element)
            case .increment(_, let field, _): add(field)
            case .insertText(_, let field, let anchor, _):
                add(field)
                switch anchor {
                case .start: break
                case .before(let element), .after(let element): add(element.change.replica)
                }
            case .deleteText(_, let field, let ranges):
                add(field)
                for range in ranges { add(range.first.change.replica) }
            case .delete: break
            }
        }
    }

    func write(to writer: inout ByteWriter) {
        writer.varint(replicas.count)
        for replica in replicas { writer.replica(replica) }
        writer.varint(strings.count)
        for string in strings { writer.string(string) }
    }

    static func read(from reader: inout ByteReader) throws -> Tables {
        var tables = Tables()
        let replicaCount = try reader.count(minimumSize: 16)
        for _ in 0..<replicaCount {
            let at = reader.position
            let replica = try reader.replica()
            guard tables.replicaIndex[replica] == nil else { throw DecodingError.invalidValue("replica listed twice", at: at) }
            tables.add(replica)
        }
        let stringCount = try reader.count()
        tables.strings.reserveCapacity(stringCount)
        tables.stringIndex.reserveCapacity(stringCount)
        for _ in 0..<stringCount {
            let at = reader.position
            let string = try reader.string()
            guard tables.stringIndex[string] == nil else { throw DecodingError.invalidValue("string listed twice", at: at) }
            tables.add(string)
        }
        return tables
    }
}
