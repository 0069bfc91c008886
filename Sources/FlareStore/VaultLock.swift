#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a vault file, held while a `Vault` is open, so two processes
/// never append to one device's log at once (both would issue the same seqs).
///
/// `flock` locks belong to the open file description, so they do not interfere with SQLite's
/// own POSIX record locks on the same file, and the kernel drops them when the process dies.
final class VaultLock {
    private var descriptor: Int32

    /// Takes the lock on `path`, or throws `StoreError.locked` at once if another process has it.
    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StoreError.storage("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK { throw StoreError.locked(path: path) }
            throw StoreError.storage("cannot lock \(path): \(String(cString: strerror(reason)))")
        }
        self.descriptor = descriptor
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
