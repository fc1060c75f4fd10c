import ClaimsBridge
import Logging
import Synchronization

/// Prepared translations kept for reuse, one pool per direction. A ``PreparedTranslation`` holds state a run
/// changes (the XML Schema validator, libxml2 contexts), so each is used by one request at a time: a request
/// takes one from the pool (or prepares a new one when all are busy) and gives it back when done.
final class TranslationPool: Sendable {
    /// One prepared translation, moved between requests but never used by two at once.
    final class Lease: @unchecked Sendable {
        let prepared: PreparedTranslation
        init(_ prepared: PreparedTranslation) { self.prepared = prepared }
    }

    private let idle = Mutex<[String: [Lease]]>([:])
    private let mappingsDirectory: String
    private let catalog: CDAnetCatalog?
    private let keep: Int

    /// - Parameter keep: how many idle translations to keep per direction.
    init(mappingsDirectory: String, catalog: CDAnetCatalog?, keep: Int) {
        self.mappingsDirectory = mappingsDirectory
        self.catalog = catalog
        self.keep = keep
    }

    /// Runs `body` with a prepared translation of `translation` that no other request is using.
    /// - Throws: ``BridgeError`` when the translation cannot be prepared, or what `body` throws.
    func withTranslation<Result>(
        _ translation: Translation, _ body: (PreparedTranslation) throws -> Result
    ) throws -> Result {
        let key = translation.description
        let taken = idle.withLock { $0[key]?.popLast() }
        let lease = try taken ?? Lease(prepare(translation))
        defer {
            idle.withLock { pools in
                if pools[key, default: []].count < keep { pools[key, default: []].append(lease) }
            }
        }
        return try body(lease.prepared)
    }

    private func prepare(_ translation: Translation) throws -> PreparedTranslation {
        let settings = PreparedTranslation.Settings(mappingsDirectory: mappingsDirectory, catalog: catalog)
        return try PreparedTranslation(translation, settings: settings)
    }
}
