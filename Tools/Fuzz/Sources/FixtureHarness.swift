import FlareFixtures
import Foundation

/// Fixture JSON (Protocol/FIXTURES.md): parse, then run the script and its expectations.
enum FixtureHarness {
    @Sendable static func run(_ input: [UInt8]) {
        guard let fixture = try? Fixture(json: Data(input)) else { return }
        _ = try? FixtureRunner.run(fixture)
    }
}
