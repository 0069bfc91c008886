import Testing

/// swift-property-based 2.0.1 runs a property under `try?`, so an error the property throws is
/// dropped and the check passes. Property bodies go through this: a thrown error is a failure.
public func failOnError(_ context: @autoclosure () -> String, _ body: () throws -> Void) {
    do { try body() } catch { Issue.record("\(context()): \(error)") }
}
