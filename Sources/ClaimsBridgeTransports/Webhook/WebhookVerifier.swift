public import ClaimsBridge
public import Foundation

/// Checks a received Standard Webhooks request: the signature with any of the active secrets (so a secret can be
/// rotated without downtime), and a timestamp within the tolerance (so an old request cannot be replayed).
///
/// ```swift
/// let verifier = try WebhookVerifier(secrets: [current, previous])
/// try verifier.verify(payload: body, headers: request.headers)   // throws WebhookVerificationError
/// ```
/// Deduplicating by `webhook-id` is the receiver's job; the id is the sender's idempotency key.
public struct WebhookVerifier: Sendable {
    let secrets: [WebhookSecret]
    /// How far the timestamp may be from the receiver's clock, in seconds.
    public let toleranceSeconds: Int

    /// - Parameters:
    ///   - secrets: the active `whsec_…` secrets; a signature made with any of them is accepted.
    ///   - toleranceSeconds: the accepted clock difference (default five minutes).
    /// - Throws: ``TransportError`` (`invalidConfiguration`) when a secret is malformed or none is given.
    public init(secrets: [String], toleranceSeconds: Int = 300) throws(TransportError) {
        guard !secrets.isEmpty else {
            throw TransportError(.invalidConfiguration, retryable: false, "no webhook secret to verify with")
        }
        var parsed: [WebhookSecret] = []
        for secret in secrets { parsed.append(try WebhookSecret(secret)) }
        self.secrets = parsed
        self.toleranceSeconds = toleranceSeconds
    }

    /// Verifies one request.
    /// - Parameters:
    ///   - payload: the raw body, exactly as received.
    ///   - headers: the request headers (names are matched without regard to case).
    ///   - now: the receiver's clock.
    /// - Returns: the `webhook-id`.
    /// - Throws: ``WebhookVerificationError``.
    @discardableResult
    public func verify(payload: [UInt8], headers: [String: String], now: Date = Date()) throws(WebhookVerificationError)
        -> String
    {
        func header(_ name: String) throws(WebhookVerificationError) -> String {
            guard let value = headers.first(where: { $0.key.lowercased() == name })?.value else {
                throw WebhookVerificationError(.missingHeader, "the \(name) header is missing")
            }
            return value
        }
        let id = try header("webhook-id")
        let timestampText = try header("webhook-timestamp")
        let signatures = try header("webhook-signature")
        guard let timestamp = Int(timestampText.trimmingCharacters(in: .whitespaces)) else {
            throw WebhookVerificationError(.invalidTimestamp, "webhook-timestamp is not a number of seconds")
        }
        guard abs(Int(now.timeIntervalSince1970) - timestamp) <= toleranceSeconds else {
            throw WebhookVerificationError(.timestampOutOfTolerance, "webhook-timestamp is too far from now")
        }
        let offered = signatures.split(separator: " ").compactMap { token -> [UInt8]? in
            guard token.hasPrefix("v1,"), let data = Data(base64Encoded: String(token.dropFirst(3))) else {
                return nil
            }
            return Array(data)
        }
        var matched = false
        for secret in secrets {
            let expected = secret.authenticationCode(id: id, timestamp: timestamp, body: payload)
            for candidate in offered where HMACSHA256.constantTimeEqual(candidate, expected) { matched = true }
        }
        guard matched else {
            throw WebhookVerificationError(.signatureMismatch, "no v1 signature matches an active secret")
        }
        return id
    }
}

/// Why a received webhook was refused. Equality compares ``code`` only.
public struct WebhookVerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var code: Code
    /// In words; never contains the secret or the body.
    public var reason: String

    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(code): \(reason)" }

    /// A class of verification failures.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable name.
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent.
        public static let missingHeader = Code("missingHeader")
        /// `webhook-timestamp` is not a number.
        public static let invalidTimestamp = Code("invalidTimestamp")
        /// The timestamp is outside the tolerance.
        public static let timestampOutOfTolerance = Code("timestampOutOfTolerance")
        /// No signature matches any active secret.
        public static let signatureMismatch = Code("signatureMismatch")
    }
}
