/// A failure talking to PostgreSQL: what kind (``code``), the server's SQLSTATE when it sent one, and whether the
/// same work may simply be tried again (``isRetryable``).
///
/// Messages never contain parameter values or row contents: the server's detail lines (which quote key values) are
/// dropped, and so is the text of data errors (SQLSTATE class 22, which quote the rejected input).
public struct PostgreSQLError: Error, Hashable, CustomStringConvertible {
    /// The kind of failure. Equality of errors compares this only.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The configuration cannot be used (a malformed URL, a missing secret, an unknown `sslmode`).
        public static let invalidConfiguration = Code("invalid configuration")
        /// The server could not be reached, or is starting or shutting down. Retryable.
        public static let cannotConnect = Code("cannot connect")
        /// The server answered but refused the login: wrong password, unknown role or database. Not retryable.
        public static let loginRefused = Code("login refused")
        /// The connection broke during a statement (the server restarted or the network dropped). Retryable: the
        /// statement's transaction did not commit, and the next call opens a new connection.
        public static let connectionLost = Code("connection lost")
        /// A SERIALIZABLE conflict (40001) or a deadlock (40P01): the transaction was rolled back. Retryable.
        public static let serializationFailure = Code("serialization failure")
        /// A UNIQUE or PRIMARY KEY constraint refused the row (23505).
        public static let uniqueViolation = Code("unique violation")
        /// Any other error the server reported for a statement; see ``PostgreSQLError/sqlState``.
        public static let statementFailed = Code("statement failed")
        /// Every connection the pool may open (`poolMaxConnections`) stayed in use for the whole wait
        /// (`poolWaitSeconds`). Not retried by the stores: the wait was the retry.
        public static let poolExhausted = Code("pool exhausted")
        /// A column did not hold the kind of value the caller asked for.
        public static let unexpectedValue = Code("unexpected value")

        public var description: String { name }
    }

    public let code: Code
    /// The five-character SQLSTATE the server sent (for example `23505`), when there was one.
    public let sqlState: String?
    /// Whether running the same transaction again may succeed.
    public let isRetryable: Bool
    /// What went wrong, without values.
    public let reason: String

    init(_ code: Code, sqlState: String? = nil, retryable: Bool = false, _ reason: String) {
        self.code = code
        self.sqlState = sqlState
        self.isRetryable = retryable
        self.reason = reason
    }

    public var description: String {
        let state = sqlState.map { " (SQLSTATE \($0))" } ?? ""
        let retry = isRetryable ? "; retryable" : ""
        return "PostgreSQL \(code)\(state): \(reason)\(retry)"
    }

    public static func == (lhs: PostgreSQLError, rhs: PostgreSQLError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The error for a statement the server rejected with `sqlState`.
    /// - Parameters:
    ///   - primaryMessage: the server's one-line message; dropped for data errors (class 22), which quote values.
    ///   - constraint: the constraint's name, when the server named one.
    static func statement(sqlState: String, primaryMessage: String, constraint: String?, column: String?)
        -> PostgreSQLError
    {
        let state = sqlState
        var reason: String
        if state.hasPrefix("22") {
            reason = "a value does not fit its column's type or range"
            if let column { reason += " (column \(column))" }
        } else {
            reason = primaryMessage
        }
        if let constraint, !reason.contains(constraint) { reason += " (constraint \(constraint))" }
        switch state {
        case "40001", "40P01":
            return PostgreSQLError(.serializationFailure, sqlState: state, retryable: true, reason)
        case "23505":
            return PostgreSQLError(.uniqueViolation, sqlState: state, reason)
        case _ where state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03":
            return PostgreSQLError(.connectionLost, sqlState: state, retryable: true, reason)
        default:
            return PostgreSQLError(.statementFailed, sqlState: state, reason)
        }
    }
}
