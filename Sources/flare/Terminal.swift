import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The controlling terminal: secrets typed without echo, and whether output is a terminal.
enum Terminal {
    /// Reads one line from the terminal with echo off. Throws when there is no terminal.
    static func readSecret(prompt: String) throws -> String {
        let descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CLIError.usage("No passphrase: set FLARE_PASSPHRASE or pass --passphrase-file when there is no terminal.")
        }
        defer { close(descriptor) }
        _ = prompt.withCString { write(descriptor, $0, strlen($0)) }
        var original = termios()
        tcgetattr(descriptor, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(descriptor, TCSAFLUSH, &silent)
        defer {
            tcsetattr(descriptor, TCSAFLUSH, &original)
            _ = write(descriptor, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(descriptor, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether standard output is a terminal (colours and tables only then).
    static var outputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}

/// Colours for people at a terminal: never when output goes to a file or a pipe, or when
/// `NO_COLOR` is set (no-color.org).
enum Style {
    static let enabled = Terminal.outputIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func dim(_ text: String) -> String { wrap(text, "2") }
    static func bold(_ text: String) -> String { wrap(text, "1") }
    static func red(_ text: String) -> String { wrap(text, "31") }

    private static func wrap(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
