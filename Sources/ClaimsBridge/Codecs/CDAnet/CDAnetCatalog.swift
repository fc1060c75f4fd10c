import Foundation

/// Every CDAnet layout and mapping ClaimsBridge knows, loaded once from `Mappings/cdanet/`.
///
/// Reading dispatches on the version (offset 18) and transaction code (offset 20) of each message; writing
/// dispatches on the model's `type` and `routing.version`.
public final class CDAnetCatalog: Sendable {
    /// One entry per mapping file, sorted by version and transaction code.
    private let entries: [CatalogEntry]
    /// Entry numbers by `version * 100 + transaction`, a direct index for the per-message lookup.
    private let byWireKey: [Int32]
    private let byModelKey: [String: Int]
    /// The versions present, e.g. `["02", "04"]`.
    package let versions: [String]
    /// Loads the mappings of a catalog built from an index, one at a time, as messages first need them.
    private let loader: LazyMappingLoader?

    /// Loads every `*.mapping.yaml` below `directory` (and the layouts, dictionaries and code tables they name).
    /// - Throws: ``BridgeError`` (`invalidConfiguration`); when several files have problems, the reason lists
    ///   each one as `file:line: reason`.
    public convenience init(directory: String) throws {
        var cache = MappingLoadCache()
        try self.init(mappings: try Self.loadAll(paths: try Self.mappingPaths(in: directory), cache: &cache))
    }

    /// The `*.mapping.yaml` files below `directory`, sorted.
    package static func mappingPaths(in directory: String) throws -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw BridgeError(.invalidConfiguration, "cannot read the mappings folder", at: .init(file: directory))
        }
        var paths: [String] = []
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(".mapping.yaml") {
            paths.append(url.path)
        }
        guard !paths.isEmpty else {
            throw BridgeError(
                .invalidConfiguration, "no *.mapping.yaml files were found; pass the Mappings folder with --mappings",
                at: .init(file: directory))
        }
        return paths.sorted()
    }

    /// Loads and compiles each mapping file, reporting every file that has a problem.
    package static func loadAll(paths: [String], cache: inout MappingLoadCache) throws -> [Mapping] {
        var mappings: [Mapping] = []
        var problems: [BridgeError] = []
        for path in paths {
            do {
                mappings.append(try Mapping.load(path: path, cache: &cache))
            } catch let error as BridgeError {
                problems.append(error)
            }
        }
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 {
            throw BridgeError(
                .invalidConfiguration,
                "\(problems.count) mapping files have problems:\n"
                    + problems.map { "  \($0.description)" }.joined(separator: "\n"))
        }
        return mappings
    }

    /// Builds a catalog from mappings already loaded.
    /// - Throws: when two mappings read the same transaction or write the same model type and version.
    package convenience init(mappings: [Mapping]) throws {
        try self.init(entries: mappings.map(CatalogEntry.init(loaded:)), loader: nil)
    }

    /// Builds a catalog whose mappings are loaded from their files when first used (see ``CDAnetCatalogIndex``).
    package convenience init(index: CDAnetCatalogIndex) throws {
        try self.init(entries: index.entries.map(CatalogEntry.init(described:)), loader: LazyMappingLoader())
    }

    private init(entries unsorted: [CatalogEntry], loader: LazyMappingLoader?) throws {
        let entries = unsorted.sorted { ($0.version, $0.transaction) < ($1.version, $1.transaction) }
        var byWireKey = [Int32](repeating: -1, count: 100 * 100)
        var byModelKey: [String: Int] = [:]
        for (number, entry) in entries.enumerated() {
            let key = Int(entry.version)! * 100 + Int(entry.transaction)!
            if byWireKey[key] >= 0 {
                throw BridgeError(
                    .invalidConfiguration,
                    "version \(entry.version) transaction \(entry.transaction) is mapped twice (also by \(entries[Int(byWireKey[key])].file))",
                    at: .init(file: entry.file))
            }
            byWireKey[key] = Int32(number)
            let modelKey = entry.type + "@" + entry.version
            if let other = byModelKey[modelKey] {
                throw BridgeError(
                    .invalidConfiguration,
                    "model type \(entry.type) for version \(entry.version) is mapped twice (also by \(entries[other].file))",
                    at: .init(file: entry.file))
            }
            byModelKey[modelKey] = number
        }
        self.entries = entries
        self.byWireKey = byWireKey
        self.byModelKey = byModelKey
        self.versions = Array(Set(entries.map(\.version))).sorted()
        self.loader = loader
    }

    /// All mappings, sorted by version and transaction code (a catalog built from an index loads them all).
    package var mappings: [Mapping] { entries.compactMap(resolve) }

    /// The layouts whose last field holds an embedded message, for telling an embedded message from a real one.
    package var embeddingLayouts: [RecordLayout] {
        entries.filter(\.embedsMessage).compactMap(resolve).map(\.layout)
    }

    /// The entries of the transactions whose last field holds an embedded message.
    var embeddingEntries: [CatalogEntry] { entries.filter(\.embedsMessage) }

    /// Whether every mapping is compiled already (false for a catalog built from an index until each is used).
    package var isFullyLoaded: Bool { entries.allSatisfy(\.isLoaded) }

    @inline(__always)
    private func resolve(_ entry: CatalogEntry) -> Mapping? {
        if let loaded = entry.loaded { return loaded }
        return loader?.mapping(for: entry)
    }

    /// Refuses, before anything is translated, a catalog with a mapping that cannot be used to write messages.
    /// - Throws: the first such mapping's reason, with `file:line`.
    public func checkWritable() throws {
        for entry in entries where !entry.writable {
            if let reason = resolve(entry)?.notReversibleBecause { throw reason }
        }
    }

    /// The mapping for a message whose bytes 18–21 are `version` and `transaction`, as two-digit numbers.
    @inline(__always)
    package func mapping(version: Int, transaction: Int) -> Mapping? {
        guard (0..<100).contains(version), (0..<100).contains(transaction) else { return nil }
        let number = byWireKey[version &* 100 &+ transaction]
        return number < 0 ? nil : resolve(entries[Int(number)])
    }

    /// The mapping that writes a model type in a version.
    package func mapping(type: String, version: String) -> Mapping? {
        byModelKey[type + "@" + version].flatMap { resolve(entries[$0]) }
    }

    /// Whether any mapping reads this version.
    package func knowsVersion(_ version: Int) -> Bool {
        versions.contains { Int($0) == version }
    }

    /// The transaction codes known for a version, for messages.
    package func transactions(version: Int) -> [String] {
        entries.filter { Int($0.version) == version }.map(\.transaction)
    }

    /// The model types known, for messages.
    package var modelTypes: [String] { Array(Set(entries.map(\.type))).sorted() }
}
