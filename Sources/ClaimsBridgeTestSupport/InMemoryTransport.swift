public import ClaimsBridge
import Foundation

/// A transport that keeps what it receives in memory, like a receiver that deduplicates by idempotency key.
/// It can be told to fail the next attempts, for testing retries without a network.
public final class InMemoryTransport: Transport, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String: [UInt8]] = [:]
    private var attempts = 0
    private var failures: [TransportError] = []

    /// Creates an empty receiver.
    public init() {}

    public var endpointDescription: String { "memory" }

    /// Makes the next `errors.count` attempts fail with these errors, in order.
    public func failNext(_ errors: [TransportError]) { lock.withLock { failures += errors } }

    /// The payload received for each key (the first copy; repeats are recognised and not stored again).
    public var received: [String: [UInt8]] { lock.withLock { stored } }

    /// How many attempts were made, failed ones included.
    public var attemptCount: Int { lock.withLock { attempts } }

    public func deliver(_ delivery: OutgoingDelivery) async throws(TransportError) -> DeliveryReceipt {
        let outcome: Result<Bool, TransportError> = lock.withLock {
            attempts += 1
            if !failures.isEmpty { return .failure(failures.removeFirst()) }
            let repeated = stored[delivery.idempotencyKey] != nil
            if !repeated { stored[delivery.idempotencyKey] = delivery.payload }
            return .success(repeated)
        }
        return DeliveryReceipt(location: "memory:\(delivery.idempotencyKey)", alreadyPresent: try outcome.get())
    }
}
