import ClaimsBridgeTransports
import Foundation
import Synchronization

extension Watcher {
    /// Runs an archived or failed original through its route again, as a new attempt linked to the old one
    /// (new deliveries with new idempotency keys), and delivers the results.
    /// - Returns: the new attempt as the ledger records it.
    public func reprocess(fileID: Int64) async throws -> LedgerFile {
        try DurableFiles.makeDirectory(configuration.stateDirectory)
        let ledger = try Ledger(location: ledgerLocation)
        guard let original = try ledger.file(fileID) else { throw WatchError("the ledger has no file \(fileID)") }
        guard original.finishedAt != nil else {
            throw WatchError("file \(fileID) is still being processed; wait for it to finish")
        }
        guard let route = configuration.routes.first(where: { $0.name == original.route }) else {
            throw WatchError("file \(fileID) came through the route `\(original.route)`, which the routes file no longer has")
        }
        if let purged = original.originalPurgedAt {
            throw WatchError(
                "the original of file \(fileID) was removed on \(Date(timeIntervalSince1970: purged).formatted(.iso8601)) (retention)")
        }
        guard DurableFiles.exists(original.path) else {
            throw WatchError("the original of file \(fileID) is no longer at \(original.path)")
        }
        let outbox = try openOutbox()
        let processor = try FileProcessor(route: route, ledger: ledger, queue: outbox, resources: resources,
                cipher: configuration.payloadCipher, logger: logger)
        try processor.prepareFolders()
        let content = try SealedFiles.read(original.path, cipher: configuration.payloadCipher)
        guard FileDigest.sha256(content) == original.sha256 else {
            throw WatchError(
                "the file at \(original.path) is not the original of file \(fileID) (its SHA-256 differs from the ledger's)")
        }
        let copy = try DurableFiles.placeWithoutOverwriting(content, into: route.processingDirectory, name: original.name)
        guard let id = try processor.record(claimedPath: copy, name: original.name, reprocessOf: original.id) else {
            throw WatchError("the new attempt was not recorded: another process recorded a file at its path")
        }
        try processor.resume(id)
        state.withLock { $0.intakeIdle = true }
        try await runDelivery(drain: true)
        guard let attempt = try ledger.file(id) else { throw WatchError("the new attempt was not recorded") }
        return attempt
    }
}
