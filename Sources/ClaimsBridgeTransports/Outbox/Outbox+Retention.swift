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
        let cutoff = Double(date.timeIntervalSince1970)
        let scope = "state IN ('delivered', 'dead') AND updated_at < ? AND payload_purged_at IS NULL"
        if dryRun {
            return try storage {
                try database.prepare("SELECT count(*) FROM delivery WHERE \(scope)").query([.real(cutoff)]) {
                    $0.int(0)
                }.first ?? 0
            }
        }
        let purged = try storage {
            try database.transaction { () throws in
                // Rows enqueued before digests were recorded get theirs now, while the bytes are still there.
                let undigested = try database.prepare(
                    "SELECT id, destination, idempotency_key, payload FROM delivery WHERE \(scope) AND payload_sha256 IS NULL"
                ).query([.real(cutoff)]) { row in (row.int64(0), row.text(1) ?? "", row.text(2) ?? "", row.blob(3)) }
                let record = try database.prepare("UPDATE delivery SET payload_sha256 = ? WHERE id = ?")
                for (id, destination, key, stored) in undigested {
                    guard let plain = try? open(stored, destination: destination, idempotencyKey: key) else { continue }
                    try record.run([.text(PayloadDigest.hex(PayloadDigest.sha256(plain))), .integer(id)])
                }
                try database.prepare(
                    """
                    UPDATE delivery SET payload = X'', receipt_body = CASE WHEN receipt_body IS NULL THEN NULL ELSE X'' END,
                        payload_purged_at = ? WHERE \(scope)
                    """
                ).run([.real(now.timeIntervalSince1970), .real(cutoff)])
                return database.changes
            }
        }
        if purged > 0 { try compact() }
        return purged
    }

    /// Empties the write-ahead log into the database file, so that overwritten bytes do not linger in it.
    func compact() throws(OutboxError) {
        try storage { try database.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}

extension Outbox {
    /// How many deliveries' payloads retention has removed.
    /// - Throws: ``OutboxError`` (`storage`).
    public func purgedPayloadCount() throws(OutboxError) -> Int {
        try storage {
            try database.prepare("SELECT count(*) FROM delivery WHERE payload_purged_at IS NOT NULL").query([]) {
                $0.int(0)
            }.first ?? 0
        }
    }
}
