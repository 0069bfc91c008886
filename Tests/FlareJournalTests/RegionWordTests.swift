import FlareJournal
import Testing
import TestSupport

@Suite struct RegionWordTests {
    static func word(_ text: String) -> Term { try! Term(text, field: "region") }
    static func words(_ texts: String...) -> Set<Term> { Set(texts.map(word)) }

    /// Aliases are stored as the regions they mean; canonical names, other places and
    /// `widespread` as they are.
    @Test func knownWordsAreStoredAsCanonicalWords() throws {
        let stored = try BodyRegion.storedWords(known: [Self.word("Shoulders"), Self.word("left thigh"), Self.word("neck")], new: [])
        #expect(stored == Self.words("left shoulder girdle", "right shoulder girdle", "left upper leg", "neck"))
        #expect(try BodyRegion.storedWords(known: [Self.word("back")], new: []) == Self.words("upper back", "lower back"))
        #expect(try BodyRegion.storedWords(known: [Self.word("knees"), Self.word("widespread")], new: []) == Self.words("knees", "widespread"))
        #expect(BodyRegion.canonicalWords(for: Self.word("elbow")) == nil)
        // Every known word stores only words a second client needs no alias table for.
        let canonical = Set(Vocabulary.regions)
        for known in BodyRegion.knownWords {
            let stored = try #require(BodyRegion.canonicalWords(for: Self.word(known)))
            #expect(stored.allSatisfy { canonical.contains($0.text) }, "\(known)")
        }
        #expect(Vocabulary.regions.count == 24)
        #expect(Vocabulary.regions.allSatisfy { BodyRegion.isKnown(Self.word($0)) })
    }

    /// An unknown word is refused with the nearest known word, the first unknown one in the
    /// order given; as a new region it is kept as written.
    @Test func unknownWordsAreRefusedUnlessNew() throws {
        #expect(throws: JournalError.unknownRegion("sholders", suggestion: "shoulders")) {
            try BodyRegion.storedWords(known: [Self.word("neck"), Self.word("Sholders"), Self.word("nek")], new: [])
        }
        #expect(throws: JournalError.unknownRegion("elbow", suggestion: nil)) {
            try BodyRegion.storedWords(known: [Self.word("elbow")], new: [])
        }
        #expect(JournalError.unknownRegion("sholders", suggestion: "shoulders").description
            == "Unknown region \"sholders\"; did you mean \"shoulders\"? Use --new-region \"sholders\" to log it as a new region.")
        #expect(try BodyRegion.storedWords(known: [Self.word("neck")], new: [Self.word("Elbow"), Self.word("hips")])
            == Self.words("neck", "elbow", "left hip", "right hip"))
    }

    @Test func suggestionsAreNearWordsOnly() {
        for (typed, meant) in [
            ("sholders", "shoulders"), ("nekc", "neck"), ("lower bak", "lower back"), ("hip", "hips"), ("knee", "knees"),
            ("abdomin", "abdomen"), ("left upper lge", "left upper leg"), ("wide spread", "widespread"),
        ] {
            #expect(BodyRegion.suggestion(for: Self.word(typed)) == meant, "\(typed)")
        }
        for far in ["elbow", "wrist", "left knee", "toes", "x"] {
            #expect(BodyRegion.suggestion(for: Self.word(far)) == nil, "\(far)")
        }
    }

    /// Old free words and canonical words find each other by the regions they mean.
    @Test func wordsOverlapByMeaning() {
        #expect(BodyRegion.overlaps(Self.word("shoulders"), Self.word("left shoulder girdle")))
        #expect(BodyRegion.overlaps(Self.word("left shoulder"), Self.word("shoulder girdles")))
        #expect(BodyRegion.overlaps(Self.word("back"), Self.word("lower back")))
        #expect(!BodyRegion.overlaps(Self.word("left hip"), Self.word("right hip")))
        #expect(!BodyRegion.overlaps(Self.word("thighs"), Self.word("calves")))
        #expect(BodyRegion.overlaps(Self.word("knees"), Self.word("knees")))
        #expect(BodyRegion.overlaps(Self.word("elbow"), Self.word("elbow")))
        #expect(!BodyRegion.overlaps(Self.word("widespread"), Self.word("neck")))
        #expect(!BodyRegion.overlaps(Self.word("elbow"), Self.word("neck")))
    }

    @Test func aTimelineFiltersRegionsByMeaning() throws {
        let folder = try TemporaryFolder()
        let journal = try JournalTests.journal(in: folder)
        let old = try journal.log(SymptomEntry(at: JournalTests.at("2026-11-16", 8), regions: Self.words("shoulders", "neck")))
        let canonical = try journal.log(SymptomEntry(at: JournalTests.at("2026-11-17", 8), regions: Self.words("left shoulder girdle")))
        let hips = try journal.log(SymptomEntry(at: JournalTests.at("2026-11-18", 8), regions: Self.words("hips")))
        let elbow = try journal.log(SymptomEntry(at: JournalTests.at("2026-11-19", 8), regions: Self.words("elbow", "widespread")))
        func found(_ region: String) -> [String] { journal.timeline(TimelineFilter(region: Self.word(region))).map(\.id) }
        #expect(found("shoulders") == [old, canonical])
        #expect(found("left shoulder") == [old, canonical])
        #expect(found("right shoulder girdle") == [old])
        #expect(found("right hip") == [hips])
        #expect(found("elbow") == [elbow])
        #expect(found("widespread") == [elbow])
        #expect(found("knees") == [])
        try journal.vault.close()
    }
}
