/// Moves finished payload bytes to one destination: a folder, an HTTPS endpoint, an SFTP drop folder, a webhook.
///
/// A transport does not retry and does not remember anything between calls; the outbox does both. It
/// delivers one ``OutgoingDelivery`` and either returns a ``DeliveryReceipt`` or throws a ``TransportError``
/// saying whether trying again later may help (``TransportError/isRetryable``).
///
/// Receivers see the delivery's ``OutgoingDelivery/idempotencyKey`` (as a file name, an `Idempotency-Key`
/// header or a `webhook-id`), so a delivery that is sent twice — after a crash, say — can be recognised.
///
/// ```swift
/// let receipt = try await transport.deliver(OutgoingDelivery(idempotencyKey: "claim-0001", payload: bytes))
/// ```
public protocol Transport: Sendable {
    /// A short description of where this transport delivers, without secrets (e.g. `https://host/path`).
    var endpointDescription: String { get }

    /// Delivers one payload.
    /// - Parameter delivery: the bytes, their metadata and the idempotency key.
    /// - Returns: what the receiver acknowledged.
    /// - Throws: ``TransportError``; ``TransportError/isRetryable`` says whether a later attempt may succeed.
    func deliver(_ delivery: OutgoingDelivery) async throws(TransportError) -> DeliveryReceipt
}
