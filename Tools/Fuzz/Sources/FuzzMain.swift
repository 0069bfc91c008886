// flare-fuzz: libFuzzer harnesses for every decoder of untrusted bytes (Tools/Fuzz/README.md).
//
// One executable, the harness chosen by name: the first argument (when it names a harness) or
// the environment variable FLARE_FUZZ_TARGET. Built with `-Xswiftc -DFUZZING -Xswiftc
// -sanitize=fuzzer,address` (Tools/fuzz does this) it is a libFuzzer binary; built plainly
// (`swift build`) it replays inputs through a harness and writes the seed corpora.
import Foundation

/// Every harness, by the name Tools/fuzz and the corpus folders use.
enum Harnesses {
    static let all: [(name: String, run: @Sendable ([UInt8]) -> Void)] = [
        ("changes", CRDTHarnesses.changes),
        ("snapshot", CRDTHarnesses.snapshot),
        ("checkpoint", CRDTHarnesses.checkpoint),
        ("export", ExportHarness.run),
        ("frames", WireHarnesses.frames),
        ("messages", WireHarnesses.messages),
        ("relay", RelayHarness.run),
        ("fixture", FixtureHarness.fixture),
        ("engine", FixtureHarness.engine),
    ]

    static func named(_ name: String) -> (@Sendable ([UInt8]) -> Void)? {
        all.first { $0.name == name }?.run
    }

    static var names: String { all.map(\.name).joined(separator: " ") }

    /// The harness FLARE_FUZZ_TARGET names; stops the process if it names none.
    static let selected: @Sendable ([UInt8]) -> Void = {
        let name = ProcessInfo.processInfo.environment["FLARE_FUZZ_TARGET"] ?? ""
        guard let harness = named(name) else {
            FileHandle.standardError.write(Data("flare-fuzz: FLARE_FUZZ_TARGET must be one of: \(names) (got \"\(name)\")\n".utf8))
            exit(2)
        }
        return harness
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func flareFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    Harnesses.selected(bytes)
    return 0
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The entry SwiftPM links for this executable target: hands over to libFuzzer's driver.
/// `flare-fuzz TARGET [libFuzzer flags and corpus folders]`: the harness name is taken out of
/// the arguments and put in FLARE_FUZZ_TARGET, which the processes libFuzzer starts inherit.
@_cdecl("flare_fuzz_main")
func flareFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    if argc > 1, let first = argv[1], Harnesses.named(String(cString: first)) != nil {
        setenv("FLARE_FUZZ_TARGET", first, 1)
        // Drop argv[1]: argv[0] moves up one slot.
        argv[1] = argv[0]
        arguments = argv + 1
        count -= 1
    }
    _ = Harnesses.selected
    return LLVMFuzzerRunDriver(&count, &arguments, flareFuzzTestOneInput)
}
#else
/// Without libFuzzer: `flare-fuzz TARGET FILE|FOLDER...` runs each input through the harness
/// (a trap reproduces as a trap); `flare-fuzz seeds FOLDER` writes the seed corpora.
@main
struct FlareFuzz {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let command = arguments.first else {
            print("usage: flare-fuzz TARGET FILE|FOLDER...   (targets: \(Harnesses.names))")
            print("       flare-fuzz seeds FOLDER              (writes FOLDER/<target>/...)")
            return
        }
        if command == "seeds" {
            guard arguments.count == 2 else { throw FuzzUsage("flare-fuzz seeds FOLDER") }
            try Seeds.write(to: arguments[1])
            return
        }
        guard let harness = Harnesses.named(command) else { throw FuzzUsage("unknown target \(command); targets: \(Harnesses.names)") }
        var files: [String] = []
        for path in arguments.dropFirst() {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw FuzzUsage("no such file: \(path)") }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw FuzzUsage("cannot read \(file)") }
            harness([UInt8](data))
        }
        print("flare-fuzz \(command): \(files.count) inputs ran without a trap")
    }
}
#endif

struct FuzzUsage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
