import FlareWire

/// Why a sync stopped, or what it could not use. Every case says what happened in words a
/// person can act on; nothing stored before the failure is lost.
public enum SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `HOST:PORT` could not be read.
    case badAddress(String)
    /// No relay is remembered for this vault and none was given.
    case noRelay
    /// The relay could not be reached.
    case unreachable(String, reason: String)
    /// The relay refused a request, with its code and message.
    case refused(ErrorCode, String)
    /// The connection ended or stalled before the sync was complete.
    case cut(String)
    /// The relay sent something this device cannot use.
    case protocolViolation(String)
    /// An envelope that does not open or holds other changes than it says; it is skipped.
    case badEnvelope(String, String)
    /// A change too big for the relay's frames.
    case changeTooLarge(seq: UInt64, bytes: Int, limit: Int)
    /// The relay holds no invitation for an invite code: used, expired, or from another relay.
    case inviteSpent
    /// The vault moved to key epoch `epoch` without this device: another device revoked it.
    case revokedHere(epoch: UInt64)
    /// A key epoch record (of epoch `epoch`) this device cannot use, and why.
    case badEpochRecord(UInt64, String)
    /// The device named for revocation is not one the relay admits to the vault.
    case notRevocable(String)

    public var description: String {
        switch self {
        case .badAddress(let text): return "\"\(text)\" is not a relay address; give HOST:PORT, e.g. 127.0.0.1:7400."
        case .noRelay: return "No relay is set for this vault; give one with --relay HOST:PORT."
        case .unreachable(let address, let reason): return "Cannot reach the relay at \(address): \(reason)."
        case .refused(let code, let message):
            switch code {
            case .unknownVault:
                return "The relay does not know this vault: \(message). Ask its owner for an invite (flare-relay invite) and run flare sync --invite TOKEN."
            case .badInvite: return "The relay refused the invite: \(message). Ask its owner for a new one."
            case .authFailed: return "The relay refused this device: \(message)."
            case .revoked:
                return "This device was revoked from the vault on another device, so the relay refuses it: \(message). "
                    + "What is stored here stays readable here; to take part again, this device needs a new invite (flare invite on a device of the vault) and a new vault file."
            case .epochConflict: return "The relay refused the revocation: \(message)."
            case .storageFull:
                return "The relay's disk is full: it stored nothing of the last request, and nothing is lost here. Sync again once its owner has freed space."
            default: return "The relay refused: \(message) (\(code))."
            }
        case .cut(let when): return "The connection to the relay ended \(when); run flare sync again to go on (nothing is lost)."
        case .protocolViolation(let what): return "The relay broke the protocol: \(what)."
        case .badEnvelope(let label, let why): return "Envelope \(label) was skipped: \(why)."
        case .inviteSpent:
            return "The relay has no invitation for this code: it was used already, it expired, or it was made at another relay. "
                + "Make a new one on a device of the vault with flare invite."
        case .revokedHere(let epoch):
            return "This device was revoked from the vault (key epoch \(epoch) does not include it). "
                + "What is stored here stays readable here; nothing written on the other devices since reaches it."
        case .badEpochRecord(let epoch, let why): return "Key epoch \(epoch) from the relay was refused: \(why)."
        case .notRevocable(let why): return why
        case .changeTooLarge(let seq, let bytes, let limit):
            return "Change \(seq) of this device is \(bytes) bytes sealed; the relay takes frames of at most \(limit)."
        }
    }
}
