import FlareCRDT
import Testing

/// `TextOverlap`: edits of one text made apart that erased the same characters, each with the
/// text its device had just after, open until an edit that saw them all.
@Suite struct TextOverlapTests {
    let phoneID = ReplicaID(high: 1, low: 0)
    let laptopID = ReplicaID(high: 2, low: 0)

    /// Two replicas holding "woke stiff" in e1's note.
    func pair() throws -> (phone: Replica, laptop: Replica, log: [Change]) {
        var phone = Replica(id: phoneID)
        let first = try phone.makeChange(wallMilliseconds: 1000) { change in
            try change.create("e1", type: "symptom")
            try change.insertText("e1", "note", at: 0, "woke stiff")
        }
        var laptop = Replica(id: laptopID)
        _ = try laptop.receive(first)
        return (phone, laptop, [first])
    }

    @Test func concurrentRewritesOfOneStretchOverlapUntilAnEditSeesBoth() throws {
        var (phone, laptop, log) = try pair()
        let mine = try phone.makeChange(wallMilliseconds: 2000) { change in
            try change.deleteText("e1", "note", at: 5, count: 5)
            try change.insertText("e1", "note", at: 5, "sore")
        }
        let theirs = try laptop.makeChange(wallMilliseconds: 2000) { change in
            try change.deleteText("e1", "note", at: 0, count: 10)
            try change.insertText("e1", "note", at: 0, "fine today")
        }
        _ = try phone.receive(theirs)
        log += [mine, theirs]
        let overlaps = TextOverlap.find(in: log)
        #expect(overlaps.count == 1)
        #expect(overlaps.first?.document == "e1" && overlaps.first?.field == "note")
        #expect(overlaps.first?.versions.map(\.text) == ["woke sore", "fine today"])
        #expect(overlaps.first?.versions.map(\.change) == [mine.id, theirs.id])

        // An edit made with both in view settles it; one that saw only one would not.
        let settled = try phone.makeChange(wallMilliseconds: 3000) { try $0.insertText("e1", "note", at: 0, "!") }
        #expect(TextOverlap.find(in: log + [settled]).isEmpty)
        #expect(TextOverlap.find(in: log, documents: ["other"]).isEmpty)
    }

    @Test func editsOfDifferentStretchesOrOfOneDeviceDoNotOverlap() throws {
        var (phone, laptop, log) = try pair()
        let start = try phone.makeChange(wallMilliseconds: 2000) { try $0.deleteText("e1", "note", at: 0, count: 4) }
        let end = try laptop.makeChange(wallMilliseconds: 2000) { try $0.deleteText("e1", "note", at: 5, count: 5) }
        let again = try phone.makeChange(wallMilliseconds: 3000) { try $0.deleteText("e1", "note", at: 0, count: 1) }
        log += [start, end, again]
        #expect(TextOverlap.find(in: log).isEmpty)
    }
}
