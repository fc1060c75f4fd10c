import ClaimsBridgeStorage
public import Foundation

extension Outbox {
    /// Makes a dead delivery due again now, with its attempt count reset. A delivery in another state, or whose
    /// payload retention has purged, is left alone.
    /// - Returns: whether the delivery was dead and is now pending.
    /// - Throws: ``OutboxError`` (`storage`).
    @discardableResult
    public func retry(_ id: DeliveryID, now: Date = Date()) throws(OutboxError) -> Bool {
        try storage { try store.reviveDead(id, at: now.timeIntervalSince1970) > 0 }
    }

    /// Makes every dead delivery due again now (except those whose payload was purged).
    /// - Returns: how many were revived.
    /// - Throws: ``OutboxError`` (`storage`).
    @discardableResult
    public func retryAllDead(now: Date = Date()) throws(OutboxError) -> Int {
        try storage { try store.reviveDead(nil, at: now.timeIntervalSince1970) }
    }

    /// Deletes delivered and dead deliveries last changed before `date` (pending and in-flight ones are kept).
    /// Their keys may then be enqueued again.
    /// - Returns: how many were deleted.
    /// - Throws: ``OutboxError`` (`storage`).
    @discardableResult
    public func purge(olderThan date: Date) throws(OutboxError) -> Int {
        try storage { try store.deleteSettled(before: date.timeIntervalSince1970) }
    }

    /// The earliest time a pending delivery is due or an in-flight lease expires, or nil when nothing is waiting.
    /// - Throws: ``OutboxError`` (`storage`).
    public func nextDueDate(destinations: [String]? = nil) throws(OutboxError) -> Date? {
        try storage { try store.nextDue(destinations: destinations).map { Date(timeIntervalSince1970: $0) } }
    }
}

extension OutboxCoding {
    static func encodeList(_ values: [String]) -> String {
        (try? JSONEncoder().encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
