public import ClaimsBridge
public import ClaimsBridgeStorage
import Foundation

/// Delivers each payload as an HTTPS POST, through libcurl.
///
/// The server's certificate is always verified (against ``TLSOptions/caBundle`` when given), and so is its host
/// name; plain `http://` is refused. Each request carries `Idempotency-Key: <key>`. 2xx is a delivery; 5xx,
/// 408, 429, timeouts and refused connections are retryable; other 4xx and 3xx are permanent.
///
/// ```swift
/// let transport = try HTTPSTransport(url: "https://claims.example/inbox", tls: TLSOptions(caBundle: "partner-ca.pem"))
/// let receipt = try await transport.deliver(OutgoingDelivery(idempotencyKey: "claim-1", payload: bytes))
/// ```
public struct HTTPSTransport: Transport {
    let post: HTTPPost
    /// Extra request headers, `Name: value`.
    public let headers: [String]
    /// The `Content-Type` used when the delivery's metadata names none.
    public let defaultContentType: String
    /// Where the value of the `Authorization` header (e.g. `Bearer …`) is read from at each delivery, if any.
    public let authorization: SecretReference?
    /// Headers whose values are credentials, by name, each read from its reference at each delivery.
    public let secretHeaders: [(name: String, value: SecretReference)]
    /// How many connections the deliveries through this transport have opened in all; open connections are kept
    /// and reused (HTTP/1.1 keep-alive, or HTTP/2 when the server offers it), so a run of deliveries opens one.
    public var connectionsOpened: Int { post.connections?.connectionsOpened ?? 0 }

    /// Creates the transport.
    /// - Parameters:
    ///   - url: an `https://` URL.
    ///   - tls: trust and client-certificate options.
    ///   - headers: extra headers as `Name: value`; none may be secret-bearing (see ``SecretBearingHeader``).
    ///   - secretHeaders: headers whose values are read from secret references at each delivery.
    ///   - contentType: the default `Content-Type`.
    ///   - authorization: where the `Authorization` header's value is read from (never written in configuration).
    ///   - connectTimeoutSeconds: how long to wait for the connection and TLS handshake.
    ///   - timeoutSeconds: how long the whole request may take.
    /// - Throws: ``TransportError`` (`invalidConfiguration`) when the URL is not `https://` or carries a user name or
    ///   password, or when a literal header is secret-bearing.
    public init(
        url: String, tls: TLSOptions = TLSOptions(), headers: [String] = [],
        secretHeaders: [(name: String, value: SecretReference)] = [],
        contentType: String = "application/octet-stream", authorization: SecretReference? = nil,
        connectTimeoutSeconds: Double = 10,
        timeoutSeconds: Double = 60
    ) throws(TransportError) {
        try HTTPPost.check(url: url)
        post = HTTPPost(
            url: url, tls: tls, connectTimeoutSeconds: connectTimeoutSeconds, timeoutSeconds: timeoutSeconds)
        for header in headers {
            let name = String(header.prefix { $0 != ":" }).trimmingCharacters(in: .whitespaces)
            guard !SecretBearingHeader.matches(name) else {
                throw TransportError(
                    .invalidConfiguration, retryable: false,
                    "the header \(name) carries a credential: give its value as a secret reference, not literally")
            }
        }
        self.headers = headers
        self.secretHeaders = secretHeaders
        defaultContentType = contentType
        self.authorization = authorization
    }

    public var endpointDescription: String { post.url }

    public func deliver(_ delivery: OutgoingDelivery) async throws(TransportError) -> DeliveryReceipt {
        let contentType = delivery.metadata[OutgoingDelivery.contentTypeKey] ?? defaultContentType
        var requestHeaders =
            self.headers + ["Content-Type: \(contentType)", "Idempotency-Key: \(delivery.idempotencyKey)"]
        if let authorization { requestHeaders.append("Authorization: \(try authorization.resolve())") }
        for header in secretHeaders { requestHeaders.append("\(header.name): \(try header.value.resolve())") }
        let post = self.post
        let headers = requestHeaders
        return try await BlockingWork.run { () throws(TransportError) in
            try post.send(body: delivery.payload, headers: headers)
        }
    }
}
