import Foundation

/// One mapping file of a ``CDAnetCatalog``: what it maps, and the compiled mapping once it is loaded.
final class CatalogEntry: @unchecked Sendable {
    let file: String
    let type: String
    let version: String
    let transaction: String
    /// Whether the layout's last field holds an embedded message.
    let embedsMessage: Bool
    /// Whether the mapping can be used for writing messages.
    let writable: Bool
    /// The compiled mapping when it was given at construction; read without a lock on the per-message path.
    let loaded: Mapping?
    /// The compiled mapping when it was loaded later, under ``lock``.
    private var loadedLater: Mapping?
    private var loadFailed = false
    private let lock = NSLock()

    init(loaded mapping: Mapping) {
        file = mapping.file
        type = mapping.type
        version = mapping.layout.version
        transaction = mapping.layout.transaction
        embedsMessage = mapping.layout.endsWithEmbeddedMessage
        writable = mapping.notReversibleBecause == nil
        loaded = mapping
    }

    init(described entry: CDAnetCatalogIndex.Entry) {
        file = entry.file
        type = entry.type
        version = entry.version
        transaction = entry.transaction
        embedsMessage = entry.embedsMessage
        writable = entry.writable
        loaded = nil
    }

    /// Whether the mapping is compiled.
    var isLoaded: Bool {
        if loaded != nil { return true }
        lock.lock()
        defer { lock.unlock() }
        return loadedLater != nil
    }

    /// The mapping, loading it with `load` the first time; nil when loading failed.
    func resolve(_ load: () -> Mapping?) -> Mapping? {
        lock.lock()
        defer { lock.unlock() }
        if let loadedLater { return loadedLater }
        if loadFailed { return nil }
        loadedLater = load()
        loadFailed = loadedLater == nil
        return loadedLater
    }
}

/// Loads the mappings of a catalog built from an index, sharing the layouts, dictionaries and code tables
/// they have in common.
final class LazyMappingLoader: @unchecked Sendable {
    private var cache = MappingLoadCache()
    private let lock = NSLock()

    func mapping(for entry: CatalogEntry) -> Mapping? {
        entry.resolve {
            lock.lock()
            defer { lock.unlock() }
            // The index was written for exactly these files' contents, which had loaded without a problem; a file
            // changed since is caught by the index check before the catalog is built. A file edited while this
            // process runs and now broken makes its transaction unreadable, reported per message.
            return try? Mapping.load(path: entry.file, cache: &cache)
        }
    }
}
