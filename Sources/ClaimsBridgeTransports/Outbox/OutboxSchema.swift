import ClaimsBridgeStorage

/// The outbox's tables. One row per delivery; `next_attempt_at` is when a pending row is due, or when the lease
/// of an in-flight row expires, so that a single index finds both.
///
/// Version 2 adds the payload's SHA-256 (kept when retention purges the bytes) and when it was purged.
enum OutboxSchema {
    static let version = 2

    static func migrate(_ database: SQLiteDatabase) throws {
        try createTable(database)
        guard try database.userVersion < 2 else { return }
        try database.transaction { () throws in
            // Another process may have migrated while this one waited for the lock.
            guard try database.userVersion < 2 else { return }
            try database.execute(
                """
                ALTER TABLE delivery ADD COLUMN payload_sha256 TEXT;
                ALTER TABLE delivery ADD COLUMN payload_purged_at REAL;
                PRAGMA user_version = 2;
                """)
        }
    }

    private static func createTable(_ database: SQLiteDatabase) throws {
        guard try database.userVersion < 1 else { return }
        try database.transaction { () throws in
            guard try database.userVersion < 1 else { return }
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS delivery (
                    id INTEGER PRIMARY KEY,
                    destination TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    metadata TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    lease_token TEXT,
                    last_error TEXT,
                    receipt_location TEXT,
                    receipt_status INTEGER,
                    receipt_body BLOB,
                    receipt_already_present INTEGER,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    UNIQUE (destination, idempotency_key)
                );
                CREATE INDEX IF NOT EXISTS delivery_due ON delivery (state, next_attempt_at);
                PRAGMA user_version = 1;
                """)
        }
    }

    /// The columns ``DeliveryRecord/init(row:)`` reads, in order.
    static let recordColumns = """
        id, destination, idempotency_key, metadata, state, attempts, next_attempt_at, last_error, receipt_location, \
        receipt_status, receipt_body, receipt_already_present, created_at, updated_at, length(payload), \
        payload_sha256, payload_purged_at, substr(payload, 1, 4) = X'00434245'
        """
}
