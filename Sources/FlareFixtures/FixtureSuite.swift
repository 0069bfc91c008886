import Foundation

/// Finds and runs fixture files, as `flare fixtures run` does.
public enum FixtureSuite {
    /// The `.json` files at `paths`: files as given, folders searched recursively, sorted.
    public static func files(at paths: [String]) throws -> [URL] {
        var files: [URL] = []
        let manager = FileManager.default
        for path in paths {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw FixtureError.malformed("\(path): no such file or folder")
            }
            if !isFolder.boolValue {
                files.append(URL(fileURLWithPath: path))
                continue
            }
            let enumerator = manager.enumerator(at: URL(fileURLWithPath: path, isDirectory: true), includingPropertiesForKeys: nil)
            var found: [URL] = []
            while let url = enumerator?.nextObject() as? URL {
                if url.pathExtension == "json" { found.append(url) }
            }
            files.append(contentsOf: found.sorted { $0.path < $1.path })
        }
        return files
    }

    /// Runs one file: a malformed file fails, named by its path, with the problem.
    public static func run(file: URL) -> FixtureResult {
        let label = file.deletingPathExtension().lastPathComponent
        do {
            let fixture = try Fixture(json: try Data(contentsOf: file))
            do { return try FixtureRunner.run(fixture) } catch {
                return FixtureResult(name: fixture.name, failure: "malformed fixture \(file.path): \(error)")
            }
        } catch {
            return FixtureResult(name: label, failure: "malformed fixture \(file.path): \(error)")
        }
    }
}
