public import ClaimsBridge
public import Foundation

/// Finds the repository's `Fixtures/` and `Mappings/` folders from this source file, so tests read the same
/// files the tool ships with.
public enum Fixtures {
    /// The package root.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Mappings/`.
    public static var mappings: URL { root.appendingPathComponent("Mappings") }

    /// A path below `Fixtures/`.
    public static func url(_ relative: String) -> URL {
        root.appendingPathComponent("Fixtures").appendingPathComponent(relative)
    }

    /// The bytes of a fixture file.
    public static func bytes(_ relative: String) throws -> [UInt8] { Array(try Data(contentsOf: url(relative))) }

    /// The fixture files in a folder with an extension, sorted by name (relative paths).
    public static func files(in folder: String, withExtension ext: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url(folder).path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) && !$0.hasSuffix(".expected." + ext) }.sorted().map {
            folder + "/" + $0
        }
    }

    /// The CDAnet catalog loaded from the shipped mappings, once per test process.
    public static let catalog: CDAnetCatalog = {
        do {
            return try CDAnetCatalog(directory: mappings.appendingPathComponent("cdanet").path)
        } catch {
            fatalError("the shipped mappings do not load: \(error)")
        }
    }()

    /// A new folder under the temporary directory, named `<prefix>-<UUID>`, with `subfolders` made in it.
    public static func scratchFolder(_ prefix: String, subfolders: [String]) throws -> String {
        let folder = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        for subfolder in subfolders {
            try FileManager.default.createDirectory(atPath: folder + "/" + subfolder, withIntermediateDirectories: true)
        }
        return folder
    }

    /// Whether golden files should be rewritten (`RECORD_SNAPSHOTS=1`); a recording run still fails.
    public static var isRecording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }
}
