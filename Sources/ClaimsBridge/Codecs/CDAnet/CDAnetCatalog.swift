import Foundation

/// Every CDAnet layout and mapping ClaimsBridge knows, loaded once from `Mappings/cdanet/`.
///
/// Reading dispatches on the version (offset 18) and transaction code (offset 20) of each message; writing
/// dispatches on the model's `type` and `routing.version`.
public final class CDAnetCatalog: Sendable {
    /// All mappings, sorted by version and transaction code.
    package let mappings: [Mapping]
    /// Mappings by `version * 100 + transaction`, a direct index for the per-message lookup.
    private let byWireKey: [Mapping?]
    private let byModelKey: [String: Mapping]
    /// The versions present, e.g. `["02", "04"]`.
    package let versions: [String]
    /// The layouts whose last field holds an embedded message, for telling an embedded message from a real one.
    package let embeddingLayouts: [RecordLayout]

    /// Loads every `*.mapping.yaml` below `directory` (and the layouts, dictionaries and code tables they name).
    /// - Throws: ``BridgeError`` (`invalidConfiguration`); when several files have problems, the reason lists
    ///   each one as `file:line: reason`.
    public convenience init(directory: String) throws {
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
        var cache = MappingLoadCache()
        var mappings: [Mapping] = []
        var problems: [BridgeError] = []
        for path in paths.sorted() {
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
        try self.init(mappings: mappings)
    }

    /// Builds a catalog from mappings already loaded.
    /// - Throws: when two mappings read the same transaction or write the same model type and version.
    package init(mappings: [Mapping]) throws {
        var byWireKey = [Mapping?](repeating: nil, count: 100 * 100)
        var byModelKey: [String: Mapping] = [:]
        for mapping in mappings {
            let layout = mapping.layout
            let key = Int(layout.version)! * 100 + Int(layout.transaction)!
            if let other = byWireKey[key] {
                throw BridgeError(
                    .invalidConfiguration,
                    "version \(layout.version) transaction \(layout.transaction) is mapped twice (also by \(other.file))",
                    at: .init(file: mapping.file))
            }
            byWireKey[key] = mapping
            let modelKey = mapping.type + "@" + layout.version
            if let other = byModelKey[modelKey] {
                throw BridgeError(
                    .invalidConfiguration,
                    "model type \(mapping.type) for version \(layout.version) is mapped twice (also by \(other.file))",
                    at: .init(file: mapping.file))
            }
            byModelKey[modelKey] = mapping
        }
        self.mappings = mappings.sorted {
            ($0.layout.version, $0.layout.transaction) < ($1.layout.version, $1.layout.transaction)
        }
        self.byWireKey = byWireKey
        self.byModelKey = byModelKey
        self.versions = Array(Set(mappings.map(\.layout.version))).sorted()
        self.embeddingLayouts = self.mappings.map(\.layout).filter(\.endsWithEmbeddedMessage)
    }

    /// Refuses, before anything is translated, a catalog with a mapping that cannot be used to write messages.
    /// - Throws: the first such mapping's reason, with `file:line`.
    public func checkWritable() throws {
        for mapping in mappings {
            if let reason = mapping.notReversibleBecause { throw reason }
        }
    }

    /// The mapping for a message whose bytes 18–21 are `version` and `transaction`, as two-digit numbers.
    @inline(__always)
    package func mapping(version: Int, transaction: Int) -> Mapping? {
        guard (0..<100).contains(version), (0..<100).contains(transaction) else { return nil }
        return byWireKey[version &* 100 &+ transaction]
    }

    /// The mapping that writes a model type in a version.
    package func mapping(type: String, version: String) -> Mapping? {
        byModelKey[type + "@" + version]
    }

    /// Whether any mapping reads this version.
    package func knowsVersion(_ version: Int) -> Bool {
        versions.contains { Int($0) == version }
    }

    /// The transaction codes known for a version, for messages.
    package func transactions(version: Int) -> [String] {
        mappings.filter { Int($0.layout.version) == version }.map(\.layout.transaction)
    }

    /// The model types known, for messages.
    package var modelTypes: [String] { Array(Set(mappings.map(\.type))).sorted() }
}
