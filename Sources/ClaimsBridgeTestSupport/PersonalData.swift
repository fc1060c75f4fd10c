import Foundation

/// The personal values of fixture patients (names, birth dates, certificate and policy numbers, addresses), taken
/// from the fixtures' expected model JSON, and a search for them in stored files as raw bytes.
public enum PersonalData {
    /// Model keys whose values identify a patient or subscriber.
    static let personalKeys: Set<String> = [
        "lastName", "firstName", "birthDate", "certificateNumber", "policyNumber", "line1", "postalCode",
    ]

    /// The personal values in the expected model JSON (one object per line) of a fixture; a birth date is also
    /// given as CDAnet writes it (`YYYYMMDD`).
    public static func values(inExpected relative: String) throws -> Set<String> {
        var found: Set<String> = []
        for line in try Fixtures.bytes(relative).split(separator: 0x0A) where !line.isEmpty {
            collect(try JSONSerialization.jsonObject(with: Data(line)), into: &found)
        }
        return found
    }

    private static func collect(_ value: Any, into found: inout Set<String>) {
        if let object = value as? [String: Any] {
            for (key, child) in object {
                if personalKeys.contains(key), let text = child as? String, text.count >= 4 {
                    found.insert(text)
                    if key == "birthDate" { found.insert(text.replacingOccurrences(of: "-", with: "")) }
                } else {
                    collect(child, into: &found)
                }
            }
        } else if let array = value as? [Any] {
            for child in array { collect(child, into: &found) }
        }
    }

    /// Each file (under `paths`, folders searched recursively) holding one of `values` in its raw bytes, with the
    /// value: `path: value`.
    public static func occurrences(of values: Set<String>, in paths: [String]) -> [String] {
        var hits: [String] = []
        for path in paths {
            for file in regularFiles(at: path) {
                guard let bytes = FileManager.default.contents(atPath: file).map(Array.init) else { continue }
                for value in values.sorted() where bytes.firstRange(of: Array(value.utf8)) != nil {
                    hits.append("\(file): \(value)")
                }
            }
        }
        return hits
    }

    /// `path` itself when it is a file; the files below it when it is a folder.
    public static func regularFiles(at path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { return [path] }
        return ((try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []).map { path + "/" + $0 }.filter {
            var child: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &child) && !child.boolValue
        }.sorted()
    }
}
