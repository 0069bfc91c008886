extension SecretBytes {
    /// The bytes of `parts` one after another, in new guarded memory (a keyring stores several
    /// secrets in one sealed box without them passing through ordinary memory).
    public convenience init(joining parts: [SecretBytes]) {
        self.init(count: parts.reduce(0) { $0 + $1.count }) { buffer in
            var offset = 0
            for part in parts {
                part.withUnsafeBytes { bytes in
                    UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + bytes.count)]).copyMemory(from: bytes)
                }
                offset += part.count
            }
        }
    }

    /// The bytes in `range`, in new guarded memory.
    public func slice(_ range: Range<Int>) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice \(range) outside \(count) secret bytes")
        return withUnsafeBytes { SecretBytes(copying: $0[range]) }
    }
}
