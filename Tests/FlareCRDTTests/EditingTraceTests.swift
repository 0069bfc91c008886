import FlareCRDT
import Testing
import ToolSupport

/// The standard editing traces (seeds/traces), replayed in part: a regression in how text
/// merges or splices shows here in CI, while the whole traces are `flare-text-bench`'s (issue 15).
@Suite struct EditingTraceTests {
    @Test(arguments: ["automerge-paper", "seph-blog1"])
    func theFirstTransactionsOfATraceGiveTheTextSplicingGives(name: String) throws {
        let trace = try EditingTrace(gzipped: EditingTrace.folder.appendingPathComponent(name + ".json.gz").path)
        #expect(trace.transactions.count > 100_000)
        let limit = 2_500
        var replica = Replica(id: ReplicaID.random())
        try trace.replay(into: &replica, document: "doc", field: "text", limit: limit)
        let expected = try trace.plainText(after: limit)
        #expect(replica.document("doc")?.text("text") == expected)
        // A fresh replica importing the history reads the same text.
        var imported = Replica(id: ReplicaID.random())
        for change in try ChangeCodec.decode(ChangeCodec.encode(replica.changes())) { try imported.receive(change) }
        #expect(imported.document("doc")?.text("text") == expected)
    }
}
