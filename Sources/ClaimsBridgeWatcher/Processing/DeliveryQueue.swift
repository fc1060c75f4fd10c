import ClaimsBridge
import ClaimsBridgeTransports

/// Where translated results are handed over for delivery. Enqueueing is idempotent on the key,
/// so a file resumed after a crash never produces a second delivery.
protocol DeliveryQueue {
    /// Queues `payload` for `transport` under `fileName`; returns the queue's number for the delivery and its state
    /// (`queued`, or `delivered`/`dead` when a first call already went through).
    /// A second call with the same transport and key returns the first delivery and queues nothing.
    func enqueue(
        transport: String, payload: [UInt8], fileName: String, idempotencyKey: String
    ) throws -> (id: Int64, state: String)
}

extension Outbox: DeliveryQueue {
    func enqueue(
        transport: String, payload: [UInt8], fileName: String, idempotencyKey: String
    ) throws -> (id: Int64, state: String) {
        let id = try enqueue(
            destination: transport, payload: payload, metadata: [OutgoingDelivery.fileNameKey: fileName],
            idempotencyKey: idempotencyKey, ifPayloadDiffers: .keepStored)
        let state = try delivery(id)?.state ?? .pending
        return (id.rawValue, state == .delivered || state == .dead ? state.name : "queued")
    }
}
