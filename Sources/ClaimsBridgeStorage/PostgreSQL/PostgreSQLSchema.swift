/// Every table ClaimsBridge keeps in PostgreSQL, as one list of versioned migrations. All processes apply the
/// same list (``PostgreSQLMigrator`` refuses a database carrying a version it does not know), so a new table is a
/// new version appended here.
public enum PostgreSQLSchema {
    /// The migrations, oldest first.
    public static let migrations: [PostgreSQLMigration] =
        (PostgreSQLSequences.migrations + [outbox, PostgreSQLLedgerSchema.migration, PostgreSQLInboxClaimStore.migration])
        .sorted { $0.version < $1.version }

    /// Applies what `database` lacks; returns the versions applied.
    /// - Throws: ``PostgreSQLError``.
    @discardableResult
    public static func migrate(_ database: PostgreSQLDatabase) throws -> [Int] {
        try PostgreSQLMigrator.migrate(database, to: migrations)
    }

    /// The outbox: one row per delivery, as in the SQLite outbox. Times are seconds since 1970 (double precision),
    /// the same values the SQLite outbox stores. `next_attempt_at` is when a pending row is due, or when the lease
    /// of an in-flight row expires, so one index finds both.
    static let outbox = PostgreSQLMigration(
        version: 2, name: "outbox",
        sql: """
            CREATE TABLE outbox_delivery (
                id bigserial PRIMARY KEY,
                destination text NOT NULL,
                idempotency_key text NOT NULL,
                payload bytea NOT NULL,
                payload_sha256 text,
                payload_purged_at double precision,
                metadata text NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'inFlight', 'delivered', 'dead')),
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at double precision NOT NULL,
                lease_token text,
                last_error text,
                receipt_location text,
                receipt_status integer,
                receipt_body bytea,
                receipt_already_present integer,
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                UNIQUE (destination, idempotency_key)
            );
            CREATE INDEX outbox_delivery_due ON outbox_delivery (state, next_attempt_at);
            """)
}
