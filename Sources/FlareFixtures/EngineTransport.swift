/// A way to reach an engine: one request line out, one answer line back. `EngineProcess`
/// runs another implementation; `InProcessEngine` is Flare's own, with no process between.
public protocol EngineTransport: AnyObject {
    /// Sends `request` (one line, without its newline) and returns the answer line (without
    /// its newline), starting the engine first if it is not running. On any failure the
    /// engine is stopped before this throws, so the next exchange starts a fresh one.
    func exchange(_ request: [UInt8]) throws(EngineTransportError) -> [UInt8]
    /// Ends the engine at once, after it broke the protocol.
    func stop()
    /// Ends the engine at the end of a run: its input is closed, and it may exit by itself.
    func close()
}

/// Why an engine gave no answer: it crashed, hung, or wrote something that is not a line.
public struct EngineTransportError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Flare's own engine answering in this process, through the same lines as `flare fixtures
/// engine`, so the default run and a run against another engine go through one protocol.
public final class InProcessEngine: EngineTransport {
    private var engine = FlareEngine()

    public init() {}

    public func exchange(_ request: [UInt8]) throws(EngineTransportError) -> [UInt8] {
        Array(engine.answer(request).utf8)
    }

    public func stop() {
        engine = FlareEngine()
    }

    public func close() {
        stop()
    }
}
