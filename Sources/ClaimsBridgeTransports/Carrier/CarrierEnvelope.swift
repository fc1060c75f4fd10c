public import ClaimsBridge
import Foundation

/// How a CDAnet message travels in an HTTP body to a carrier, and how the carrier's reply comes back.
///
/// - ``raw(contentType:)``: the body is the CDAnet message's bytes as they are, sent with the given
///   `Content-Type`; the reply's body is the carrier's CDAnet message.
/// - ``base64JSON(field:)``: the body is `{"<field>":"<base64 of the message>"}` (`application/json`); the reply is
///   a JSON object whose `<field>` holds the carrier's message in base64 (other keys are ignored).
///
/// Both directions use the same envelope, as the carrier answers in the exchange that carried the request.
public enum CarrierEnvelope: Sendable, Hashable {
    /// The message's bytes as the body.
    case raw(contentType: String)
    /// The message in base64, as one string field of a JSON object.
    case base64JSON(field: String)

    /// The raw envelope with `application/octet-stream`.
    public static let rawDefault = CarrierEnvelope.raw(contentType: "application/octet-stream")
    /// The base64-in-JSON envelope with the field `message`.
    public static let base64JSONDefault = CarrierEnvelope.base64JSON(field: "message")

    /// The `Content-Type` of a request body.
    public var contentType: String {
        switch self {
        case .raw(let contentType): contentType
        case .base64JSON: "application/json"
        }
    }

    /// The HTTP body that carries `message`.
    public func wrap(_ message: [UInt8]) -> [UInt8] {
        switch self {
        case .raw: return message
        case .base64JSON(let field):
            let object = [field: Data(message).base64EncodedString()]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return Array(data)
        }
    }

    /// The CDAnet message carried by an HTTP body.
    /// - Throws: ``TransportError`` (`invalidReply`) when the body is not this envelope: not JSON, no such field,
    ///   not base64. The body's content is never quoted.
    public func unwrap(_ body: [UInt8]) throws(TransportError) -> [UInt8] {
        switch self {
        case .raw: return body
        case .base64JSON(let field):
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw TransportError(
                    .invalidReply, retryable: false,
                    "the carrier's reply (\(body.count) bytes) is not a JSON object, though its envelope is base64-json")
            }
            guard let text = object[field] as? String else {
                throw TransportError(
                    .invalidReply, retryable: false, "the carrier's JSON reply has no text field \"\(field)\"")
            }
            guard let data = Data(base64Encoded: text) else {
                throw TransportError(
                    .invalidReply, retryable: false, "the carrier's JSON reply field \"\(field)\" is not base64")
            }
            return Array(data)
        }
    }
}
