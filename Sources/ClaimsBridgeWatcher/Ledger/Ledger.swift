public import ClaimsBridgeStorage
import Foundation

/// The watcher's record of every file it has seen: states, content hashes, message counts, rejects, the deliveries
/// each file produced, the sequence numbers it has handed out, and the state of claims and lab orders.
///
/// It lives in an SQLite file (WAL) of one machine, or in the PostgreSQL store every worker shares
/// (``LedgerLocation``); the same queries run on both (``LedgerDatabase``).
/// One instance per task; several processes may open the same ledger.
public final class Ledger {
    let database: LedgerDatabase
    /// Where it lives.
    public let location: LedgerLocation

    /// Opens or creates the SQLite ledger at `path`; a new file gets `permissions` (owner-only by default).
    public convenience init(path: String, permissions: FilePermissions = .ownerOnly) throws {
        try self.init(location: .sqlite(path: path), permissions: permissions)
    }

    /// Opens the ledger at `location`, creating or migrating its tables when needed: for SQLite, a new file gets
    /// `permissions`; for PostgreSQL, the store's migrations are applied once per process, and the connection is
    /// borrowed from the process's pool (``PostgreSQLConnectionPool``) and given back when the ledger is freed.
    /// - Throws: `SQLiteError` or `PostgreSQLError` (`cannotConnect` is retryable).
    public init(location: LedgerLocation, permissions: FilePermissions = .ownerOnly) throws {
        self.location = location
        switch location {
        case .sqlite(let path):
            let sqlite = try SQLiteDatabase(path: path, permissions: permissions)
            try Self.migrate(sqlite)
            database = LedgerDatabase(.sqlite(sqlite))
        case .postgreSQL(let configuration):
            // A server that is restarting is waited for, as by every statement of the ledger.
            let postgreSQL = try PostgreSQLDatabase.waitingForServer {
                let postgreSQL = try PostgreSQLDatabase(borrowingFrom: .shared(for: configuration))
                try MigratedStores.migrateOnce(postgreSQL)
                return postgreSQL
            }
            database = LedgerDatabase(.postgreSQL(postgreSQL))
        }
    }

    private static func migrate(_ database: SQLiteDatabase) throws {
        try createTables(database)
        try addUnsolicitedFlag(database)
        try addPurgeTime(database)
        try addStateTables(database)
    }

    private static func addPurgeTime(_ database: SQLiteDatabase) throws {
        guard try database.userVersion < 3 else { return }
        // Version 3: when retention removed a file's original (the row stays as the record of what happened).
        try database.transaction {
            guard try database.userVersion < 3 else { return }
            try database.execute(
                """
                ALTER TABLE files ADD COLUMN original_purged_at REAL;
                PRAGMA user_version = 3;
                """)
        }
    }

    private static func addStateTables(_ database: SQLiteDatabase) throws {
        guard try database.userVersion < 4 else { return }
        // Version 4: the current state of each claim and lab order, every transition asked for, and the status
        // events waiting to be handed to the outbox.
        try database.transaction {
            guard try database.userVersion < 4 else { return }
            try database.execute(stateTablesSQL + "PRAGMA user_version = 4;")
        }
    }

    private static func addUnsolicitedFlag(_ database: SQLiteDatabase) throws {
        guard try database.userVersion < 2 else { return }
        // Version 2: responses that may come without a request (a layout's `unsolicited: true`) are not reported
        // as unmatched.
        try database.transaction {
            // Another process may have migrated while this one waited for the lock.
            guard try database.userVersion < 2 else { return }
            try database.execute(
                """
                ALTER TABLE messages ADD COLUMN may_be_unsolicited INTEGER NOT NULL DEFAULT 0;
                PRAGMA user_version = 2;
                """)
        }
    }

    private static func createTables(_ database: SQLiteDatabase) throws {
        guard try database.userVersion < 1 else { return }
        try database.transaction {
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS files (
                    id INTEGER PRIMARY KEY,
                    route TEXT NOT NULL,
                    name TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    path TEXT NOT NULL,
                    moving_to TEXT,
                    claimed_at REAL NOT NULL,
                    finished_at REAL,
                    messages INTEGER NOT NULL DEFAULT 0,
                    translated INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0,
                    error TEXT,
                    duplicate_of INTEGER REFERENCES files(id),
                    reprocess_of INTEGER REFERENCES files(id)
                );
                CREATE INDEX IF NOT EXISTS files_by_content ON files(route, sha256);
                CREATE INDEX IF NOT EXISTS files_by_state ON files(state);
                CREATE UNIQUE INDEX IF NOT EXISTS files_by_path ON files(path);
                CREATE TABLE IF NOT EXISTS deliveries (
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    transport TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    outbox_id INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    PRIMARY KEY (file_id, transport)
                );
                CREATE INDEX IF NOT EXISTS deliveries_by_outbox ON deliveries(outbox_id);
                CREATE TABLE IF NOT EXISTS sequences (
                    scope TEXT PRIMARY KEY,
                    next INTEGER NOT NULL
                );
                CREATE TABLE IF NOT EXISTS allocations (
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    line INTEGER NOT NULL,
                    field TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    PRIMARY KEY (file_id, line, field)
                );
                CREATE TABLE IF NOT EXISTS messages (
                    id INTEGER PRIMARY KEY,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    message_number INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    is_request INTEGER NOT NULL,
                    office_sequence TEXT NOT NULL,
                    carrier TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    request_id INTEGER REFERENCES messages(id),
                    recorded_at REAL NOT NULL,
                    UNIQUE (file_id, message_number)
                );
                CREATE INDEX IF NOT EXISTS messages_by_header ON messages(office_sequence, provider, carrier);
                PRAGMA user_version = 1;
                """)
        }
    }

    static var now: Double { Date().timeIntervalSince1970 }
}
