#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock beside a vault file, held while a `Vault` is open, so two
/// processes never append to one device's log at once (both would issue the same seqs).
///
/// It locks a sidecar file (`VAULT.lock`), never the database itself: closing any descriptor
/// of the database file would drop every POSIX lock SQLite holds on it in this process
/// (SQLite's "How To Corrupt An SQLite Database File", §2.2). `flock` locks go with the open
/// file description, and the kernel drops them when the process dies.
final class VaultLock {
    private var descriptor: Int32
    private let path: String
    /// This lock made the sidecar file (no one had opened the vault before).
    private let created: Bool

    /// The sidecar file locked for the vault at `path`.
    static func path(for vault: String) -> String { vault + ".lock" }

    /// Takes the lock for the vault at `vault`, or throws `StoreError.locked` at once if
    /// another process has it.
    init(path vault: String) throws {
        let path = Self.path(for: vault)
        var descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        created = descriptor >= 0
        if !created, errno == EEXIST { descriptor = open(path, O_RDWR | O_CLOEXEC) }
        guard descriptor >= 0 else {
            throw StoreError.storage("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK { throw StoreError.locked(path: vault) }
            throw StoreError.storage("cannot lock \(path): \(String(cString: strerror(reason)))")
        }
        self.descriptor = descriptor
        self.path = path
    }

    /// Releases the lock, and removes the sidecar if this lock made it: for a file that turned
    /// out not to be a vault, so opening it leaves nothing behind.
    func discard() {
        if created, descriptor >= 0 { unlink(path) }
        release()
    }

    /// Releases the lock; later calls do nothing.
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
