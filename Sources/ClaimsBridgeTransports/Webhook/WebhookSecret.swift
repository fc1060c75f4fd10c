public import ClaimsBridge
import Foundation

/// A Standard Webhooks signing secret: `whsec_` followed by the Base64 of the key bytes.
public struct WebhookSecret: Sendable {
    let key: [UInt8]

    /// Parses `whsec_<base64>`.
    /// - Throws: ``TransportError`` (`invalidConfiguration`) without repeating the text.
    public init(_ text: String) throws(TransportError) {
        let encoded = text.hasPrefix("whsec_") ? String(text.dropFirst(6)) : text
        guard let data = Data(base64Encoded: encoded), data.count >= 16 else {
            throw TransportError(
                .invalidConfiguration, retryable: false,
                "a webhook secret must be whsec_ followed by the Base64 of at least 16 bytes")
        }
        key = Array(data)
    }

    /// Creates a secret of 32 random bytes, for provisioning a partner.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// The `v1,<base64>` signature of `body` sent with message `id` at `timestamp` (Unix seconds): HMAC-SHA256
    /// over `id.timestamp.body`.
    public func signature(id: String, timestamp: Int, body: [UInt8]) -> String {
        "v1," + Data(authenticationCode(id: id, timestamp: timestamp, body: body)).base64EncodedString()
    }

    func authenticationCode(id: String, timestamp: Int, body: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticationCode(key: key, message: Array("\(id).\(timestamp).".utf8) + body)
    }
}
