import FlareFixtures

/// Fixture JSON (Protocol/FIXTURES.md) and the engine protocol's requests.
enum FixtureHarness {
    /// The strict JSON reader, then `Fixture(bytes:)` and a run on Flare's own engine. What
    /// reads without a problem must print (compact, keys sorted) to text that reads back to
    /// the same value.
    @Sendable static func fixture(_ input: [UInt8]) {
        let (root, problems) = JSONReader.read(input)
        if let root, problems.isEmpty {
            guard let value = root.value else { fatalError("a value read without problems holds an invalid part") }
            let (again, later) = JSONReader.read(Array(value.description.utf8))
            precondition(later.isEmpty && again?.value == value, "printed JSON does not read back to the same value: \(value)")
        }
        guard let fixture = try? Fixture(bytes: input) else { return }
        let result = FixtureRunner.run(fixture, on: .flare())
        precondition(result.problems.allSatisfy { $0.kind != .engine }, "Flare's engine broke the protocol: \(result.text)")
    }

    /// `FlareEngine.answer`, one request per line of the input: every answer must be one JSON
    /// object with a boolean "ok", whatever the request.
    @Sendable static func engine(_ input: [UInt8]) {
        var engine = FlareEngine()
        for line in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let answer = engine.answer(Array(line))
            let (root, problems) = JSONReader.read(Array(answer.utf8))
            guard let root, problems.isEmpty, case .bool? = root["ok"]?.value else {
                fatalError("the engine's answer is not a protocol answer: \(answer)")
            }
        }
    }
}
