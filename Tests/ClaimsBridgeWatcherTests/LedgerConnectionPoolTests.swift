import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

/// Ledgers and stores opened per request or per task on a PostgreSQL store borrow the process's pooled connections
/// instead of each opening and logging in on its own.
@Suite("Ledger connections pooled on PostgreSQL")
struct LedgerConnectionPoolTests {
    /// A new database whose pool keeps `size` idle connections, and a connection of its own to watch the server.
    static func store(poolSize size: Int) throws -> (PostgreSQLConfiguration, PostgreSQLDatabase) {
        var configuration = try PostgreSQLTestServer.shared().newDatabase()
        configuration.poolSize = size
        return (configuration, try PostgreSQLDatabase(configuration: configuration))
    }

    /// The backend serving `ledger`.
    static func pid(_ ledger: Ledger) throws -> Int {
        guard case .postgreSQL(let database) = ledger.database.engine else { throw CancellationError() }
        return try database.execute("SELECT pg_backend_pid()").rows[0].int(0)
    }

    /// Backends connected to the store's database, `observer` left out.
    static func backends(_ observer: PostgreSQLDatabase) throws -> Int {
        try observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).rows[0].int(0)
    }

    @Test("Ledgers opened one after another, as serve does per request, use one backend connection")
    func sequentialLedgers() throws {
        let (configuration, observer) = try Self.store(poolSize: 2)
        var pids: Set<Int> = []
        for _ in 0..<50 {
            let ledger = try Ledger(location: .postgreSQL(configuration))
            _ = try ledger.countsByState()
            pids.insert(try Self.pid(ledger))
            #expect(try Self.backends(observer) <= configuration.poolSize)
        }
        #expect(pids.count == 1)
        let statistics = PostgreSQLConnectionPool.shared(for: configuration).statistics
        #expect(statistics.opened == 1 && statistics.lent == 0)
    }

    @Test("Ledgers held at once have connections of their own; per-claim locks end with their transaction")
    func heldLedgersAndClaimLocks() throws {
        let (configuration, observer) = try Self.store(poolSize: 2)
        var first: Ledger? = try Ledger(location: .postgreSQL(configuration))
        var second: Ledger? = try Ledger(location: .postgreSQL(configuration))
        let pids = try [Self.pid(first!), Self.pid(second!)]
        #expect(pids[0] != pids[1])
        try first!.database.transaction {
            try first!.database.lock("claim:000001")
            // The other connection cannot take the claim's lock while the transaction holds it.
            let taken = try observer.execute(
                "SELECT pg_try_advisory_xact_lock(hashtextextended('claim:000001', 4242))"
            ).rows[0].text(0)
            #expect(taken == "f")
        }
        first = nil
        second = nil
        let locks = try observer.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = ANY($1::int[])",
            ["{\(pids[0]),\(pids[1])}"]
        ).rows[0].int(0)
        #expect(locks == 0)
        let reopened = try Set((0..<2).map { _ in try Ledger(location: .postgreSQL(configuration)) }.map(Self.pid))
        #expect(reopened == Set(pids), "both connections went back to the pool and are lent again")
    }

    @Test("Outboxes and header numbers opened one after another borrow the ledger's pooled connection")
    func storesShareThePool() throws {
        let (configuration, _) = try Self.store(poolSize: 2)
        let pool = PostgreSQLConnectionPool.shared(for: configuration)
        let ledger = try Ledger(location: .postgreSQL(configuration))
        let ledgerPID = try Self.pid(ledger)
        for _ in 0..<10 {
            _ = try Outbox(store: .postgreSQL(configuration)).counts()
            let numbers = try PostgreSQLSequenceAllocator(configuration: configuration, ledger: ledger)
            numbers.identify(fileID: 1, as: "inbox:test")
            _ = try numbers.allocation(fileID: 1, line: 1, field: "A02", scope: "office", limit: 999_999)
        }
        #expect(try Self.pid(ledger) == ledgerPID)
        let statistics = pool.statistics
        // The ledger's connection, and the one the outbox and the numbers took in turn.
        #expect(statistics.opened == 2 && statistics.reused == 19 && statistics.lent == 1)
    }
}
