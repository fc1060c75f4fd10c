/// A failed delivery attempt.
///
/// Equality and hashing compare ``code`` only. ``reason`` says what happened in words an operator can act on and
/// never contains payload bytes, passwords, keys or webhook secrets.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: Code
    /// Whether a later attempt may succeed (server errors, timeouts, refused connections, HTTP 429).
    public var isRetryable: Bool
    /// What went wrong.
    public var reason: String
    /// The HTTP status, when the server answered.
    public var statusCode: Int?
    /// How long the server asked to wait before the next attempt (`Retry-After` on a 429 or 503), in seconds.
    public var retryAfterSeconds: Double?

    /// Creates an error.
    public init(_ code: Code, retryable: Bool, _ reason: String, statusCode: Int? = nil) {
        self.code = code
        self.isRetryable = retryable
        self.reason = reason
        self.statusCode = statusCode
    }

    public static func == (lhs: TransportError, rhs: TransportError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// `code (retryable|permanent): reason`.
    public var description: String { "\(code) (\(isRetryable ? "retryable" : "permanent")): \(reason)" }

    /// Identifies a class of failures. New codes may be added; do not switch over them exhaustively.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable name such as `serverError`.
        public let name: String
        /// Creates a code; adapters use the static members.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The connection could not be made (refused, unreachable, name not resolved).
        public static let connectionFailed = Code("connectionFailed")
        /// The attempt took longer than its timeout.
        public static let timedOut = Code("timedOut")
        /// The server answered 5xx.
        public static let serverError = Code("serverError")
        /// The server answered 429.
        public static let rateLimited = Code("rateLimited")
        /// The server answered 4xx other than 429: the request itself is wrong.
        public static let rejected = Code("rejected")
        /// The server's TLS certificate or SSH host key is not the one configured.
        public static let peerVerificationFailed = Code("peerVerificationFailed")
        /// The server refused our credentials (SSH key, client certificate).
        public static let authenticationFailed = Code("authenticationFailed")
        /// A different file already has the target name.
        public static let conflict = Code("conflict")
        /// The transport is configured wrongly (missing file, bad URL).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A local or remote file operation failed.
        public static let io = Code("io")
        /// Anything else the network layer reported.
        public static let network = Code("network")
    }
}
