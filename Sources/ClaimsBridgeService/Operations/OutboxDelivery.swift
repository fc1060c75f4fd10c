import ClaimsBridge
import ClaimsBridgeTransports
public import ServiceLifecycle

/// Delivers what the service queues in the outbox (lab orders) when no watcher runs in the process to do it.
public struct OutboxDelivery: Service {
    let service: ServiceContext

    public init(service: ServiceContext) { self.service = service }

    public func run() async throws {
        let delivery = service.delivery
        let transports = service.transports
        try await cancelWhenGracefulShutdown {
            let outbox = try Outbox(
                store: delivery.outboxStore, retryPolicy: delivery.retryPolicy, leaseSeconds: delivery.leaseSeconds)
            try await outbox.run(transports: transports)
        }
    }
}
