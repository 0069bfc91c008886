import NIOCore

/// Frames to payloads on a SwiftNIO channel, with the limit checked from the 4 length bytes
/// alone: an oversized frame fails the channel (`WireError.frameLength`) before any of its
/// payload is buffered.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = [UInt8]
    public let limit: Int

    public init(limit: Int = Frame.maximumLength) {
        self.limit = limit
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        try Frame.check(length: Int(length), limit: limit)
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readBytes(length: Int(length))!))
        return .continue
    }
}

extension ByteBufferAllocator {
    /// `message` as one frame.
    public func frame(_ message: Message) -> ByteBuffer {
        let payload = message.encoded()
        var buffer = buffer(capacity: 4 + payload.count)
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeBytes(payload)
        return buffer
    }
}
