import Foundation

/// Another implementation's engine, run as `/bin/sh -c COMMAND` and spoken to over its
/// standard input and output (Protocol/FIXTURES.md, "Engine protocol"); its standard error
/// is left to the terminal.
///
/// The engine is treated as hostile: every exchange has a deadline (writing the request and
/// reading the whole answer line), an answer line is bounded by
/// `EngineRequest.maximumLineLength`, and an engine that is stopped is killed with its whole
/// process group (it runs in its own), so a crash, a hang or garbage ends in an error, never
/// in a trap or a wait without end. Because the engine is not in the terminal's process group,
/// Ctrl-C would not reach it: while one runs, SIGINT, SIGTERM and SIGHUP kill its group
/// before they end Flare.
public final class EngineProcess: EngineTransport {
    private let command: String
    private let timeout: Duration
    private var child: pid_t?
    private var input: Int32 = -1
    private var output: Int32 = -1
    private var buffer: [UInt8] = []

    /// `timeout` bounds each exchange, and the wait for the engine to exit when stopped.
    public init(command: String, timeout: Duration) {
        self.command = command
        self.timeout = timeout
        // A write to an engine that has exited must come back as EPIPE, not kill Flare. (The
        // child gets the default action back; see `start`.)
        signal(SIGPIPE, SIG_IGN)
        for name in [SIGINT, SIGTERM, SIGHUP] {
            signal(name) { received in
                // Only async-signal-safe calls here.
                if EngineProcess.runningGroup > 0 { kill(-EngineProcess.runningGroup, SIGKILL) }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    /// The process group of the engine running now, for the signal handlers (0: none). One
    /// engine runs at a time.
    nonisolated(unsafe) private static var runningGroup: pid_t = 0

    deinit {
        terminate()
    }

    public func exchange(_ request: [UInt8]) throws(EngineTransportError) -> [UInt8] {
        if child == nil { try start() }
        let deadline = ContinuousClock.now + timeout
        do throws(EngineTransportError) {
            try send(request + [0x0A], until: deadline)
            return try readLine(until: deadline)
        } catch {
            terminate()
            throw error
        }
    }

    public func stop() {
        terminate()
    }

    public func close() {
        if let child {
            closeDescriptor(input)
            input = -1
            // A well engine exits when its input ends; it gets the timeout (at most five seconds) to.
            let deadline = ContinuousClock.now + min(timeout, .seconds(5))
            var status: Int32 = 0
            while waitpid(child, &status, WNOHANG) == 0, ContinuousClock.now < deadline {
                usleep(10_000)
            }
        }
        terminate()
    }

    /// Kills the engine's process group (the engine may have exited, its children not), reaps
    /// the engine, and closes the pipes.
    private func terminate() {
        if let child {
            kill(-child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        Self.runningGroup = 0
        child = nil
        if input >= 0 { closeDescriptor(input) }
        if output >= 0 { closeDescriptor(output) }
        input = -1
        output = -1
        buffer = []
    }

    private func start() throws(EngineTransportError) {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw EngineTransportError("cannot make a pipe to the engine: \(Self.errorText())") }
        guard pipe(&fromChild) == 0 else {
            closeDescriptor(toChild[0])
            closeDescriptor(toChild[1])
            throw EngineTransportError("cannot make a pipe from the engine: \(Self.errorText())")
        }
        // Flare's ends must not leak into the engine (it would never see its input end).
        for descriptor in [toChild[1], fromChild[0]] { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        for descriptor in [toChild[1], fromChild[0]] { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addclose(&actions, toChild[0])
        posix_spawn_file_actions_addclose(&actions, fromChild[1])
        // Its own process group, so stopping it stops whatever it started; SIGPIPE back to the
        // default action, which an ignored signal would not be across exec.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))

        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (text: String) in strdup(text) }
        let environment: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { (name, value) in strdup("\(name)=\(value)") }
        defer { (arguments + environment).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments + [nil], environment + [nil])
        closeDescriptor(toChild[0])
        closeDescriptor(fromChild[1])
        guard status == 0 else {
            closeDescriptor(toChild[1])
            closeDescriptor(fromChild[0])
            throw EngineTransportError("cannot start /bin/sh -c \(JSONValue.quote(command)): \(String(cString: strerror(status)))")
        }
        child = pid
        Self.runningGroup = pid
        input = toChild[1]
        output = fromChild[0]
        buffer = []
    }

    private func send(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) throws(EngineTransportError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0, errno == EINTR { continue }
            guard written < 0, errno == EAGAIN || errno == EWOULDBLOCK else {
                throw EngineTransportError("the engine stopped reading its input (\(Self.errorText())); \(exitDescription())")
            }
            try wait(for: input, events: Int16(POLLOUT), until: deadline, doing: "reading the request")
        }
    }

    private func readLine(until deadline: ContinuousClock.Instant) throws(EngineTransportError) -> [UInt8] {
        var scanned = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            scanned = buffer.count
            guard buffer.count <= EngineRequest.maximumLineLength else {
                throw EngineTransportError("the engine's answer is longer than \(EngineRequest.maximumLineLength >> 20) MiB without a newline")
            }
            let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer += chunk[..<count]
            } else if count == 0 {
                let partial = buffer.isEmpty ? "" : " (after writing \(buffer.count) bytes of an unfinished line)"
                throw EngineTransportError("the engine closed its output without answering\(partial); \(exitDescription())")
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: output, events: Int16(POLLIN), until: deadline, doing: "answering")
            } else if errno != EINTR {
                throw EngineTransportError("cannot read the engine's output: \(Self.errorText())")
            }
        }
    }

    /// Waits until `descriptor` is ready, or throws at the deadline.
    private func wait(for descriptor: Int32, events: Int16, until deadline: ContinuousClock.Instant, doing what: String) throws(EngineTransportError) {
        let left = deadline - ContinuousClock.now
        guard left > .zero else {
            throw EngineTransportError("the engine did not finish \(what) within \(Self.seconds(timeout)); it was stopped")
        }
        let (seconds, attoseconds) = left.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
        var request = pollfd(fd: descriptor, events: events, revents: 0)
        _ = poll(&request, 1, milliseconds)
    }

    /// How the engine ended, if it has (waiting a moment for a process closing its output).
    private func exitDescription() -> String {
        guard let child else { return "it is not running" }
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .milliseconds(500)
        var reaped = waitpid(child, &status, WNOHANG)
        while reaped == 0, ContinuousClock.now < deadline {
            usleep(5_000)
            reaped = waitpid(child, &status, WNOHANG)
        }
        guard reaped == child else { return "it was still running, and was stopped" }
        self.child = nil
        kill(-child, SIGKILL)
        let signal = status & 0x7F
        if signal == 0 { return "it exited with status \((status >> 8) & 0xFF)" }
        return "it was killed by signal \(signal)\(signal == SIGSEGV ? " (SIGSEGV)" : signal == SIGABRT ? " (SIGABRT)" : signal == SIGKILL ? " (SIGKILL)" : "")"
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        return milliseconds == 0 ? "\(seconds) s" : "\(Double(seconds) + Double(milliseconds) / 1000) s"
    }
}

/// `close(2)`, under a name the methods `close()` of `EngineTransport` do not shadow.
private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}
