import FlareCrypto
import Testing

@Suite struct SecretBytesTests {
    @Test func copyingKeepsTheBytes() {
        let secret = SecretBytes(copying: [1, 2, 3, 255])
        #expect(secret.count == 4)
        #expect(secret.bytes == [1, 2, 3, 255])
    }

    @Test func equalityComparesContentAndLength() {
        #expect(SecretBytes(copying: [1, 2, 3]) == SecretBytes(copying: [1, 2, 3]))
        #expect(SecretBytes(copying: [1, 2, 3]) != SecretBytes(copying: [1, 2, 4]))
        #expect(SecretBytes(copying: [1, 2, 3]) != SecretBytes(copying: [1, 2, 3, 0]))
        #expect(SecretBytes(copying: []) == SecretBytes(copying: []))
    }

    @Test func randomSecretsDiffer() {
        let first = SecretBytes(randomCount: 32)
        #expect(first.count == 32)
        #expect(first != SecretBytes(randomCount: 32))
    }

    @Test func emptySecretIsAllowed() {
        let empty = SecretBytes(randomCount: 0)
        #expect(empty.count == 0)
        #expect(empty.bytes.isEmpty)
    }

    @Test func descriptionDoesNotShowTheBytes() {
        #expect(SecretBytes(copying: [0xAB, 0xCD]).description == "SecretBytes(2 bytes)")
    }

    @Test func joiningAndSlicingRoundTrip() {
        let parts = [SecretBytes(copying: [1, 2]), SecretBytes(copying: []), SecretBytes(copying: [3, 4, 5])]
        let joined = SecretBytes(joining: parts)
        #expect(joined.bytes == [1, 2, 3, 4, 5])
        #expect(joined.slice(0..<2) == parts[0])
        #expect(joined.slice(2..<2) == parts[1])
        #expect(joined.slice(2..<5) == parts[2])
        #expect(SecretBytes(joining: []).count == 0)
    }

    @Test func concurrentReadersSeeTheSameBytes() async {
        let secret = SecretBytes(randomCount: 64)
        let expected = secret.bytes
        await withTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<8 { group.addTask { secret.bytes } }
            for await bytes in group { #expect(bytes == expected) }
        }
    }
}
