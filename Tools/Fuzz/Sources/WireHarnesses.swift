import FlareWire

/// Frames and every wire message.
enum WireHarnesses {
    /// `Frame.Decoder` fed the input in chunks, each payload decoded as a message.
    ///
    /// Input: 2 bytes of limit (big-endian; 0 means the default), 1 byte seeding the chunk
    /// sizes, then the stream. The payloads must be the same whether the stream comes in
    /// chunks or all at once, and each must come back out of `Frame.encode` unchanged.
    @Sendable static func frames(_ input: [UInt8]) {
        guard input.count >= 3 else { return }
        let limitBytes = Int(input[0]) << 8 | Int(input[1])
        let limit = limitBytes == 0 ? Frame.maximumLength : limitBytes * 17
        var seed = UInt64(input[2]) &* 0x9E37_79B9_7F4A_7C15 | 1
        let stream = Array(input[3...])

        let whole = payloads(of: [stream], limit: limit)
        var chunks: [[UInt8]] = []
        var offset = 0
        while offset < stream.count {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            let size = min(stream.count - offset, Int(seed % 9))  // 0 to 8 bytes: empty feeds too
            chunks.append(Array(stream[offset..<(offset + size)]))
            offset += size
        }
        let chunked = payloads(of: chunks, limit: limit)
        precondition(whole.payloads == chunked.payloads && whole.failed == chunked.failed,
                     "the frame decoder's result depends on how the bytes arrive")
        for payload in chunked.payloads {
            precondition(!payload.isEmpty && payload.count <= limit, "a payload outside the frame limit")
            var decoder = Frame.Decoder(limit: limit)
            decoder.feed(Frame.encode(payload))
            precondition((try? decoder.next()) == payload && decoder.pendingCount == 0, "a payload does not survive Frame.encode")
            messages(payload)
        }
    }

    private static func payloads(of chunks: [[UInt8]], limit: Int) -> (payloads: [[UInt8]], failed: Bool) {
        var decoder = Frame.Decoder(limit: limit)
        var result: [[UInt8]] = []
        for chunk in chunks {
            decoder.feed(chunk)
            do {
                while let payload = try decoder.next() { result.append(payload) }
            } catch {
                return (result, true)
            }
            precondition(decoder.pendingCount >= 0)
        }
        return (result, false)
    }

    /// `Message.decode`; what decodes must re-encode to a payload that decodes to the same bytes.
    @Sendable static func messages(_ payload: [UInt8]) {
        guard let message = try? Message.decode(payload) else { return }
        let encoded = message.encoded()
        guard let again = try? Message.decode(encoded) else { fatalError("decoded message \(message.type) re-encodes to bytes that do not decode") }
        precondition(again.encoded() == encoded && again.type == message.type, "message \(message.type) does not re-encode stably")
    }
}
