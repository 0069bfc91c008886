import FlareCrypto
import Testing

@Suite struct PaddingTests {
    @Test func padmeOfSmallLengthsIsTheLengthItself() {
        for length in 0...7 { #expect(Padding.padme(length) == length) }
    }

    @Test func padmeIsAtLeastTheLengthAndAtMostTwelvePercentMore() {
        for length in 1...70_000 {
            let padded = Padding.padme(length)
            #expect(padded >= length && Double(padded - length) <= 0.12 * Double(length), "length \(length)")
        }
    }

    @Test func padmeIsMonotoneAndIdempotent() {
        var previous = 0
        for length in 0...70_000 {
            let padded = Padding.padme(length)
            #expect(padded >= previous && Padding.padme(padded) == padded, "length \(length)")
            previous = padded
        }
    }

    @Test func knownClasses() {
        let table = [8: 8, 9: 10, 17: 18, 33: 36, 65: 72, 100: 104, 128: 128, 129: 144, 513: 544, 1000: 1024, 1025: 1088, 65_537: 67_584]
        for (length, padded) in table { #expect(Padding.padme(length) == padded, "length \(length)") }
    }

    @Test func plaintextsOfOneClassSealToTheSameSize() {
        let key = SealingKey.random()
        // 100 and 103 bytes plus the marker both pad to 104.
        let short = key.seal(Random.bytes(100), associatedData: [])
        let long = key.seal(Random.bytes(103), associatedData: [])
        #expect(short.count == long.count)
        #expect(key.seal(Random.bytes(104), associatedData: []).count > long.count)
    }
}
