import ArgumentParser
import FlareCrypto
import FlareJournal
import FlareRemind
import FlareStore
import FlareSync
import Foundation

/// Exit statuses (sysexits.h), documented in `flare --help`.
enum ExitStatus: Int32 {
    case ok = 0
    /// A check failed (fixtures, doctor).
    case failure = 1
    /// Bad command line or value.
    case usage = 64
    /// A value in the journal or a file that cannot be used.
    case data = 65
    /// No such vault or record.
    case noInput = 66
    /// The relay, or the unlock agent, cannot be reached, or no timer can be installed for a reminder.
    case unavailable = 69
    /// A file could not be created, or a disk (this device's or the relay's) is full.
    case cannotCreate = 73
    /// Reading or writing failed, or the vault is damaged.
    case ioError = 74
    /// The vault is open in another process, or the connection to the relay was cut; try again.
    case tempFail = 75
    /// The relay broke the sync protocol.
    case protocolError = 76
    /// Wrong passphrase.
    case noPermission = 77
}

/// An error of the CLI itself, already phrased for the person.
enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case cannotCreate(String)
    /// No such record (or vault), named for the person, exit 66.
    case notFound(String)
    /// A service flare needs is missing (no timer can be installed), exit 69.
    case unavailable(String)

    var description: String {
        switch self {
        case .usage(let message), .cannotCreate(let message), .notFound(let message), .unavailable(let message): return message
        }
    }
}

/// Runs a command body: prints any error as one sentence on standard error and exits with its
/// status.
func reporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        try report(error)
    }
}

/// `reporting` for commands that wait on the network.
func reporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try report(error)
    }
}

private func report(_ error: any Error) throws -> Never {
    switch error {
    case let exit as ExitCode:
        throw exit
    case let error as ValidationError:
        throw error
    default:
        let (status, message) = describe(error)
        FileHandle.standardError.write(Data("flare: \(message)\n".utf8))
        throw ExitCode(status.rawValue)
    }
}

func describe(_ error: Error) -> (ExitStatus, String) {
    switch error {
    case let error as CLIError:
        switch error {
        case .usage: return (.usage, error.description)
        case .cannotCreate: return (.cannotCreate, error.description)
        case .notFound: return (.noInput, error.description)
        case .unavailable: return (.unavailable, error.description)
        }
    case let error as ReminderError:
        switch error {
        case .badTime, .badName, .duplicate, .unusablePath: return (.usage, error.description)
        case .badFile: return (.data, error.description)
        case .unknownReminder: return (.noInput, error.description)
        }
    case let error as JournalError:
        switch error {
        case .unknownRecord: return (.noInput, error.description)
        default: return (.data, error.description)
        }
    case let error as StoreError:
        switch error {
        case .wrongPassphrase: return (.noPermission, error.description)
        case .noVault(let path): return (.noInput, "No vault at \(path); run `flare init` (or `flare join CODE`) to create one.")
        case .notAVault, .newerSchema, .invalidExport: return (.data, error.description)
        case .locked: return (.tempFail, error.description)
        case .alreadyExists, .cannotCreate: return (.cannotCreate, error.description)
        case .corrupted, .storage: return (.ioError, error.description)
        case .diskFull: return (.cannotCreate, error.description)
        case .badKeyEpochs: return (.data, error.description)
        }
    case let error as SyncError:
        switch error {
        case .badAddress, .noRelay: return (.usage, error.description)
        case .unreachable: return (.unavailable, error.description)
        case .refused(let code, _):
            switch code {
            case .authFailed, .unknownVault, .badInvite, .revoked: return (.noPermission, error.description)
            case .rateLimited, .shuttingDown: return (.tempFail, error.description)
            case .quotaExceeded, .storageFull: return (.cannotCreate, error.description)
            default: return (.protocolError, error.description)
            }
        case .cut: return (.tempFail, error.description)
        case .protocolViolation, .badEnvelope: return (.protocolError, error.description)
        case .changeTooLarge: return (.data, error.description)
        case .inviteSpent, .revokedHere: return (.noPermission, error.description)
        case .badEpochRecord: return (.protocolError, error.description)
        case .notRevocable: return (.noInput, error.description)
        }
    case let error as AgentError:
        switch error {
        case .unsafeFolder, .full: return (.cannotCreate, error.description)
        case .unreachable: return (.unavailable, error.description)
        }
    case let error as CryptoError:
        return (.data, "\(error)")
    default:
        return (.failure, "\(error)")
    }
}
