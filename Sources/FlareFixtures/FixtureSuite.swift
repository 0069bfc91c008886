import Foundation

/// Finds and runs fixture files, as `flare fixtures run` does.
public enum FixtureSuite {
    /// The `.json` files at `paths`: files as given, folders searched recursively (each
    /// folder's files in path order). Throws the first path that does not exist.
    public static func files(at paths: [String]) throws(FixtureError) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw FixtureError([FixtureProblem(.malformed, "\(path): no such file or folder")])
            }
            guard isFolder.boolValue else {
                files.append(path)
                continue
            }
            let found = (manager.subpaths(atPath: path) ?? []).filter { $0.hasSuffix(".json") }
            let folder = path.hasSuffix("/") ? path : path + "/"
            files += found.map { folder + $0 }.filter { !isDirectory($0) }.sorted()
        }
        return files
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// Reads and runs one file on `session`'s engine; a file that cannot be read or is not
    /// a fixture fails with every problem found in it.
    public static func run(file: String, on session: EngineSession) -> FixtureResult {
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let bytes: [UInt8]
        do {
            bytes = try read(file)
        } catch {
            return FixtureResult(name: stem, file: file, problems: [FixtureProblem(.malformed, "\(error)")])
        }
        do throws(FixtureError) {
            let fixture = try Fixture(bytes: bytes, fileName: stem)
            return FixtureRunner.run(fixture, file: file, on: session)
        } catch {
            return FixtureResult(name: stem, file: file, problems: error.problems)
        }
    }

    /// Runs one file on Flare's own engine, in this process.
    public static func run(file: String) -> FixtureResult {
        run(file: file, on: .flare())
    }

    private struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    private static func read(_ path: String) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let data = try handle.read(upToCount: Fixture.maximumFileSize + 1) ?? Data()
        guard data.count <= Fixture.maximumFileSize else {
            throw ReadError(description: "the file is larger than \(Fixture.maximumFileSize >> 20) MiB; fixtures are small")
        }
        return [UInt8](data)
    }
}
