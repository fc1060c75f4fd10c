import ClaimsBridgeStorage
import Foundation

/// Hears the outcomes every worker sharing a PostgreSQL outbox records (`LISTEN` on
/// ``PostgreSQLDatabase/settledChannel``), so that a sender waiting for a delivery another worker holds wakes as
/// soon as it is delivered or fails, instead of at the end of that worker's lease.
///
/// ```swift
/// let listener = OutboxOutcomeListener(store: configuration.outboxStore)
/// await listener?.pause(seconds: 30, until: [id])   // returns early once an outcome of `id` is recorded
/// ```
///
/// It holds a connection of its own. Notifications sent while it is reconnecting are lost; callers keep their own
/// timer, which ``pause(seconds:until:)`` falls back to.
public final class OutboxOutcomeListener: @unchecked Sendable {
    /// Used by one pause at a time (``lock``).
    private let database: PostgreSQLDatabase
    private let lock = NSLock()

    /// Listens on the PostgreSQL store `store` names; nil for an SQLite outbox, or when the database cannot be
    /// reached now (the caller then only sleeps).
    public init?(store: OutboxStoreLocation) {
        guard case .postgreSQL(let configuration) = store,
            let database = try? PostgreSQLDatabase(configuration: configuration),
            (try? database.listen(PostgreSQLDatabase.settledChannel)) != nil
        else { return nil }
        self.database = database
    }

    /// Waits up to `seconds`, or until an outcome of one of `deliveries` is recorded (by any worker, this process
    /// included). The wait runs on a thread of its own, so no thread of Swift's cooperative pool is blocked. When
    /// the connection breaks, it sleeps out the rest of the time; the next pause connects again.
    public func pause(seconds: Double, until deliveries: Set<DeliveryID>) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                wait(until: Date().addingTimeInterval(seconds), for: Set(deliveries.map { String($0.rawValue) }))
                continuation.resume()
            }
            thread.name = "claimsbridge-outcomes"
            thread.start()
        }
    }

    private func wait(until deadline: Date, for rows: Set<String>) {
        lock.withLock {
            while true {
                let left = deadline.timeIntervalSinceNow
                guard left > 0 else { return }
                do {
                    let notices = try database.waitForNotices(timeout: left)
                    if notices.contains(where: { rows.contains($0.payload) }) { return }
                } catch {
                    Thread.sleep(until: deadline)
                    return
                }
            }
        }
    }
}
