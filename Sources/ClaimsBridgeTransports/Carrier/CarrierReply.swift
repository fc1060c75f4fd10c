public import ClaimsBridge

/// The carrier's CDAnet answer to one exchange, checked for shape: version (A03), response code (A04) and stated
/// length (A07) agree with the bytes that came back.
public struct CarrierReply: Sendable, Hashable {
    /// The carrier's message, out of its envelope.
    public var message: [UInt8]
    /// The CDAnet version of the reply, "04" or "02" [A03].
    public var version: String
    /// The reply's transaction code, such as "11", "18" or "21" [A04].
    public var transactionCode: String
    /// The HTTP status of the exchange.
    public var statusCode: Int
    /// Seconds from sending the request to having the whole reply.
    public var elapsedSeconds: Double

    /// A reply; ``init(checking:statusCode:elapsedSeconds:)`` is the checked way in.
    public init(message: [UInt8], version: String, transactionCode: String, statusCode: Int, elapsedSeconds: Double) {
        self.message = message
        self.version = version
        self.transactionCode = transactionCode
        self.statusCode = statusCode
        self.elapsedSeconds = elapsedSeconds
    }

    /// Response codes of version 04, with where A07 sits: after A05 (28) except 15, 16 and 24 (22).
    static let version04: [String: Int] = [
        "11": 28, "12": 28, "13": 28, "14": 28, "18": 28, "19": 28, "21": 28, "23": 28, "15": 22, "16": 22, "24": 22,
    ]
    /// Response codes of version 02; A07 (4 digits) sits at 28.
    static let version02: Set<String> = ["10", "11", "12", "13", "21"]

    /// Whether `message` is the plain text `NO MORE ITEMS` right after A01 (offset 12), which ITRANS answers to a
    /// version 02 request for pended claims when the mailbox is empty. Such a reply has no version or code.
    public static func saysNoMoreItems(_ message: [UInt8]) -> Bool {
        let text = Array("NO MORE ITEMS".utf8)
        return message.count >= 12 + text.count && message[12..<12 + text.count].elementsEqual(text)
    }

    /// Checks that `message` is a CDAnet response whose A07 states its length, or an empty mailbox's
    /// `NO MORE ITEMS` (see ``saysNoMoreItems(_:)``).
    /// - Throws: ``TransportError`` (`invalidReply`, permanent) saying what is wrong, by offset; never the content.
    public init(checking message: [UInt8], statusCode: Int, elapsedSeconds: Double) throws(TransportError) {
        func invalid(_ reason: String) -> TransportError {
            TransportError(.invalidReply, retryable: false, "the carrier's reply (\(message.count) bytes) \(reason)")
        }
        func digits(_ start: Int, _ width: Int) -> String? {
            guard message.count >= start + width else { return nil }
            let slice = message[start..<start + width]
            guard slice.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return String(decoding: slice, as: UTF8.self)
        }
        if Self.saysNoMoreItems(message) {
            self.init(message: message, version: "", transactionCode: "", statusCode: statusCode, elapsedSeconds: elapsedSeconds)
            return
        }
        guard message.count >= 27 else {
            throw invalid("is too short to be a CDAnet message (at least 27 bytes are needed to read its header)")
        }
        guard let version = digits(18, 2), version == "04" || version == "02" else {
            throw invalid("is not a CDAnet message: offset 18 holds no version 04 or 02 (A03)")
        }
        guard let code = digits(20, 2) else {
            throw invalid("is not a CDAnet message: offset 20 holds no transaction code (A04)")
        }
        let lengthAt: Int
        let lengthWidth: Int
        if version == "04", let start = Self.version04[code] {
            (lengthAt, lengthWidth) = (start, 5)
        } else if version == "02", Self.version02.contains(code) {
            (lengthAt, lengthWidth) = (28, 4)
        } else {
            throw invalid("has transaction code \(code) (A04), which is not a version \(version) response")
        }
        guard let stated = digits(lengthAt, lengthWidth).flatMap({ Int($0) }) else {
            throw invalid("has no message length (A07) at offset \(lengthAt)")
        }
        guard stated == message.count else {
            throw invalid("states a length of \(stated) bytes (A07 at offset \(lengthAt)): it is cut short or padded")
        }
        self.init(
            message: message, version: version, transactionCode: code, statusCode: statusCode,
            elapsedSeconds: elapsedSeconds)
    }
}
