/// One counter of header numbers: the office sequence number (A02, per office) or the carrier transaction counter
/// (A09, per office and carrier). Numbers run from 1 to `limit` and then start again at 1, as in the SQLite ledger.
public struct SequenceCounter: Hashable, Sendable {
    /// The field the numbers go into, e.g. `A02`.
    public let fieldID: String
    /// The office (tenant) the counter belongs to.
    public let office: String
    /// The carrier, for counters kept per office and carrier; empty otherwise.
    public let carrier: String
    /// The largest number before the counter starts again at 1 (999999 for a six-digit field).
    public let limit: Int

    public init(fieldID: String, office: String, carrier: String = "", limit: Int) {
        precondition(limit >= 1, "a sequence needs room for at least one number")
        self.fieldID = fieldID
        self.office = office
        self.carrier = carrier
        self.limit = limit
    }

    /// The office sequence number A02 (6 digits) of `office`.
    public static func officeSequence(office: String) -> SequenceCounter {
        SequenceCounter(fieldID: "A02", office: office, limit: 999_999)
    }

    /// The carrier transaction counter A09 (5 digits) of `office` with `carrier`.
    public static func carrierTransaction(office: String, carrier: String) -> SequenceCounter {
        SequenceCounter(fieldID: "A09", office: office, carrier: carrier, limit: 99_999)
    }

    /// The scope name the SQLite ledger uses for the same counter (`A02/office`, `A09/office/carrier`).
    public var scope: String { carrier.isEmpty ? "\(fieldID)/\(office)" : "\(fieldID)/\(office)/\(carrier)" }
}

/// Header numbers allocated in PostgreSQL, unique across every worker sharing the database.
///
/// Each allocation is one statement that takes the counter's row lock (`INSERT … ON CONFLICT DO UPDATE`), so two
/// workers never receive the same number and no number is skipped; a number handed out inside a transaction that
/// rolls back is handed out again.
public struct PostgreSQLSequences {
    /// The schema the counters need; apply with ``PostgreSQLMigrator``.
    public static let migrations = [
        PostgreSQLMigration(
            version: 1, name: "sequence counters",
            sql: """
                CREATE TABLE sequence_counters (
                    office text NOT NULL,
                    field text NOT NULL,
                    carrier text NOT NULL DEFAULT '',
                    last_number bigint NOT NULL CHECK (last_number >= 1),
                    PRIMARY KEY (office, field, carrier)
                )
                """),
        PostgreSQLMigration(
            version: 3, name: "sequence allocations",
            sql: """
                CREATE TABLE sequence_allocations (
                    file_key text NOT NULL,
                    line integer NOT NULL,
                    field text NOT NULL,
                    office text NOT NULL,
                    counter_field text NOT NULL,
                    carrier text NOT NULL,
                    number bigint NOT NULL,
                    allocated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (file_key, line, field)
                )
                """),
    ]

    let database: PostgreSQLDatabase

    public init(database: PostgreSQLDatabase) {
        self.database = database
    }

    /// Hands out the next number of `counter`: 1 the first time, then one more each time, 1 again after `limit`.
    /// Runs in the caller's transaction when there is one, so a rollback returns the number.
    /// - Throws: ``PostgreSQLError``; a lost connection is retryable and no number was used up.
    public func next(_ counter: SequenceCounter) throws(PostgreSQLError) -> Int {
        let result = try database.execute(
            """
            INSERT INTO sequence_counters AS c (office, field, carrier, last_number) VALUES ($1, $2, $3, 1)
            ON CONFLICT (office, field, carrier) DO UPDATE
                SET last_number = CASE WHEN c.last_number >= $4::bigint THEN 1 ELSE c.last_number + 1 END
            RETURNING last_number
            """, [counter.office, counter.fieldID, counter.carrier, String(counter.limit)])
        guard let row = result.rows.first else {
            throw PostgreSQLError(.unexpectedValue, "allocating \(counter.scope) returned no number")
        }
        return try row.int(0)
    }

    /// The number of `field` in message `line` of the file `fileKey`: taken from `counter` the first time, the same
    /// number every time after (a file resumed after a crash, on this worker or another, gets its numbers again).
    /// - Parameter fileKey: identifies the file across every worker sharing the database.
    /// - Throws: ``PostgreSQLError``; a lost connection is retryable and no number was used up.
    public func allocation(fileKey: String, line: Int, field: String, counter: SequenceCounter) throws -> Int {
        try database.retryingTransaction {
            // Two workers resuming the same file take turns, so the second finds the first one's number.
            try database.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 16))", [fileKey])
            let key = [fileKey, String(line), field]
            if let row = try database.execute(
                "SELECT number FROM sequence_allocations WHERE file_key = $1 AND line = $2 AND field = $3", key
            ).rows.first {
                return try row.int(0)
            }
            let number = try next(counter)
            try database.execute(
                """
                INSERT INTO sequence_allocations (file_key, line, field, office, counter_field, carrier, number)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, key + [counter.office, counter.fieldID, counter.carrier, String(number)])
            return number
        }
    }

    /// The last number handed out by `counter`, or nil before the first.
    public func last(_ counter: SequenceCounter) throws(PostgreSQLError) -> Int? {
        try database.execute(
            "SELECT last_number FROM sequence_counters WHERE office = $1 AND field = $2 AND carrier = $3",
            [counter.office, counter.fieldID, counter.carrier]
        ).rows.first?.int(0)
    }
}
