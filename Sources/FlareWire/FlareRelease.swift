/// Which release of Flare this is: what `flare --version` and `flare-relay --version` print,
/// with the sync protocol versions it speaks. Bumped by hand at each release (SwiftPM has no
/// package version to read it from).
public enum FlareRelease {
    public static let version = "0.15.0"

    /// The sync protocol versions this release speaks (Protocol/PROTOCOL.md).
    public static let protocolVersions: ClosedRange<UInt64> = 3...3

    /// "0.15.0 (sync protocol 3)".
    public static var description: String {
        let protocols = protocolVersions.count == 1 ? "\(protocolVersions.lowerBound)" : "\(protocolVersions.lowerBound)–\(protocolVersions.upperBound)"
        return "\(version) (sync protocol \(protocols))"
    }
}
