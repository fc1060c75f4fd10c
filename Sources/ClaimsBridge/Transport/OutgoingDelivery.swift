/// One payload to deliver, as a transport receives it.
public struct OutgoingDelivery: Sendable, Hashable {
    /// A key that is the same for every attempt to deliver this payload; receivers use it to drop duplicates.
    /// It is used as a file name by file transports, so it is limited to letters, digits, `.`, `_` and `-`.
    public var idempotencyKey: String
    /// The finished bytes.
    public var payload: [UInt8]
    /// Descriptive values such as `fileName` or `contentType`; never logged with the payload.
    public var metadata: [String: String]
    /// 1 for the first attempt, 2 for the first retry, and so on.
    public var attempt: Int

    /// Creates a delivery.
    public init(idempotencyKey: String, payload: [UInt8], metadata: [String: String] = [:], attempt: Int = 1) {
        self.idempotencyKey = idempotencyKey
        self.payload = payload
        self.metadata = metadata
        self.attempt = attempt
    }

    /// Whether `key` is usable as an idempotency key: 1–200 characters from `A–Z a–z 0–9 . _ -`,
    /// not starting with a dot.
    public static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard (1...200).contains(bytes.count), bytes[0] != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}

/// Metadata keys the transports understand.
extension OutgoingDelivery {
    /// The original file name (`metadata["fileName"]`), used by the folder and SFTP name patterns as `{name}`.
    public static let fileNameKey = "fileName"
    /// The media type (`metadata["contentType"]`), sent as `Content-Type` by HTTPS.
    public static let contentTypeKey = "contentType"
}
