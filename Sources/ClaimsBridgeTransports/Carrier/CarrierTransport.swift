public import ClaimsBridge
public import ClaimsBridgeStorage
import Foundation

/// Sends one CDAnet message to a carrier over HTTPS and takes the carrier's CDAnet reply from the same exchange.
///
/// The request body is the message in its ``CarrierEnvelope``; the reply comes back in the same envelope, is taken
/// out of it and checked (version, response code, A07 length) before it is returned. The server's certificate
/// and host name are always verified, against ``TLSOptions/caBundle`` when given, with the optional public-key pin;
/// a client certificate and key give mutual TLS. `http://` is accepted only to a loopback address.
///
/// The whole exchange — connection, TLS, request and reply — is bounded by ``replyTimeoutSeconds`` (at most
/// ``maximumReplyTimeoutSeconds``). Errors say what happened (refused, timed out, connection dropped, HTTP status,
/// unusable reply) with the URL and offsets only, never the message's content.
///
/// ```swift
/// let carrier = try CarrierTransport(
///     url: "https://carrier.example/cdanet",
///     tls: TLSOptions(caBundle: "carrier-ca.pem", clientCertificate: "office.pem", clientKey: "office.key"),
///     envelope: .rawDefault, replyTimeoutSeconds: 30)
/// let reply = try await carrier.exchange(claimBytes, idempotencyKey: "claim-000101")
/// print(reply.transactionCode)   // "21"
/// ```
///
/// As a ``Transport`` (an outbox destination), ``deliver(_:)`` makes the same exchange and returns the reply's
/// bytes as ``DeliveryReceipt/responseBody``.
public struct CarrierTransport: Transport {
    /// The longest reply timeout accepted, in seconds (CDAnet practice software waits up to 120 s).
    public static let maximumReplyTimeoutSeconds: Double = 300
    /// The longest reply accepted, in bytes, before its envelope is removed.
    public static let defaultReplyLimit = 1 << 20

    let exchanger: CarrierExchange
    /// Extra request headers, `Name: value`.
    public let headers: [String]
    /// Headers whose values are credentials, each read from its reference at each exchange.
    public let secretHeaders: [(name: String, value: SecretReference)]
    /// Where the `Authorization` header's value is read from at each exchange, if any.
    public let authorization: SecretReference?

    /// The envelope of requests and replies.
    public var envelope: CarrierEnvelope { exchanger.envelope }
    /// The longest the whole exchange may take, in seconds.
    public var replyTimeoutSeconds: Double { exchanger.replyTimeoutSeconds }
    /// The TLS options.
    public var tls: TLSOptions { exchanger.tls }

    /// Creates the transport.
    /// - Parameters:
    ///   - url: an `https://` URL (or `http://` to 127.0.0.1, localhost or [::1]); no user name or password in it.
    ///   - tls: trust, pin and client-certificate options.
    ///   - envelope: how the message travels in the HTTP body.
    ///   - headers: extra headers as `Name: value`; none may carry a credential (see ``SecretBearingHeader``).
    ///   - secretHeaders: headers whose values are read from secret references at each exchange.
    ///   - authorization: where the `Authorization` header's value is read from.
    ///   - connectTimeoutSeconds: how long to wait for the connection and TLS handshake.
    ///   - replyTimeoutSeconds: how long the whole exchange may take; more than 0, at most 300.
    ///   - replyLimit: the longest reply body accepted, in bytes.
    /// - Throws: ``TransportError`` (`invalidConfiguration`) for a refused URL, a timeout out of bounds or a literal
    ///   credential header.
    public init(
        url: String, tls: TLSOptions = TLSOptions(), envelope: CarrierEnvelope = .rawDefault, headers: [String] = [],
        secretHeaders: [(name: String, value: SecretReference)] = [], authorization: SecretReference? = nil,
        connectTimeoutSeconds: Double = 10, replyTimeoutSeconds: Double = 30, replyLimit: Int = defaultReplyLimit
    ) throws(TransportError) {
        try CarrierExchange.check(url: url)
        guard replyTimeoutSeconds > 0, replyTimeoutSeconds <= Self.maximumReplyTimeoutSeconds else {
            throw TransportError(
                .invalidConfiguration, retryable: false,
                "the reply timeout must be more than 0 and at most \(Int(Self.maximumReplyTimeoutSeconds)) seconds")
        }
        for header in headers {
            let name = String(header.prefix { $0 != ":" }).trimmingCharacters(in: .whitespaces)
            guard !SecretBearingHeader.matches(name) else {
                throw TransportError(
                    .invalidConfiguration, retryable: false,
                    "the header \(name) carries a credential: give its value as a secret reference, not literally")
            }
        }
        exchanger = CarrierExchange(
            url: url, tls: tls, envelope: envelope, connectTimeoutSeconds: connectTimeoutSeconds,
            replyTimeoutSeconds: replyTimeoutSeconds, replyLimit: replyLimit)
        self.headers = headers
        self.secretHeaders = secretHeaders
        self.authorization = authorization
    }

    public var endpointDescription: String { exchanger.url }

    /// Sends `message` and returns the carrier's reply, checked.
    /// - Parameters:
    ///   - message: one CDAnet request (01, 02, 03, 04, 07, 08…).
    ///   - idempotencyKey: sent as `Idempotency-Key`, so a carrier can recognise a repeated exchange.
    ///   - extraHeaders: more headers for this exchange only, `Name: value` (a request ID, say).
    /// - Throws: ``TransportError``: `connectionFailed` (refused; nothing was sent), `timedOut`,
    ///   `connectionDropped`, `serverError` (HTTP 5xx, 408, 429), `rejected` (other HTTP errors), `invalidReply`
    ///   (not the envelope, not a CDAnet response, A07 not the length received, too long), `invalidConfiguration`.
    public func exchange(
        _ message: [UInt8], idempotencyKey: String? = nil, extraHeaders: [String] = []
    ) async throws(TransportError) -> CarrierReply {
        var requestHeaders = headers + extraHeaders
        if let idempotencyKey { requestHeaders.append("Idempotency-Key: \(idempotencyKey)") }
        if let authorization { requestHeaders.append("Authorization: \(try authorization.resolve())") }
        for header in secretHeaders { requestHeaders.append("\(header.name): \(try header.value.resolve())") }
        let exchanger = self.exchanger
        let finalHeaders = requestHeaders
        return try await BlockingWork.run { () throws(TransportError) in
            try exchanger.exchange(message, headers: finalHeaders)
        }
    }

    /// Makes the exchange for an outbox delivery; the receipt's `responseBody` is the carrier's CDAnet reply.
    public func deliver(_ delivery: OutgoingDelivery) async throws(TransportError) -> DeliveryReceipt {
        let reply = try await exchange(delivery.payload, idempotencyKey: delivery.idempotencyKey)
        return DeliveryReceipt(location: exchanger.url, statusCode: reply.statusCode, responseBody: reply.message)
    }
}
