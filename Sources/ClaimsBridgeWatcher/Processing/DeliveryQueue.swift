/// Where translated results are handed over for delivery: the outbox. Enqueueing is idempotent on the key,
/// so a file resumed after a crash never produces a second delivery.
public protocol DeliveryQueue {
    /// Queues `payload` for `transport` under `fileName`; returns the queue's number for the delivery.
    /// A second call with the same key returns the first delivery's number and queues nothing.
    func enqueue(transport: String, payload: [UInt8], fileName: String, idempotencyKey: String) throws -> Int64
}
