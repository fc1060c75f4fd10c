/// A failure of the outbox itself (not of a delivery, which is recorded in the outbox instead).
/// Equality compares ``code`` only.
public struct OutboxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public var code: Code
    /// What went wrong.
    public var reason: String

    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "outbox: \(reason)" }

    /// A class of outbox failures.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable name.
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The idempotency key has characters that cannot be a file name.
        public static let invalidKey = Code("invalidKey")
        /// The key is already used for the same destination with different bytes.
        public static let keyConflict = Code("keyConflict")
        /// The database could not be opened, read or written.
        public static let storage = Code("storage")
        /// The payload is encrypted under a key id that is not configured.
        public static let keyMissing = Code("keyMissing")
        /// The encrypted payload failed authentication: altered, or moved from another row.
        public static let tampered = Code("tampered")
        /// Retention removed the payload's bytes.
        public static let payloadPurged = Code("payloadPurged")
    }
}
