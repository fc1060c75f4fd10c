public import ClaimsBridge

extension TransportError.Code {
    /// The carrier answered, but not with a CDAnet message this exchange can use (garbage, truncated, wrong
    /// envelope, a request code instead of a response).
    public static let invalidReply = TransportError.Code("invalidReply")
    /// The connection was closed before any reply came back.
    public static let connectionDropped = TransportError.Code("connectionDropped")
}
