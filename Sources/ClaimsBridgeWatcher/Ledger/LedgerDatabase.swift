public import ClaimsBridgeStorage
import Foundation
import Synchronization

/// Where a ledger lives: an SQLite file of one machine (the default), or the PostgreSQL store shared by every worker.
public enum LedgerLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgreSQL(PostgreSQLConfiguration)

    /// The ledger of a state folder: `ledger.sqlite` in it, or the PostgreSQL store when one is configured.
    public static func of(stateDirectory: String, store: PostgreSQLConfiguration?) -> LedgerLocation {
        store.map { .postgreSQL($0) } ?? .sqlite(path: stateDirectory + "/ledger.sqlite")
    }

    /// Whether the ledger exists yet (a PostgreSQL store always does: it is created when opened).
    public var exists: Bool {
        switch self {
        case .sqlite(let path): FileManager.default.fileExists(atPath: path)
        case .postgreSQL: true
        }
    }

    /// Where it is, for messages: the file's path, or the server and database (never the password).
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgreSQL(let configuration): "PostgreSQL \(configuration.location)"
        }
    }
}

/// The one set of ledger queries, run on SQLite or PostgreSQL.
///
/// The ledger's SQL is written once, in the dialect both engines understand (`INSERT … ON CONFLICT`, no
/// `INSERT OR IGNORE`, no untyped `? IS NULL`), with `?` or `?N` placeholders; on PostgreSQL they become `$N`, values
/// are sent as text and `bytea` in its hex form. What differs is said here and nowhere else:
/// - an insert returns its row's `id` (SQLite's last row ID, PostgreSQL's `RETURNING id`);
/// - a transaction is `BEGIN IMMEDIATE` on SQLite (one writer at a time), and READ COMMITTED on PostgreSQL, run
///   again on a serialization failure, a deadlock or a lost connection;
/// - ``lock(_:)`` serialises the transactions of one claim or order across processes on PostgreSQL (a
///   transaction-scoped advisory lock); on SQLite the single writer already does;
/// - on PostgreSQL a statement or transaction outside a transaction goes to a new connection when the server closed
///   the held one while it sat idle, and waits up to about 7 s for a server that is restarting (``onPostgreSQL(_:_:)``),
///   and a query that lost its connection while it ran is run again, so that a worker holding a ledger carries on
///   across a database restart.
final class LedgerDatabase {
    enum Engine {
        case sqlite(SQLiteDatabase)
        case postgreSQL(PostgreSQLDatabase)
    }

    let engine: Engine
    /// Rows changed by the last statement run.
    private(set) var changes = 0

    init(_ engine: Engine) {
        self.engine = engine
    }

    var isPostgreSQL: Bool {
        if case .postgreSQL = engine { return true }
        return false
    }

    /// A statement of the shared dialect, compiled now on SQLite.
    func prepare(_ sql: String) throws -> LedgerStatement {
        switch engine {
        case .sqlite(let database): LedgerStatement(database: self, compiled: .sqlite(try database.prepare(sql)))
        case .postgreSQL: LedgerStatement(database: self, compiled: .postgreSQL(Self.numberedPlaceholders(sql)))
        }
    }

    /// Runs `body` in one transaction; on PostgreSQL it may run again as a whole after a retryable failure, so it must
    /// not have effects outside the database.
    func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        switch engine {
        case .sqlite(let database): try database.transaction(body)
        case .postgreSQL(let database):
            try Self.onPostgreSQL(database) { try database.retryingTransaction(attempts: 8, body) }
        }
    }

    /// Runs `body` (one statement, or one transaction) on `database`: on a new connection when the server closed the
    /// one held while it sat idle (a restart), instead of failing on it, and again while the server cannot be reached,
    /// for about 7 s. Inside a transaction neither applies: a lost connection fails the transaction, which runs again
    /// as a whole.
    static func onPostgreSQL<Result>(_ database: PostgreSQLDatabase, _ body: () throws -> Result) throws -> Result {
        try PostgreSQLDatabase.waitingForServer {
            database.replaceIfClosedByServer()
            return try body()
        }
    }

    /// Runs a query that only reads as ``onPostgreSQL(_:_:)`` does, and once more on a new connection when the
    /// connection broke while it ran (the server went down mid-query) outside a transaction: a read may run twice.
    static func readingOnPostgreSQL<Result>(_ database: PostgreSQLDatabase, _ body: () throws -> Result) throws -> Result {
        do {
            return try onPostgreSQL(database, body)
        } catch let error as PostgreSQLError where error.code == .connectionLost && !database.isInTransaction {
            return try onPostgreSQL(database, body)
        }
    }

    /// Holds `key` until the transaction ends, so that transactions on the same key run one after the other in every
    /// process sharing the store. On SQLite the transaction already holds the only write lock.
    func lock(_ key: String) throws {
        guard case .postgreSQL(let database) = engine else { return }
        try database.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 4242))", [key])
    }

    fileprivate func record(changes: Int) { self.changes = changes }

    /// `?` and `?N` placeholders as PostgreSQL's `$N`; a bare `?` takes the next number. Placeholders inside quoted
    /// text are left alone.
    static func numberedPlaceholders(_ sql: String) -> String {
        var output = ""
        var next = 1
        var quoted = false
        var characters = sql[...]
        while let character = characters.popFirst() {
            if character == "'" { quoted.toggle() }
            guard character == "?", !quoted else {
                output.append(character)
                continue
            }
            let digits = characters.prefix { $0.isASCII && $0.isNumber }
            characters = characters.dropFirst(digits.count)
            if let number = Int(digits) {
                output += "$\(number)"
            } else {
                output += "$\(next)"
                next += 1
            }
        }
        return output
    }
}

/// One statement of the ledger's dialect.
final class LedgerStatement {
    enum Compiled {
        case sqlite(SQLiteStatement)
        case postgreSQL(String)
    }

    private unowned let database: LedgerDatabase
    private let compiled: Compiled

    init(database: LedgerDatabase, compiled: Compiled) {
        self.database = database
        self.compiled = compiled
    }

    /// Runs a statement that returns no rows.
    func run(_ values: [SQLiteStatement.Value] = []) throws {
        switch (compiled, database.engine) {
        case (.sqlite(let statement), .sqlite(let sqlite)):
            try statement.run(values)
            database.record(changes: sqlite.changes)
        case (.postgreSQL(let sql), .postgreSQL(let postgreSQL)):
            let result = try LedgerDatabase.onPostgreSQL(postgreSQL) { try postgreSQL.execute(sql, values.map(Self.text)) }
            database.record(changes: result.affectedRows)
        default:
            preconditionFailure("a statement runs on the database that prepared it")
        }
    }

    /// Runs an `INSERT` into a table with an `id` column.
    /// - Returns: the new row's `id`, or nil when `ON CONFLICT DO NOTHING` left the table as it was.
    func insert(_ values: [SQLiteStatement.Value]) throws -> Int64? {
        switch (compiled, database.engine) {
        case (.sqlite(let statement), .sqlite(let sqlite)):
            try statement.run(values)
            database.record(changes: sqlite.changes)
            return sqlite.changes == 1 ? sqlite.lastInsertRowID : nil
        case (.postgreSQL(let sql), .postgreSQL(let postgreSQL)):
            let result = try LedgerDatabase.onPostgreSQL(postgreSQL) {
                try postgreSQL.execute(sql + " RETURNING id", values.map(Self.text))
            }
            database.record(changes: result.affectedRows)
            return try result.rows.first.map { row throws in Int64(try row.int(0)) }
        default:
            preconditionFailure("a statement runs on the database that prepared it")
        }
    }

    /// Runs a query and converts each row with `transform`.
    func query<Element>(_ values: [SQLiteStatement.Value] = [], _ transform: (LedgerRow) throws -> Element) throws
        -> [Element]
    {
        switch (compiled, database.engine) {
        case (.sqlite(let statement), _):
            return try statement.query(values) { try transform(LedgerRow(source: .sqlite($0))) }
        case (.postgreSQL(let sql), .postgreSQL(let postgreSQL)):
            // The ledger's queries only read (its writes go through `run` and `insert`).
            return try LedgerDatabase.readingOnPostgreSQL(postgreSQL) {
                try postgreSQL.execute(sql, values.map(Self.text))
            }.rows.map {
                try transform(LedgerRow(source: .postgreSQL($0)))
            }
        default:
            preconditionFailure("a statement runs on the database that prepared it")
        }
    }

    /// A value as libpq's text parameter; the server reads it as the type its place in the statement calls for.
    private static func text(_ value: SQLiteStatement.Value) -> String? {
        switch value {
        case .null: nil
        case .integer(let number): String(number)
        case .real(let number): "\(number)"
        case .text(let text): text
        case .blob(let bytes): PostgreSQLBytes.parameter(bytes)
        }
    }
}

/// One result row of either engine, valid only inside the closure that receives it.
struct LedgerRow {
    enum Source {
        case sqlite(SQLiteRow)
        case postgreSQL(PostgreSQLRow)
    }

    let source: Source

    func isNull(_ column: Int32) -> Bool {
        switch source {
        case .sqlite(let row): row.isNull(column)
        case .postgreSQL(let row): row.text(Int(column)) == nil
        }
    }

    func int(_ column: Int32) -> Int { Int(int64(column)) }

    func int64(_ column: Int32) -> Int64 {
        switch source {
        case .sqlite(let row): row.int64(column)
        case .postgreSQL(let row): row.text(Int(column)).flatMap { Int64($0) } ?? 0
        }
    }

    func double(_ column: Int32) -> Double {
        switch source {
        case .sqlite(let row): row.double(column)
        case .postgreSQL(let row): row.text(Int(column)).flatMap { Double($0) } ?? 0
        }
    }

    /// The column as text, or nil when it is NULL.
    func text(_ column: Int32) -> String? {
        switch source {
        case .sqlite(let row): row.text(column)
        case .postgreSQL(let row): row.text(Int(column))
        }
    }

    /// The column as bytes (empty for NULL).
    func blob(_ column: Int32) -> [UInt8] {
        switch source {
        case .sqlite(let row): row.blob(column)
        case .postgreSQL(let row): row.text(Int(column)).flatMap(PostgreSQLBytes.decode) ?? []
        }
    }
}

/// The PostgreSQL stores this process has already brought up to date, so that opening a ledger again does not run
/// the migrator again.
enum MigratedStores {
    private static let migrated = Mutex<Set<String>>([])

    static func migrateOnce(_ database: PostgreSQLDatabase) throws {
        let key = database.configuration.location
        guard !migrated.withLock({ $0.contains(key) }) else { return }
        try PostgreSQLSchema.migrate(database)
        migrated.withLock { _ = $0.insert(key) }
    }
}
