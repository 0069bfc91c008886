import CSodium

/// libsodium is initialised once, before the first call into it, by every entry point of this
/// module. Entry points that can throw report a failed initialisation as
/// `CryptoError.sodiumUnavailable`; those that cannot throw stop the process, because they have
/// no safe result to return without libsodium.
enum Sodium {
    /// Whether `sodium_init` succeeded. A `static let` runs its initialiser exactly once, even
    /// when several threads reach it first at the same time.
    static let isReady: Bool = sodium_init() >= 0

    /// Throws `CryptoError.sodiumUnavailable` where libsodium could not be initialised.
    static func ready() throws(CryptoError) {
        guard isReady else { throw .sodiumUnavailable }
    }

    /// Stops the process where libsodium could not be initialised.
    static func require() {
        guard isReady else { fatalError("libsodium could not be initialised (sodium_init failed)") }
    }
}
