import Foundation

/// What a CDAnet mappings folder holds, saved after it was loaded in full: which file maps which version,
/// transaction and model type, and the SHA-256 of every file it was read from.
///
/// A one-message run then compiles only the mapping its message needs. The index is found by the folder and
/// its list of mapping files, and used only when every file it lists still has the content it had, so an edited
/// layout, mapping, dictionary, code table or rules file is never read through an index made for other contents.
package struct CDAnetCatalogIndex: Equatable {
    package struct Entry: Equatable {
        package var file: String
        package var type: String
        package var version: String
        package var transaction: String
        package var embedsMessage: Bool
        package var writable: Bool
    }

    package var entries: [Entry]
    /// Every file the catalog was read from, with its SHA-256.
    package var files: [(path: String, sha256: String)]

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.entries == rhs.entries && lhs.files.elementsEqual(rhs.files) { $0 == $1 }
    }

    private static let header = "claimsbridge cdanet catalog index 1"

    /// The index's text: a header line, then one tab-separated line per file and per mapping.
    package var text: String {
        var lines = [Self.header]
        for file in files { lines.append("file\t\(file.sha256)\t\(file.path)") }
        for entry in entries {
            lines.append(
                [
                    "entry", entry.version, entry.transaction, entry.embedsMessage ? "1" : "0",
                    entry.writable ? "1" : "0", entry.type, entry.file,
                ].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses an index's text; nil for anything that is not an index this version wrote.
    package init?(text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(Self.header), lines.last == "" else { return nil }
        lines.removeFirst()
        lines.removeLast()
        var entries: [Entry] = []
        var files: [(String, String)] = []
        for line in lines {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch parts.first {
            case "file" where parts.count == 3 && parts[1].utf8.count == 64:
                files.append((parts[2], parts[1]))
            case "entry" where parts.count == 7:
                guard parts[1].utf8.count == 2, parts[2].utf8.count == 2, Int(parts[1]) != nil, Int(parts[2]) != nil
                else { return nil }
                entries.append(
                    Entry(
                        file: parts[6], type: parts[5], version: parts[1], transaction: parts[2],
                        embedsMessage: parts[3] == "1", writable: parts[4] == "1"))
            default:
                return nil
            }
        }
        guard !entries.isEmpty, !files.isEmpty else { return nil }
        self.entries = entries
        self.files = files
    }

    package init(entries: [Entry], files: [(path: String, sha256: String)]) {
        self.entries = entries
        self.files = files
    }

    /// Whether every file the index lists still has the content it had.
    package var isCurrent: Bool {
        files.allSatisfy { ContentDigest.sha256(ofFileAt: $0.path) == $0.sha256 }
    }
}

extension CDAnetCatalog {
    /// Loads the catalog of `directory` through an index kept in `cacheFolder`: when the index is current, only
    /// the mappings that messages need are compiled, as they are needed; otherwise every mapping is loaded and
    /// checked, and a new index is saved. Without a cache folder, or when it cannot be written, every mapping is
    /// loaded as by ``init(directory:)``.
    /// - Throws: as ``init(directory:)``.
    package static func load(directory: String, cacheFolder: String?) throws -> CDAnetCatalog {
        let paths = try mappingPaths(in: directory)
        guard let cacheFolder, paths.allSatisfy({ !$0.contains("\t") && !$0.contains("\n") }) else {
            return try CDAnetCatalog(directory: directory)
        }
        let directoryPath = URL(fileURLWithPath: directory).standardizedFileURL.path
        let key = ContentDigest.sha256(Array(([directoryPath] + paths).joined(separator: "\n").utf8))
        let indexPath = (cacheFolder as NSString).appendingPathComponent("cdanet-\(key).index")
        if let data = FileManager.default.contents(atPath: indexPath),
            let index = CDAnetCatalogIndex(text: String(decoding: data, as: UTF8.self)), index.isCurrent,
            Set(index.entries.map(\.file)) == Set(paths)
        {
            return try CDAnetCatalog(index: index)
        }
        // Digests are taken before loading: a file edited while it is loaded leaves an index that no longer matches.
        var digests: [String: String] = [:]
        for path in paths { digests[path] = ContentDigest.sha256(ofFileAt: path) }
        for path in filesBelow(directory) where digests[path] == nil { digests[path] = ContentDigest.sha256(ofFileAt: path) }
        var cache = MappingLoadCache()
        let mappings = try loadAll(paths: paths, cache: &cache)
        let catalog = try CDAnetCatalog(mappings: mappings)
        let used = Set(paths).union(cache.layouts.keys).union(cache.dictionaries.keys).union(cache.codeTables.keys)
            .union(cache.carrierRuleFiles.keys)
        var files: [(path: String, sha256: String)] = []
        for path in used.sorted() {
            guard !path.contains("\t"), !path.contains("\n"),
                let digest = digests[path] ?? ContentDigest.sha256(ofFileAt: path)
            else { return catalog }
            files.append((path, digest))
        }
        let index = CDAnetCatalogIndex(
            entries: mappings.map {
                .init(
                    file: $0.file, type: $0.type, version: $0.layout.version, transaction: $0.layout.transaction,
                    embedsMessage: $0.layout.endsWithEmbeddedMessage, writable: $0.notReversibleBecause == nil)
            }, files: files)
        saveQuietly(index.text, to: indexPath, in: cacheFolder)
        return catalog
    }

    /// The cache folder the command line uses: `CLAIMSBRIDGE_CACHE_DIR`, else `$XDG_CACHE_HOME/claimsbridge`, else
    /// `~/.cache/claimsbridge`; nil (no cache) when `CLAIMSBRIDGE_CACHE_DIR` is `off` or empty.
    package static func defaultCacheFolder(environment: [String: String]) -> String? {
        if let explicit = environment["CLAIMSBRIDGE_CACHE_DIR"] {
            return explicit.isEmpty || explicit == "off" ? nil : explicit
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/claimsbridge" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.cache/claimsbridge" }
        return nil
    }

    private static func filesBelow(_ directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        for case let relative as String in walker {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(relative).path
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
                found.append(path)
            }
        }
        return found
    }

    /// Writes the index through a private temporary file renamed into place; a cache that cannot be written is
    /// not an error (the next run loads every mapping again).
    private static func saveQuietly(_ text: String, to path: String, in folder: String) {
        guard (try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])) != nil
        else { return }
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        if written != bytes.count || rename(temporary, path) != 0 { unlink(temporary) }
    }
}
