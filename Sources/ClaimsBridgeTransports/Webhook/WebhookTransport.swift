public import ClaimsBridge
public import ClaimsBridgeStorage
import Foundation

/// Delivers each payload as a JSON webhook signed the Standard Webhooks way.
///
/// Headers: `webhook-id` (the idempotency key, the same on every retry), `webhook-timestamp` (Unix seconds of
/// this attempt) and `webhook-signature` (`v1,` + Base64 HMAC-SHA256 over `id.timestamp.body` with the secret).
/// The secret is read from its ``SecretReference`` at each delivery, so a rotated file is picked up without a
/// restart. Status codes and TLS are handled as by ``HTTPSTransport``. Receivers check requests with
/// ``WebhookVerifier``.
public struct WebhookTransport: Transport {
    let post: HTTPPost
    /// Where the signing secret is read from.
    public let secret: SecretReference

    /// Creates the transport.
    /// - Parameters:
    ///   - url: an `https://` URL.
    ///   - secret: where the `whsec_…` secret is read from.
    ///   - tls: trust and client-certificate options.
    ///   - connectTimeoutSeconds: how long to wait for the connection and TLS handshake.
    ///   - timeoutSeconds: how long the whole request may take.
    /// - Throws: ``TransportError`` (`invalidConfiguration`) when the URL is not `https://` or carries a user name or password.
    public init(
        url: String, secret: SecretReference, tls: TLSOptions = TLSOptions(), connectTimeoutSeconds: Double = 10,
        timeoutSeconds: Double = 60
    ) throws(TransportError) {
        try HTTPPost.check(url: url)
        post = HTTPPost(
            url: url, tls: tls, connectTimeoutSeconds: connectTimeoutSeconds, timeoutSeconds: timeoutSeconds)
        self.secret = secret
    }

    public var endpointDescription: String { post.url }

    public func deliver(_ delivery: OutgoingDelivery) async throws(TransportError) -> DeliveryReceipt {
        let signer = try WebhookSecret(try secret.resolve())
        let timestamp = Int(Date().timeIntervalSince1970)
        let signature = signer.signature(id: delivery.idempotencyKey, timestamp: timestamp, body: delivery.payload)
        let headers = [
            "Content-Type: application/json", "webhook-id: \(delivery.idempotencyKey)",
            "webhook-timestamp: \(timestamp)", "webhook-signature: \(signature)",
        ]
        let post = self.post
        return try await BlockingWork.run { () throws(TransportError) in
            try post.send(body: delivery.payload, headers: headers)
        }
    }
}
