public import ClaimsBridge
public import Foundation

/// Checks a received webhook signed the way many insurers and payment networks sign theirs: one header carries the
/// HMAC-SHA256 of the body in hex or Base64 (optionally after a prefix such as `sha256=`); with a timestamp header,
/// the signed content is `TIMESTAMP.BODY` and the timestamp must be within the tolerance (so an old request cannot
/// be replayed). Any of several secrets verifies, so a secret can be rotated without downtime.
///
/// ```swift
/// let verifier = try HMACHeaderVerifier(secrets: [current, previous], signatureHeader: "X-Signature",
///                                       encoding: .hex, prefix: "sha256=", timestampHeader: "X-Timestamp")
/// try verifier.verify(payload: body, headers: headers)   // throws WebhookVerificationError
/// ```
public struct HMACHeaderVerifier: Sendable {
    /// How the signature is written in its header.
    public enum Encoding: String, Sendable, CaseIterable {
        /// Lower- or upper-case hexadecimal.
        case hex
        /// Standard Base64.
        case base64
    }

    let secrets: [[UInt8]]
    /// The header carrying the signature (several may be given, separated by commas or spaces).
    public let signatureHeader: String
    public let encoding: Encoding
    /// Text before each signature, removed before decoding (`sha256=`).
    public let prefix: String
    /// The header carrying the Unix time the request was signed at; nil when the body alone is signed.
    public let timestampHeader: String?
    /// How far the timestamp may be from the receiver's clock, in seconds.
    public let toleranceSeconds: Int

    /// - Throws: ``TransportError`` (`invalidConfiguration`) when no secret is given, or one is shorter than 16 bytes.
    public init(
        secrets: [String], signatureHeader: String, encoding: Encoding, prefix: String = "", timestampHeader: String? = nil,
        toleranceSeconds: Int = 300
    ) throws(TransportError) {
        guard !secrets.isEmpty else {
            throw TransportError(.invalidConfiguration, retryable: false, "no webhook secret to verify with")
        }
        guard secrets.allSatisfy({ $0.utf8.count >= 16 }) else {
            throw TransportError(.invalidConfiguration, retryable: false, "a webhook secret must be at least 16 bytes")
        }
        self.secrets = secrets.map { Array($0.utf8) }
        self.signatureHeader = signatureHeader.lowercased()
        self.encoding = encoding
        self.prefix = prefix
        self.timestampHeader = timestampHeader?.lowercased()
        self.toleranceSeconds = toleranceSeconds
    }

    /// The header value a sender puts on `body` with `secret` (and `timestamp`, when a timestamp header is used).
    public func signature(body: [UInt8], secret: String, timestamp: Int? = nil) -> String {
        let code = HMACSHA256.authenticationCode(key: Array(secret.utf8), message: signedContent(body, timestamp))
        switch encoding {
        case .hex: return prefix + code.map { String(format: "%02x", $0) }.joined()
        case .base64: return prefix + Data(code).base64EncodedString()
        }
    }

    /// Verifies one request.
    /// - Parameters:
    ///   - payload: the raw body, exactly as received.
    ///   - headers: the request headers (names are matched without regard to case).
    /// - Throws: ``WebhookVerificationError``.
    public func verify(payload: [UInt8], headers: [String: String], now: Date = Date()) throws(WebhookVerificationError) {
        func header(_ name: String) -> String? { headers.first(where: { $0.key.lowercased() == name })?.value }
        guard let value = header(signatureHeader) else {
            throw WebhookVerificationError(.missingHeader, "the \(signatureHeader) header is missing")
        }
        var timestamp: Int?
        if let timestampHeader {
            guard let text = header(timestampHeader) else {
                throw WebhookVerificationError(.missingHeader, "the \(timestampHeader) header is missing")
            }
            guard let seconds = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw WebhookVerificationError(.invalidTimestamp, "\(timestampHeader) is not a number of seconds")
            }
            guard abs(Int(now.timeIntervalSince1970) - seconds) <= toleranceSeconds else {
                throw WebhookVerificationError(.timestampOutOfTolerance, "\(timestampHeader) is too far from now")
            }
            timestamp = seconds
        }
        let offered = value.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { token -> [UInt8]? in
            guard token.hasPrefix(prefix) else { return nil }
            return decode(token.dropFirst(prefix.count))
        }
        let content = signedContent(payload, timestamp)
        var matched = false
        for secret in secrets {
            let expected = HMACSHA256.authenticationCode(key: secret, message: content)
            for candidate in offered where HMACSHA256.constantTimeEqual(candidate, expected) { matched = true }
        }
        guard matched else {
            throw WebhookVerificationError(.signatureMismatch, "no signature in \(signatureHeader) matches an active secret")
        }
    }

    private func signedContent(_ body: [UInt8], _ timestamp: Int?) -> [UInt8] {
        guard let timestamp else { return body }
        return Array("\(timestamp).".utf8) + body
    }

    private func decode(_ text: Substring) -> [UInt8]? {
        switch encoding {
        case .base64:
            return Data(base64Encoded: String(text)).map(Array.init)
        case .hex:
            let digits = Array(text.utf8)
            guard digits.count % 2 == 0 else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(digits.count / 2)
            var index = 0
            while index < digits.count {
                guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
                index += 2
            }
            return bytes
        }
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
