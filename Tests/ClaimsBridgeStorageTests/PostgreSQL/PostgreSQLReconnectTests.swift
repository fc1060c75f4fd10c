import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Testing

@Suite("PostgreSQL server restarts")
struct PostgreSQLReconnectTests {
    /// A server of the test's own (it is stopped and started), with a migrated database.
    func privateServer() throws -> (PostgreSQLTestServer, PostgreSQLDatabase) {
        let server = try PostgreSQLTestServer()
        do {
            let database = try PostgreSQLTesting(server: server).connect()
            try PostgreSQLMigrator.migrate(database, to: PostgreSQLSequences.migrations)
            return (server, database)
        } catch {
            server.destroy()
            throw error
        }
    }

    @Test("The server restarts: the next statement fails as retryable, the one after reconnects")
    func restartBetweenStatements() throws {
        let (server, database) = try privateServer()
        defer { server.destroy() }
        let sequences = PostgreSQLSequences(database: database)
        let counter = SequenceCounter.officeSequence(office: "OFF001")
        #expect(try sequences.next(counter) == 1)

        try server.stop(immediate: true)
        try server.start()
        let lost = #expect(throws: PostgreSQLError.self) { try sequences.next(counter) }
        #expect(lost?.code == .connectionLost && lost?.isRetryable == true)
        #expect(try sequences.next(counter) == 2)
    }

    @Test(
        "The server goes away mid-transaction: the transaction fails as retryable, nothing half-committed, a retry succeeds"
    )
    func restartInTransaction() throws {
        let (server, database) = try privateServer()
        defer { server.destroy() }
        let sequences = PostgreSQLSequences(database: database)
        let counter = SequenceCounter.officeSequence(office: "OFF001")

        let lost = #expect(throws: PostgreSQLError.self) {
            try database.transaction {
                #expect(try sequences.next(counter) == 1)
                try server.stop()
                try server.start()
                try database.execute("SELECT 1")
            }
        }
        #expect(lost?.code == .connectionLost && lost?.isRetryable == true)

        try server.stop()
        let down = #expect(throws: PostgreSQLError.self) { try database.execute("SELECT 1") }
        #expect(down?.code == .cannotConnect && down?.isRetryable == true)
        try server.start()
        #expect(try database.retryingTransaction { try sequences.next(counter) } == 1)
    }
}
