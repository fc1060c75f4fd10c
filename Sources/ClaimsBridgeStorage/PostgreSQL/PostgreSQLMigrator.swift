/// One versioned change to a PostgreSQL schema. Versions are applied in order, each once, each in its own
/// transaction together with its row in `schema_migrations`.
public struct PostgreSQLMigration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Brings a database up to the latest of a list of migrations.
///
/// Several processes may start at once: each takes the same session advisory lock before reading
/// `schema_migrations`, so one applies what is missing and the others then find nothing to do. The lock goes with
/// the connection if a process dies holding it.
public enum PostgreSQLMigrator {
    /// The advisory lock key every ClaimsBridge process takes while migrating.
    static let lockKey = "4242016001"

    /// Applies the migrations `database` lacks and returns the versions it applied (empty when up to date).
    /// - Throws: ``PostgreSQLError``: the failing migration's error (that migration and later ones are not
    ///   applied), or `invalidConfiguration` when the database has a version this list does not know (it was
    ///   migrated by a newer ClaimsBridge).
    @discardableResult
    public static func migrate(_ database: PostgreSQLDatabase, to migrations: [PostgreSQLMigration]) throws -> [Int] {
        let ordered = migrations.sorted { $0.version < $1.version }
        if let schema = database.configuration.schema {
            // A tenant's tables, `schema_migrations` included, go into its own schema (the name is checked).
            try database.executeScript("CREATE SCHEMA IF NOT EXISTS \(schema)")
        }
        try database.execute("SELECT pg_advisory_lock($1)", [lockKey])
        defer { _ = try? database.execute("SELECT pg_advisory_unlock($1)", [lockKey]) }
        try database.executeScript(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = try Set(
            database.execute("SELECT version FROM schema_migrations").rows.map { row throws in try row.int(0) })
        if let unknown = applied.subtracting(ordered.map(\.version)).max() {
            throw PostgreSQLError(
                .invalidConfiguration,
                "the database has schema version \(unknown), which this ClaimsBridge does not know: "
                    + "it was migrated by a newer release")
        }
        var newlyApplied: [Int] = []
        for migration in ordered where !applied.contains(migration.version) {
            try database.transaction {
                try database.executeScript(migration.sql)
                try database.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [String(migration.version), migration.name])
            }
            newlyApplied.append(migration.version)
        }
        return newlyApplied
    }

    /// The versions recorded in `schema_migrations`, in order (empty before the first migration).
    public static func appliedVersions(_ database: PostgreSQLDatabase) throws -> [Int] {
        let exists = try database.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").rows.first?.text(0)
        guard exists == "t" else { return [] }
        return try database.execute("SELECT version FROM schema_migrations ORDER BY version").rows.map {
            row throws in try row.int(0)
        }
    }
}
