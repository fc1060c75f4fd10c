import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Testing

@Suite("PostgreSQL migrations")
struct PostgreSQLMigratorTests {
    let migrations = [
        PostgreSQLMigration(version: 1, name: "claims", sql: "CREATE TABLE claim (id text PRIMARY KEY)"),
        PostgreSQLMigration(version: 2, name: "claim state", sql: "ALTER TABLE claim ADD COLUMN state text"),
    ]

    @Test("Migrations apply once, in order; running again applies nothing")
    func idempotent() throws {
        let database = try PostgreSQLTesting().connect()
        #expect(try PostgreSQLMigrator.appliedVersions(database) == [])
        #expect(try PostgreSQLMigrator.migrate(database, to: Array(migrations.reversed())) == [1, 2])
        #expect(try PostgreSQLMigrator.migrate(database, to: migrations) == [])
        #expect(try PostgreSQLMigrator.appliedVersions(database) == [1, 2])
        try database.execute("INSERT INTO claim (id, state) VALUES ('1', 'sent')")
    }

    @Test("Processes migrating at once: each migration is applied by exactly one of them")
    func concurrent() throws {
        let testing = try PostgreSQLTesting()
        let slow =
            migrations + [
                PostgreSQLMigration(version: 3, name: "slow", sql: "SELECT pg_sleep(0.3); CREATE TABLE audit (id int)")
            ]
        let applied = try onThreads(4) { _ in try PostgreSQLMigrator.migrate(testing.connect(), to: slow) }
        #expect(applied.flatMap { $0 }.sorted() == [1, 2, 3])
        #expect(applied.filter(\.isEmpty).count == 3)
        #expect(try PostgreSQLMigrator.appliedVersions(testing.connect()) == [1, 2, 3])
    }

    @Test("A failing migration leaves no trace and stops the ones after it; the earlier ones stay")
    func failing() throws {
        let database = try PostgreSQLTesting().connect()
        let broken = [
            migrations[0],
            PostgreSQLMigration(
                version: 2, name: "broken", sql: "CREATE TABLE half (id int); ALTER TABLE nowhere ADD x int"),
            PostgreSQLMigration(version: 3, name: "after", sql: "CREATE TABLE after (id int)"),
        ]
        let error = #expect(throws: PostgreSQLError.self) { try PostgreSQLMigrator.migrate(database, to: broken) }
        #expect(error?.sqlState == "42P01")
        #expect(try PostgreSQLMigrator.appliedVersions(database) == [1])
        #expect(
            try database.execute("SELECT to_regclass('half') IS NULL, to_regclass('after') IS NULL").rows[0].values == [
                "t", "t",
            ])
        #expect(try PostgreSQLMigrator.migrate(database, to: migrations) == [2])
    }

    @Test("A database migrated by a newer release is refused, naming the version")
    func newerDatabase() throws {
        let database = try PostgreSQLTesting().connect()
        try PostgreSQLMigrator.migrate(database, to: migrations)
        let error = #expect(throws: PostgreSQLError.self) {
            try PostgreSQLMigrator.migrate(database, to: [migrations[0]])
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("schema version 2") == true)
    }
}
