import ClaimsBridgeStorage
public import Foundation

extension Outbox {
    /// Removes the payload and reply bytes of deliveries that settled (delivered or dead) before `date`, keeping
    /// each row (destination, key, states, attempts, receipt location, times, and the payload's SHA-256) as the
    /// record of the delivery. Pending and in-flight deliveries keep their bytes whatever their age. The freed
    /// pages are overwritten (`secure_delete`) and the write-ahead log emptied, so the bytes do not linger in the
    /// file.
    /// - Parameters:
    ///   - now: recorded as when they were purged.
    ///   - dryRun: count what would be purged, change nothing.
    /// - Returns: how many deliveries' payloads were (or would be) purged.
    /// - Throws: ``OutboxError`` (`storage`).
    @discardableResult
    public func purgePayloads(settledBefore date: Date, now: Date = Date(), dryRun: Bool = false) throws(OutboxError)
        -> Int
    {
        let cutoff = date.timeIntervalSince1970
        if dryRun { return try storage { try store.countPurgeable(before: cutoff) } }
        let purged = try storage {
            // Rows enqueued before digests were recorded get theirs now, while the bytes are still there.
            try store.purgePayloads(before: cutoff, at: now.timeIntervalSince1970) { row in
                (try? open(row.stored, destination: row.destination, idempotencyKey: row.idempotencyKey))
                    .map { PayloadDigest.hex(PayloadDigest.sha256($0)) }
            }
        }
        if purged > 0 { try compact() }
        return purged
    }

    /// Lets go of overwritten bytes: SQLite empties its write-ahead log into the database file, so that they do
    /// not linger in it; PostgreSQL leaves old row versions to vacuum.
    func compact() throws(OutboxError) {
        try storage { try store.compact() }
    }
}

extension Outbox {
    /// How many deliveries' payloads retention has removed.
    /// - Throws: ``OutboxError`` (`storage`).
    public func purgedPayloadCount() throws(OutboxError) -> Int {
        try storage { try store.purgedCount() }
    }
}
