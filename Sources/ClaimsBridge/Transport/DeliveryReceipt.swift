/// What a receiver acknowledged for one delivery.
public struct DeliveryReceipt: Sendable, Hashable, Codable {
    /// Where the payload landed: a file path, a URL or a remote path.
    public var location: String
    /// The HTTP status code, for HTTP transports.
    public var statusCode: Int?
    /// The start of the response body (at most 64 KiB), for HTTP transports.
    public var responseBody: [UInt8]
    /// True when the receiver already had this idempotency key (the file was there already), so nothing new was
    /// written.
    public var alreadyPresent: Bool

    /// Creates a receipt.
    public init(location: String, statusCode: Int? = nil, responseBody: [UInt8] = [], alreadyPresent: Bool = false) {
        self.location = location
        self.statusCode = statusCode
        self.responseBody = responseBody
        self.alreadyPresent = alreadyPresent
    }
}
