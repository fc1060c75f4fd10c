internal import CSQLite
import Foundation

/// A connection to one SQLite database file, opened in WAL mode for a durable store
/// (the outbox and the ledger). Not shared between threads: open one per task that needs it.
public final class SQLiteDatabase {
    let handle: OpaquePointer
    /// The file the database lives in.
    public let path: String

    /// Opens (creating if needed) the database at `path`, in WAL mode with `synchronous=NORMAL`
    /// and foreign keys on. `busyTimeoutMilliseconds` is how long a write waits for another process's lock.
    /// A new file is created with `permissions` (owner-only by default); SQLite gives `-wal` and `-shm` the same.
    public init(
        path: String, busyTimeoutMilliseconds: Int32 = 10_000, permissions: FilePermissions = .ownerOnly
    ) throws(SQLiteError) {
        if !path.isEmpty && !path.hasPrefix(":") && !path.hasPrefix("file:") {
            do throws(PrivateFileError) {
                try PrivateFiles.createIfMissing(path, permissions: permissions)
            } catch {
                throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot open database \(path): \(error)")
            }
        }
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(connection)
            throw SQLiteError(code: code, message: "cannot open database \(path): \(message)")
        }
        handle = connection
        self.path = path
        // SQLite's own busy handler sleeps in steps of up to 100 ms, which stalls two busy writers;
        // this one retries every 200 µs until the timeout.
        let retries = max(1, busyTimeoutMilliseconds * 5)
        sqlite3_busy_handler(
            connection,
            { limit, attempt in
                guard attempt < Int32(Int(bitPattern: limit)) else { return 0 }
                usleep(200)
                return 1
            }, UnsafeMutableRawPointer(bitPattern: Int(retries)))
        sqlite3_extended_result_codes(connection, 1)
        // Switching a new file to WAL needs a moment alone with it; another process opening it may be in the way.
        var attempts = 0
        while true {
            do {
                try execute("PRAGMA journal_mode=WAL")
                break
            } catch where error.isBusy && attempts < Int(busyTimeoutMilliseconds) {
                attempts += 1
                usleep(1000)
            }
        }
        try execute("PRAGMA synchronous=NORMAL")
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters and return no rows of interest.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: code, message: message)
        }
    }

    /// Compiles a statement once for repeated use.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError(code: code, message: "\(lastErrorMessage) in: \(sql)")
        }
        return SQLiteStatement(handle: statement, database: self)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    public func transaction<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The row ID of the most recent successful insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// How many rows the most recent insert, update or delete changed.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The schema version kept in `PRAGMA user_version`.
    public var userVersion: Int {
        get throws(SQLiteError) {
            let statement = try prepare("PRAGMA user_version")
            return try statement.query { row in row.int(0) }.first ?? 0
        }
    }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A failure reported by SQLite, with its (extended) result code.
public struct SQLiteError: Error, CustomStringConvertible {
    /// The SQLite result code, e.g. 19 (`SQLITE_CONSTRAINT`) in its low byte for a duplicate key.
    public let code: Int32
    public let message: String

    /// True when a UNIQUE or PRIMARY KEY constraint refused the row.
    public var isConstraintViolation: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    /// True when another connection held the lock for longer than the busy timeout.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }

    public var description: String { "SQLite error \(code): \(message)" }
}
