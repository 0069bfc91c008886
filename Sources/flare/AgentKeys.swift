import FlareStore

/// The keys the unlock agent holds, by vault, each until its time is up: the agent's whole
/// state, with the time passed in, so its rules are plain functions of requests and instants.
///
/// Time is `ContinuousClock`, which keeps counting while the computer sleeps (Linux's
/// `CLOCK_BOOTTIME`): a key kept for 15 minutes is gone after a 15-minute suspend, and setting
/// the wall clock back does not keep it longer.
struct AgentKeys {
    /// The most vaults the agent holds keys for at once.
    static let maximumVaults = 32
    /// The longest a key is kept: 12 hours.
    static let maximumSeconds: UInt32 = 12 * 3600

    private var held: [String: (unlock: VaultUnlock, until: ContinuousClock.Instant)] = [:]
    /// Whether a key was ever kept: an agent that held keys and holds none now has no more use.
    private(set) var hasKeptAny = false

    var isEmpty: Bool { held.isEmpty }

    /// When the next key is due to be forgotten.
    var nextExpiry: ContinuousClock.Instant? { held.values.map(\.until).min() }

    /// Forgets every key whose time is up at `now`.
    mutating func expire(at now: ContinuousClock.Instant) {
        held = held.filter { $0.value.until > now }
    }

    /// Carries out `request` at `now` and says how it went.
    mutating func answer(_ request: AgentRequest, at now: ContinuousClock.Instant) -> AgentResponse {
        expire(at: now)
        switch request {
        case .keep(let vault, let seconds, let unlock):
            guard held[vault] != nil || held.count < Self.maximumVaults else { return .full }
            let seconds = min(max(seconds, 1), Self.maximumSeconds)
            held[vault] = (unlock, now + .seconds(seconds))
            hasKeptAny = true
            return .done
        case .key(let vault):
            guard let entry = held[vault] else { return .notHeld }
            return .key(secondsLeft: Self.seconds(from: now, to: entry.until), unlock: entry.unlock)
        case .status(let vault):
            guard let entry = held[vault] else { return .notHeld }
            return .held(secondsLeft: Self.seconds(from: now, to: entry.until))
        case .forget(let vault):
            held[vault] = nil
            return .done
        case .forgetAll:
            held = [:]
            return .done
        }
    }

    /// Whole seconds from `now` to `until`, rounded down (so no one is told of time a key does
    /// not have), but at least 1 while the key is held.
    private static func seconds(from now: ContinuousClock.Instant, to until: ContinuousClock.Instant) -> UInt32 {
        UInt32(min(max(((until - now) / .seconds(1)).rounded(.down), 1), Double(maximumSeconds)))
    }
}
