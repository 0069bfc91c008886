/// Why `flare unlock`, `flare lock` or `flare unlock --status` could not use the unlock agent.
/// Other commands never report these: without a usable agent they ask for the passphrase.
enum AgentError: Error, CustomStringConvertible {
    /// The agent's folder could not be made, or is not this user's alone; the reason follows
    /// the folder's path.
    case unsafeFolder(String, String)
    /// The agent could not be started or reached, or broke the protocol; what it did follows
    /// "The unlock agent".
    case unreachable(String)
    /// The agent holds keys for as many vaults as it keeps.
    case full

    var description: String {
        switch self {
        case .unsafeFolder(let folder, let reason):
            return "The unlock agent's folder \(folder) \(reason); nothing was unlocked or locked. Remove it, or set XDG_RUNTIME_DIR to a folder only you can open."
        case .unreachable(let what):
            return "The unlock agent \(what)."
        case .full:
            return "The unlock agent already holds keys for \(AgentKeys.maximumVaults) vaults, the most it keeps; `flare lock --vault PATH` one first."
        }
    }
}
