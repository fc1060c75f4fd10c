/// The delivery side the watcher drives on its own thread: sends what the outbox holds when it is due.
public protocol DeliveryWorker {
    /// Attempts every delivery that is due now. For each delivery settled by this call, `settled` receives its
    /// idempotency key and final state (`delivered` or `dead`).
    /// - Returns: seconds until the next pending delivery is due, or nil when nothing is pending.
    func deliverDue(settled: (_ key: String, _ state: String) throws -> Void) throws -> Double?
}

/// Makes the per-thread delivery objects: each thread opens its own database connections.
public protocol DeliveryFactory: Sendable {
    func makeQueue() throws -> any DeliveryQueue
    func makeWorker() throws -> any DeliveryWorker
}
