import FlareCRDT
import Foundation

/// A recorded editing session (seeds/traces/README.md): transactions of splices, applied in
/// order from `startContent`, ending at `endContent`. Positions count Unicode scalars.
public struct EditingTrace: Sendable {
    /// Delete `deleted` scalars at `position`, then insert `inserted` there.
    public struct Patch: Sendable {
        public let position: Int
        public let deleted: Int
        public let inserted: String
    }

    public let startContent: String
    public let endContent: String
    public let transactions: [[Patch]]

    public var patchCount: Int { transactions.reduce(0) { $0 + $1.count } }

    /// The folder the traces are kept in: seeds/traces beside this package's Package.swift.
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("seeds/traces")

    /// Reads a gzipped trace (decompressed by `gzip -dc`: Foundation on Linux reads no gzip).
    public init(gzipped path: String) throws {
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-dc", path]
        let output = Pipe()
        gzip.standardOutput = output
        try gzip.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        guard gzip.terminationStatus == 0 else { throw TraceError.unreadable("gzip -dc \(path) exited with \(gzip.terminationStatus)") }
        try self.init(json: data)
    }

    public init(json data: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let start = object["startContent"] as? String, let end = object["endContent"] as? String,
            let txns = object["txns"] as? [[String: Any]]
        else { throw TraceError.unreadable("not an editing trace") }
        startContent = start
        endContent = end
        transactions = try txns.map { txn in
            guard let patches = txn["patches"] as? [[Any]] else { throw TraceError.unreadable("a transaction without patches") }
            return try patches.map { patch in
                guard patch.count == 3, let position = patch[0] as? Int, let deleted = patch[1] as? Int, let inserted = patch[2] as? String,
                    position >= 0, deleted >= 0
                else { throw TraceError.unreadable("a malformed patch \(patch)") }
                return Patch(position: position, deleted: deleted, inserted: inserted)
            }
        }
    }

    /// The text after the first `limit` transactions, by plain splicing (the reference).
    /// Throws for a patch outside the text it applies to.
    public func plainText(after limit: Int) throws -> String {
        var scalars = Array(startContent.unicodeScalars)
        for transaction in transactions.prefix(limit) {
            for patch in transaction {
                guard patch.position <= scalars.count, patch.deleted <= scalars.count - patch.position else {
                    throw TraceError.unreadable("a patch at \(patch.position) deleting \(patch.deleted) of a text of \(scalars.count) characters")
                }
                scalars.replaceSubrange(patch.position..<(patch.position + patch.deleted), with: patch.inserted.unicodeScalars)
            }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Replays the first `limit` transactions into `replica`'s text field `field` of document
    /// `id` (created, with the start content, in a first change): one change per transaction.
    public func replay(into replica: inout Replica, document id: String, field: String, limit: Int? = nil, wallStart: UInt64 = 1_700_000_000_000) throws {
        try replica.makeChange(wallMilliseconds: wallStart) { change in
            try change.create(id, type: "note")
            if !startContent.isEmpty { try change.insertText(id, field, at: 0, startContent) }
        }
        for (index, transaction) in transactions.prefix(limit ?? transactions.count).enumerated() {
            try replica.makeChange(wallMilliseconds: wallStart + UInt64(index + 1)) { change in
                for patch in transaction {
                    try change.spliceText(id, field, at: patch.position, deleting: patch.deleted, inserting: patch.inserted)
                }
            }
        }
    }
}

public enum TraceError: Error, CustomStringConvertible {
    case unreadable(String)

    public var description: String {
        switch self {
        case .unreadable(let why): return "The editing trace cannot be read: \(why)."
        }
    }
}
