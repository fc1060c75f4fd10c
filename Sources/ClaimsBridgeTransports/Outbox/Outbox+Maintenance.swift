import ClaimsBridgeStorage
public import Foundation

extension Outbox {
    /// Makes a dead delivery due again now, with its attempt count reset. A delivery in another state, or whose
    /// payload retention has purged, is left alone.
    /// - Returns: whether the delivery was dead and is now pending.
    /// - Throws: ``OutboxError`` (`storage`).
    @discardableResult
    public func retry(_ id: DeliveryID, now: Date = Date()) throws(OutboxError) -> Bool {
        try storage {
            try database.prepare(
                """
                UPDATE delivery SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
                WHERE id = ? AND state = 'dead' AND payload_purged_at IS NULL
                """
            ).run([.real(now.timeIntervalSince1970), .real(now.timeIntervalSince1970), .integer(id.rawValue)])
            return database.changes > 0
        }
    }

    /// Makes every dead delivery due again now (except those whose payload was purged).
    /// - Returns: how many were revived.
    /// - Throws: ``OutboxError`` (`storage`).
    @discardableResult
    public func retryAllDead(now: Date = Date()) throws(OutboxError) -> Int {
        try storage {
            try database.prepare(
                "UPDATE delivery SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE state = 'dead' AND payload_purged_at IS NULL"
            ).run([.real(now.timeIntervalSince1970), .real(now.timeIntervalSince1970)])
            return database.changes
        }
    }

    /// Deletes delivered and dead deliveries last changed before `date` (pending and in-flight ones are kept).
    /// Their keys may then be enqueued again.
    /// - Returns: how many were deleted.
    /// - Throws: ``OutboxError`` (`storage`).
    @discardableResult
    public func purge(olderThan date: Date) throws(OutboxError) -> Int {
        try storage {
            try database.prepare("DELETE FROM delivery WHERE state IN ('delivered', 'dead') AND updated_at < ?")
                .run([.real(date.timeIntervalSince1970)])
            return database.changes
        }
    }

    /// The earliest time a pending delivery is due or an in-flight lease expires, or nil when nothing is waiting.
    /// - Throws: ``OutboxError`` (`storage`).
    public func nextDueDate(destinations: [String]? = nil) throws(OutboxError) -> Date? {
        try storage {
            let statement = try database.prepare(
                """
                SELECT min(next_attempt_at) FROM delivery WHERE state IN ('pending', 'inFlight')
                AND (?1 IS NULL OR destination IN (SELECT value FROM json_each(?1)))
                """)
            let filter = destinations.map { OutboxCoding.encodeList($0) }
            return try statement.query([filter.map { .text($0) } ?? .null]) { row in
                row.isNull(0) ? nil : Date(timeIntervalSince1970: row.double(0))
            }.first ?? nil
        }
    }
}

extension OutboxCoding {
    static func encodeList(_ values: [String]) -> String {
        (try? JSONEncoder().encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
