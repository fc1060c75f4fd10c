internal import CPostgreSQL
import Foundation

/// A connection to PostgreSQL through libpq, for the store shared by several workers. Not shared between threads:
/// open one per task that needs it. ``init(configuration:)`` opens a connection of its own, closed when freed;
/// ``init(borrowingFrom:)`` takes one from a ``PostgreSQLConnectionPool`` and gives it back when freed.
///
/// Statements take text parameters (`$1`, `$2`, …) and return rows of text. When the server drops the connection,
/// the statement fails with a retryable ``PostgreSQLError/Code/connectionLost`` and the next call outside a
/// transaction opens a new connection; inside ``transaction(isolation:_:)`` every later statement fails too, so
/// that nothing runs half outside the transaction.
public final class PostgreSQLDatabase {
    /// Where this connection goes.
    public let configuration: PostgreSQLConfiguration
    private var connection: OpaquePointer?
    private var inTransaction = false
    private var lostInTransaction = false
    /// Set when a statement failed without a SQLSTATE: libpq itself lost the server, even if it still says OK.
    private var broken = false
    /// The channels ``listen(_:)`` subscribed to, subscribed again on a new connection.
    var listening: Set<String> = []
    /// The pool the connection was borrowed from and goes back to; nil for a connection of its own.
    private let pool: PostgreSQLConnectionPool?
    /// The task or thread the pool lent the connection to.
    private let holder: PostgreSQLConnectionPool.Holder?

    /// Whether a transaction is open (between `BEGIN` and its end in ``transaction(isolation:_:)``).
    public var isInTransaction: Bool { inTransaction }
    /// True when the next statement opens a new connection.
    var isBroken: Bool { broken || connection.map { PQstatus($0) != CONNECTION_OK } ?? true }
    /// The open connection, if any.
    var currentConnection: OpaquePointer? { connection }
    /// Makes the next statement open a new connection.
    func markBroken() { broken = true }

    /// Connects now, so that a wrong address or password shows at start-up.
    /// - Throws: ``PostgreSQLError``: `cannotConnect` (retryable) or `loginRefused`/`invalidConfiguration`.
    public init(configuration: PostgreSQLConfiguration) throws(PostgreSQLError) {
        self.configuration = configuration
        pool = nil
        holder = nil
        connection = try Self.connect(configuration)
    }

    /// Takes a connection from `pool` (an idle one, or a new one), given back when this database is freed: kept for
    /// the next borrower if it is healthy, outside any transaction and listening to nothing, closed otherwise.
    /// Everything else behaves as with a connection of its own (a lost connection is replaced on the next call).
    /// When the pool has `poolMaxConnections` open, this waits for one to come back (see
    /// ``PostgreSQLConnectionPool`` for the rule on nested borrows).
    ///
    /// ```swift
    /// let database = try PostgreSQLDatabase(borrowingFrom: .shared(for: configuration))
    /// ```
    /// - Throws: ``PostgreSQLError``: `poolExhausted` when no connection came free within `poolWaitSeconds`;
    ///   `cannotConnect` (retryable) or `loginRefused`/`invalidConfiguration` when a new connection was needed and
    ///   could not be opened.
    public init(borrowingFrom pool: PostgreSQLConnectionPool) throws(PostgreSQLError) {
        configuration = pool.configuration
        self.pool = pool
        let loan = try pool.borrow()
        connection = loan.connection
        holder = loan.holder
    }

    deinit {
        if let pool, let holder {
            pool.giveBack(connection, holder: holder, reusable: !broken && !inTransaction && listening.isEmpty)
        } else {
            PQfinish(connection)
        }
    }

    /// Runs one statement with text parameters (`nil` is SQL NULL) and returns its rows.
    /// - Throws: ``PostgreSQLError`` carrying the SQLSTATE; never the parameter values.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgreSQLError) -> PostgreSQLResult {
        let connection = try liveConnection()
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
        defer { for copy in copies { free(copy) } }
        let result = copies.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQexecParams(connection, sql, Int32(values.count), nil, values.baseAddress, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
        return try read(result)
    }

    /// Runs several statements without parameters (a migration script, `BEGIN`, `COMMIT`).
    public func executeScript(_ sql: String) throws(PostgreSQLError) {
        let connection = try liveConnection()
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        _ = try read(result)
    }

    /// Runs `body` in a transaction at `isolation`, committing when it returns and rolling back when it throws.
    /// A serialization failure or a lost connection comes out as a retryable ``PostgreSQLError``; see
    /// ``retryingTransaction(isolation:attempts:_:)`` to run it again.
    @discardableResult
    public func transaction<Result>(
        isolation: PostgreSQLIsolation = .readCommitted, _ body: () throws -> Result
    ) throws -> Result {
        precondition(!inTransaction, "PostgreSQL transactions do not nest")
        try executeScript("BEGIN ISOLATION LEVEL \(isolation.sql)")
        inTransaction = true
        defer {
            inTransaction = false
            lostInTransaction = false
        }
        do {
            let result = try body()
            try executeScript("COMMIT")
            return result
        } catch {
            if !lostInTransaction { try? executeScript("ROLLBACK") }
            throw error
        }
    }

    /// Runs ``transaction(isolation:_:)`` again, up to `attempts` times in all, while it fails with a retryable
    /// error (a serialization failure, a deadlock, a lost connection), waiting a little longer each time.
    @discardableResult
    public func retryingTransaction<Result>(
        isolation: PostgreSQLIsolation = .readCommitted, attempts: Int = 5, _ body: () throws -> Result
    ) throws -> Result {
        var attempt = 1
        while true {
            do {
                return try transaction(isolation: isolation, body)
            } catch let error as PostgreSQLError where error.isRetryable && attempt < attempts {
                usleep(UInt32(attempt * 20_000))
                attempt += 1
            }
        }
    }

    /// Drops the connection if the server closed it while it sat idle (it terminated the backend, shut down or
    /// restarted), so that the next statement opens a new one instead of failing on the old one. Outside a
    /// transaction and listening to nothing, a connection hears from the server only when it is being closed, which
    /// a poll that does not wait tells (the check the pool makes before lending an idle connection). For callers that
    /// keep nothing in the session between statements (no session advisory lock, no `SET`): a new connection has none.
    public func replaceIfClosedByServer() {
        guard !inTransaction, listening.isEmpty, !broken, let connection else { return }
        if !PostgreSQLConnectionPool.isFit(connection) { broken = true }
    }

    /// Runs `body` again while it fails with `cannotConnect` (the server is restarting, or a standby is being
    /// promoted), waiting a little longer each time, for about 7 s in all; then the error is thrown. Nothing of a
    /// call that could not connect reached the server, so `body` (one statement, or one transaction) may run again.
    public static func waitingForServer<Result>(_ body: () throws -> Result) throws -> Result {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch let error as PostgreSQLError where error.code == .cannotConnect && attempt < 8 {
                usleep(UInt32(attempt) * 250_000)
                attempt += 1
            }
        }
    }

    /// The connection options libpq is using (host, port, sslmode, sslrootcert, …), without the password.
    public var effectiveOptions: [String: String] {
        guard let connection, let options = PQconninfo(connection) else { return [:] }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            let name = String(cString: keyword)
            if name != "password", let value = option.pointee.val { values[name] = String(cString: value) }
            option += 1
        }
        return values
    }

    /// The connection to use: the current one, or a new one when the last one broke outside a transaction.
    private func liveConnection() throws(PostgreSQLError) -> OpaquePointer {
        if lostInTransaction {
            throw PostgreSQLError(
                .connectionLost, retryable: true, "the connection broke during this transaction, which did not commit")
        }
        if let connection, PQstatus(connection) == CONNECTION_OK, !broken { return connection }
        PQfinish(connection)
        connection = nil
        broken = false
        let fresh = try Self.connect(configuration)
        connection = fresh
        return fresh
    }

    private func read(_ result: OpaquePointer?) throws(PostgreSQLError) -> PostgreSQLResult {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgreSQLResult(reading: result!)
        default:
            let state = result.flatMap { field($0, Diagnostic.sqlState) }
            // No SQLSTATE: the error came from libpq, not the server (after a server restart, the first statement
            // on an old connection fails so while libpq still reports the connection as OK).
            if PQstatus(connection) != CONNECTION_OK || state == nil {
                broken = true
                if inTransaction { lostInTransaction = true }
                throw PostgreSQLError(
                    .connectionLost, sqlState: state, retryable: true,
                    "the server closed the connection to \(configuration.location); its transaction did not commit")
            }
            guard let result else {
                throw PostgreSQLError(.statementFailed, "libpq returned no result (out of memory)")
            }
            throw PostgreSQLError.statement(
                sqlState: state ?? "XX000",
                primaryMessage: field(result, Diagnostic.primaryMessage) ?? "the statement failed",
                constraint: field(result, Diagnostic.constraint), column: field(result, Diagnostic.column))
        }
    }

    /// libpq's error field codes (`PG_DIAG_*`, character macros Swift does not import).
    private enum Diagnostic {
        static let sqlState = Int32(UInt8(ascii: "C"))
        static let primaryMessage = Int32(UInt8(ascii: "M"))
        static let constraint = Int32(UInt8(ascii: "n"))
        static let column = Int32(UInt8(ascii: "c"))
    }

    private func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        PQresultErrorField(result, code).map { String(cString: $0) }
    }

    /// A new connection, logged in.
    static func connect(_ configuration: PostgreSQLConfiguration) throws(PostgreSQLError) -> OpaquePointer {
        let parameters = try configuration.connectionParameters()
        let keywords: [UnsafeMutablePointer<CChar>?] = parameters.map { strdup($0.0) } + [nil]
        let values: [UnsafeMutablePointer<CChar>?] = parameters.map { strdup($0.1) } + [nil]
        defer { for pointer in keywords + values { free(pointer) } }
        let connection = keywords.withUnsafeBufferPointer { names in
            values.withUnsafeBufferPointer { settings in
                names.withMemoryRebound(to: UnsafePointer<CChar>?.self) { names in
                    settings.withMemoryRebound(to: UnsafePointer<CChar>?.self) { settings in
                        PQconnectdbParams(names.baseAddress, settings.baseAddress, 0)
                    }
                }
            }
        }
        guard let connection else { throw PostgreSQLError(.cannotConnect, retryable: true, "libpq is out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            defer { PQfinish(connection) }
            var message = String(cString: PQerrorMessage(connection))
            while message.last == "\n" { message.removeLast() }
            message = message.replacingOccurrences(of: "\n", with: "; ")
            // The server answered and asked for a password: the login, not the network, is at fault.
            let refused = PQconnectionNeedsPassword(connection) == 1 || PQconnectionUsedPassword(connection) == 1
            let where_ = "cannot connect to PostgreSQL at \(configuration.location) as \(configuration.user)"
            if refused {
                let password = configuration.password?.description ?? "(none configured)"
                throw PostgreSQLError(.loginRefused, "\(where_): \(message) (check the password \(password))")
            }
            throw PostgreSQLError(.cannotConnect, retryable: true, "\(where_): \(message)")
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return connection
    }
}

/// How a transaction sees the work of others running at the same time.
public enum PostgreSQLIsolation: Sendable {
    case readCommitted, repeatableRead, serializable

    var sql: String {
        switch self {
        case .readCommitted: "READ COMMITTED"
        case .repeatableRead: "REPEATABLE READ"
        case .serializable: "SERIALIZABLE"
        }
    }
}
