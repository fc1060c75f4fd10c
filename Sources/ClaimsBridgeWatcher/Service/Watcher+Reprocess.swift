import ClaimsBridgeTransports
import Foundation
import Synchronization

extension Watcher {
    /// Runs an archived or failed original through its route again, as a new attempt linked to the old one
    /// (new deliveries with new idempotency keys), and delivers the results.
    /// - Returns: the new attempt as the ledger records it.
    public func reprocess(fileID: Int64) async throws -> LedgerFile {
        try DurableFiles.makeDirectory(configuration.stateDirectory)
        let ledger = try Ledger(path: ledgerPath)
        guard let original = try ledger.file(fileID) else { throw WatchError("the ledger has no file \(fileID)") }
        guard original.finishedAt != nil else {
            throw WatchError("file \(fileID) is still being processed; wait for it to finish")
        }
        guard let route = configuration.routes.first(where: { $0.name == original.route }) else {
            throw WatchError("file \(fileID) came through the route `\(original.route)`, which the routes file no longer has")
        }
        guard DurableFiles.exists(original.path) else {
            throw WatchError("the original of file \(fileID) is no longer at \(original.path)")
        }
        let outbox = try Outbox(path: outboxPath, retryPolicy: retryPolicy, leaseSeconds: leaseSeconds, logger: logger)
        let processor = try FileProcessor(route: route, ledger: ledger, queue: outbox, resources: resources, logger: logger)
        try processor.prepareFolders()
        let copy = try DurableFiles.copyWithoutOverwriting(
            original.path, into: route.processingDirectory, name: original.name)
        let id = try processor.record(claimedPath: copy, name: original.name, reprocessOf: original.id)
        try processor.resume(id)
        state.withLock { $0.intakeIdle = true }
        try await runDelivery(drain: true)
        guard let attempt = try ledger.file(id) else { throw WatchError("the new attempt was not recorded") }
        return attempt
    }
}
