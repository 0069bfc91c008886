import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the unlock agent listens: a Unix stream socket in a folder only this user can enter.
/// The folder's privacy is what keeps other users out; each end also checks that the process
/// at the other end runs as this user (`AgentConnection.peerUID`).
struct AgentSocket {
    /// `$XDG_RUNTIME_DIR/flare`, else `/tmp/flare-UID`.
    let folder: String

    /// The socket.
    var path: String { folder + "/agent.sock" }
    /// The file the running agent holds locked, so that an agent started in a race with
    /// another exits at once instead of taking its socket.
    var lockPath: String { folder + "/agent.lock" }

    /// The folder for this user: under `$XDG_RUNTIME_DIR` (a private folder the system makes
    /// per login, emptied at logout) when it is set to an absolute path, else in `/tmp`.
    static func forThisUser(environment: [String: String] = ProcessInfo.processInfo.environment) -> AgentSocket {
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return AgentSocket(folder: runtime + "/flare")
        }
        return AgentSocket(folder: "/tmp/flare-\(getuid())")
    }

    /// Creates the folder (mode 0700) if it is missing, then checks it as `folderExists` does.
    func makeFolder() throws {
        if mkdir(folder, 0o700) != 0, errno != EEXIST {
            throw AgentError.unsafeFolder(folder, "cannot be created (\(String(cString: strerror(errno))))")
        }
        _ = try folderExists()
    }

    /// Whether the folder exists; throws if it is not this user's alone (not a folder, another
    /// user's, a symbolic link, or open to others): a socket in it could be reached or replaced
    /// by someone else, as in a folder another user made in `/tmp` first.
    func folderExists() throws -> Bool {
        var info = stat()
        guard lstat(folder, &info) == 0 else {
            if errno == ENOENT { return false }
            throw AgentError.unsafeFolder(folder, "cannot be read (\(String(cString: strerror(errno))))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw AgentError.unsafeFolder(folder, "is not a folder") }
        guard info.st_uid == getuid() else { throw AgentError.unsafeFolder(folder, "belongs to another user") }
        guard info.st_mode & 0o077 == 0 else { throw AgentError.unsafeFolder(folder, "is open to other users") }
        return true
    }

    /// Connects to the agent; nil when none listens here.
    func connection(patience: Duration) throws -> AgentConnection? {
        var address = try address()
        let descriptor = socket(AF_UNIX, Self.streamType, 0)
        guard descriptor >= 0 else { throw AgentError.unreachable("cannot be reached (\(String(cString: strerror(errno))))") }
        let connection = AgentConnection(descriptor: descriptor, patience: patience)
        // A full backlog (the agent busy with a slow client) makes connect wait: bounded too.
        connection.limitConnect(to: patience)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else {
            if [ENOENT, ECONNREFUSED].contains(errno) { return nil }
            throw AgentError.unreachable("cannot be reached (\(String(cString: strerror(errno))))")
        }
        return connection
    }

    /// Listens at `path` (mode 0600), replacing whatever is there: only the agent holding the
    /// lock file calls this, so a socket left there is from an agent that died.
    func listening() throws -> AgentListener {
        var address = try address()
        unlink(path)
        let descriptor = socket(AF_UNIX, Self.streamType, 0)
        guard descriptor >= 0 else { throw AgentError.unreachable("cannot listen (\(String(cString: strerror(errno))))") }
        let mask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(mask)
        var info = stat()
        guard bound == 0, chmod(path, 0o600) == 0, listen(descriptor, 16) == 0, lstat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw AgentError.unreachable("cannot listen at \(path) (\(reason))")
        }
        return AgentListener(descriptor: descriptor, socket: self, device: info.st_dev, inode: info.st_ino)
    }

    private static var streamType: Int32 {
        #if os(Linux)
        Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    private func address() throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw AgentError.unsafeFolder(folder, "has too long a path for a socket; set XDG_RUNTIME_DIR to a shorter one")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return address
    }
}

/// The agent's listening socket.
struct AgentListener {
    let descriptor: Int32
    let socket: AgentSocket
    /// The socket file as bound, to notice it removed or replaced.
    let device: dev_t
    let inode: ino_t

    /// Whether the socket file is still the one this listener bound: when it was removed (the
    /// runtime folder emptied at logout, say), no command can reach the agent any more.
    var isReachable: Bool {
        var info = stat()
        return lstat(socket.path, &info) == 0 && info.st_dev == device && info.st_ino == inode
    }

    /// The next client, waiting for one until `deadline`; nil when none came.
    func nextClient(until deadline: ContinuousClock.Instant, patience: Duration) -> AgentConnection? {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, AgentConnection.milliseconds(until: deadline)) == 1 else { return nil }
        let client = accept(descriptor, nil, nil)
        guard client >= 0 else { return nil }
        return AgentConnection(descriptor: client, patience: patience)
    }

    /// Stops listening and removes the socket file if it is still this listener's.
    func stop() {
        if isReachable { unlink(socket.path) }
        close(descriptor)
    }
}

/// One connection to or from the agent. Every read and write is bounded by one deadline set
/// when the connection starts, so a peer that sends slowly or not at all holds it up only that
/// long; a frame larger than the protocol allows is refused before it is read.
final class AgentConnection {
    private let descriptor: Int32
    private let deadline: ContinuousClock.Instant

    init(descriptor: Int32, patience: Duration) {
        self.descriptor = descriptor
        deadline = .now + patience
    }

    deinit { close(descriptor) }

    /// The user id of the process at the other end, as the kernel saw it connect.
    var peerUID: uid_t? {
        #if os(Linux)
        // struct ucred (pid, uid, gid), which Glibc's module does not import.
        var credentials = [UInt32](repeating: 0, count: 3)
        var size = socklen_t(MemoryLayout<UInt32>.size * 3)
        let status = credentials.withUnsafeMutableBytes { getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &size) }
        return status == 0 && size == socklen_t(MemoryLayout<UInt32>.size * 3) ? credentials[1] : nil
        #else
        var uid: uid_t = 0
        var gid: gid_t = 0
        return getpeereid(descriptor, &uid, &gid) == 0 ? uid : nil
        #endif
    }

    /// Bounds `connect`, the one call made without `poll`, to `patience` (`SO_SNDTIMEO`).
    func limitConnect(to patience: Duration) {
        var limit = timeval(tv_sec: Int(patience.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all of `bytes`, or throws.
    func sendAll(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            try wait(for: POLLOUT)
            let count = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Self.sendFlags) }
            guard count > 0 else {
                if count < 0, [EAGAIN, EINTR].contains(errno) { continue }
                throw AgentError.unreachable("closed the connection")
            }
            sent += count
        }
    }

    /// Reads one frame and returns its body, in a buffer of exactly its size (wipe it once
    /// read); throws for a frame the protocol does not allow, a closed connection or a deadline
    /// passed.
    func receiveFrame() throws -> [UInt8] {
        var header = [UInt8](repeating: 0, count: AgentProtocol.headerCount)
        try receive(into: &header)
        guard let count = AgentProtocol.bodyCount(header: header) else { throw AgentError.unreachable("sent a frame of a size the protocol does not allow") }
        var body = [UInt8](repeating: 0, count: count)
        try receive(into: &body)
        return body
    }

    private func receive(into buffer: inout [UInt8]) throws {
        var received = 0
        while received < buffer.count {
            try wait(for: POLLIN)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + received, $0.count - received, Int32(MSG_DONTWAIT)) }
            guard count > 0 else {
                if count < 0, [EAGAIN, EINTR].contains(errno) { continue }
                throw AgentError.unreachable("closed the connection")
            }
            received += count
        }
    }

    private func wait(for events: Int32) throws {
        var entry = pollfd(fd: descriptor, events: Int16(events), revents: 0)
        let ready = poll(&entry, 1, Self.milliseconds(until: deadline))
        guard ready == 1 else {
            if ready < 0, errno == EINTR { return }
            throw AgentError.unreachable("did not answer in time")
        }
    }

    /// Milliseconds from now to `deadline`, rounded up, for `poll`; 0 once it has passed.
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = ((deadline - .now) / .milliseconds(1)).rounded(.up)
        return Int32(min(max(left, 0), 86_400_000))
    }

    private static var sendFlags: Int32 {
        #if os(Linux)
        // No SIGPIPE when the other end has gone: an error to handle, not a signal that kills.
        Int32(MSG_NOSIGNAL | MSG_DONTWAIT)
        #else
        MSG_DONTWAIT
        #endif
    }
}
