import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Synchronization
import Testing

@Suite("PostgreSQL connection pool")
struct PostgreSQLConnectionPoolTests {
    /// A new database and a pool of its own keeping up to `size` idle connections, with a connection of its own
    /// (not pooled) to watch the server from.
    struct Fixture {
        let pool: PostgreSQLConnectionPool
        let observer: PostgreSQLDatabase

        init(size: Int, limits: (inout PostgreSQLConfiguration) -> Void = { _ in }) throws {
            var configuration = try PostgreSQLTesting().configuration
            configuration.poolSize = size
            limits(&configuration)
            pool = PostgreSQLConnectionPool(configuration: configuration)
            observer = try PostgreSQLDatabase(configuration: configuration)
        }

        func borrow() throws -> PostgreSQLDatabase { try PostgreSQLDatabase(borrowingFrom: pool) }

        /// The server backends connected to the test database, the observer's own left out.
        func backends() throws -> Int {
            try observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).rows[0].int(0)
        }

        /// Waits until the server has let go of closed connections (a closed connection's backend leaves
        /// `pg_stat_activity` a moment after the client hangs up).
        func backends(settlingAt expected: Int) throws -> Int {
            let deadline = Date().addingTimeInterval(5)
            var count = try backends()
            while count != expected, Date() < deadline {
                usleep(20_000)
                count = try backends()
            }
            return count
        }

        func terminate(_ pid: Int) throws {
            try observer.execute("SELECT pg_terminate_backend($1)", [String(pid)])
            let deadline = Date().addingTimeInterval(5)
            while try observer.execute("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [String(pid)]).rows.count > 0,
                Date() < deadline
            {
                usleep(20_000)
            }
        }
    }

    static func pid(_ database: PostgreSQLDatabase) throws -> Int {
        try database.execute("SELECT pg_backend_pid()").rows[0].int(0)
    }

    @Test("Databases opened one after another reuse one connection: one backend, one login")
    func sequentialReuse() throws {
        let fixture = try Fixture(size: 2)
        var pids: Set<Int> = []
        for _ in 0..<20 {
            let database = try fixture.borrow()
            pids.insert(try Self.pid(database))
            #expect(try fixture.backends() == 1)
        }
        #expect(pids.count == 1)
        let statistics = fixture.pool.statistics
        #expect(statistics.opened == 1 && statistics.reused == 19 && statistics.lent == 0 && statistics.idle == 1)
    }

    @Test("Six borrowers at once open six connections; given back, the pool keeps its size and closes the rest")
    func keepsItsSize() throws {
        let fixture = try Fixture(size: 2)
        var held = try (0..<6).map { _ in try fixture.borrow() }
        let pids = try Set(held.map(Self.pid))
        #expect(pids.count == 6, "no two borrowers share a connection")
        #expect(try fixture.backends() == 6)
        held.removeAll()
        #expect(try fixture.backends(settlingAt: 2) == 2)
        #expect(fixture.pool.statistics.idle == 2 && fixture.pool.statistics.closed == 4)
        // The next borrowers get the two kept connections.
        let again = try (0..<2).map { _ in try fixture.borrow() }
        #expect(try Set(again.map(Self.pid)).isSubset(of: pids))
        #expect(fixture.pool.statistics.opened == 6)
    }

    @Test("A connection left inside a transaction, or in a failed one, is closed, never lent again")
    func dirtyTransactionsAreClosed() throws {
        let fixture = try Fixture(size: 2)
        let clean = try Self.pid(try fixture.borrow())

        let open = try fixture.borrow()
        #expect(try Self.pid(open) == clean)
        try open.executeScript("BEGIN")
        try open.execute("CREATE TABLE left_behind (x integer)")
        _ = consume open

        let next = try fixture.borrow()
        let replacement = try Self.pid(next)
        #expect(replacement != clean, "the connection inside a transaction was closed")
        #expect(try next.execute("SELECT to_regclass('left_behind') IS NULL").rows[0].text(0) == "t")
        try next.executeScript("BEGIN")
        #expect(throws: PostgreSQLError.self) { try next.execute("SELECT 1 / 0") }
        _ = consume next

        let third = try fixture.borrow()
        #expect(try Self.pid(third) != replacement, "the connection in a failed transaction was closed")
        try third.transaction { try third.execute("CREATE TABLE fine (x integer)") }
        let thirdPID = try Self.pid(third)
        _ = consume third

        #expect(try Self.pid(try fixture.borrow()) == thirdPID, "a clean connection is lent again")
        #expect(fixture.pool.statistics.closed == 2)
    }

    @Test("A connection the server terminated, idle in the pool or while lent, is replaced without an error")
    func terminatedConnectionsAreReplaced() throws {
        let fixture = try Fixture(size: 2)
        let first = try Self.pid(try fixture.borrow())
        #expect(try Self.pid(try fixture.borrow()) == first, "lent again")

        // Killed while idle in the pool: the next borrower never sees it.
        try fixture.terminate(first)
        let replaced = try fixture.borrow()
        let second = try Self.pid(replaced)
        #expect(second != first)
        _ = consume replaced
        #expect(try Self.pid(try fixture.borrow()) == second, "the new connection is lent again")

        // Killed while lent and given back without another statement: closed, not kept.
        let lent = try fixture.borrow()
        #expect(try Self.pid(lent) == second)
        try fixture.terminate(second)
        _ = consume lent
        let third = try fixture.borrow()
        #expect(try Self.pid(third) != second)
        #expect(try third.execute("SELECT 1").rows[0].int(0) == 1)

        // Killed while lent and used again: the statement fails as before (retryable), the next one reconnects,
        // and the new connection goes back to the pool.
        let thirdPID = try Self.pid(third)
        try fixture.terminate(thirdPID)
        let lost = #expect(throws: PostgreSQLError.self) { try third.execute("SELECT 1") }
        #expect(lost?.code == .connectionLost && lost?.isRetryable == true)
        let fourth = try Self.pid(third)
        #expect(fourth != thirdPID)
        _ = consume third
        #expect(try Self.pid(try fixture.borrow()) == fourth)
        #expect(fixture.pool.statistics.lent == 0)
    }

    /// The connections lent at this moment, by backend, and how often one was found lent twice.
    final class Lending: Sendable {
        private let state = Mutex((inUse: Set<Int>(), clashes: 0))

        func start(_ pid: Int) { state.withLock { if !$0.inUse.insert(pid).inserted { $0.clashes += 1 } } }
        func end(_ pid: Int) { state.withLock { _ = $0.inUse.remove(pid) } }
        var clashes: Int { state.withLock { $0.clashes } }
    }

    @Test("Eight threads borrowing at once never hold the same connection, and reuse what the others gave back")
    func concurrentBorrowers() throws {
        let fixture = try Fixture(size: 3)
        let lending = Lending()
        let pool = fixture.pool
        let rounds = try onThreads(8) { _ in
            var unstable = 0
            for _ in 0..<25 {
                let database = try PostgreSQLDatabase(borrowingFrom: pool)
                let pid = try Self.pid(database)
                lending.start(pid)
                try database.execute("SELECT pg_sleep(0.002)")
                if try Self.pid(database) != pid { unstable += 1 }
                lending.end(pid)
            }
            return unstable
        }
        #expect(lending.clashes == 0, "two borrowers held one connection at once")
        #expect(rounds == Array(repeating: 0, count: 8))
        let statistics = pool.statistics
        #expect(statistics.lent == 0 && statistics.idle <= 3)
        #expect(statistics.opened + statistics.reused == 200)
        #expect(statistics.reused > 100, "most borrowers got a connection given back by another")
        #expect(try fixture.backends(settlingAt: statistics.idle) == statistics.idle)
    }

    @Test("Session advisory locks, LISTEN and SET do not pass to the next borrower; a listening connection is closed")
    func sessionStateDoesNotLeak() throws {
        let fixture = try Fixture(size: 2)
        let holder = try fixture.borrow()
        let pid = try Self.pid(holder)
        try holder.execute("SELECT pg_advisory_lock(4242)")
        try holder.execute("SET statement_timeout = 1234")
        _ = consume holder

        let next = try fixture.borrow()
        #expect(try Self.pid(next) == pid, "the same connection, reset")
        #expect(
            try fixture.observer.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $1", [String(pid)]
            ).rows[0].int(0) == 0)
        #expect(try fixture.observer.execute("SELECT pg_try_advisory_lock(4242)").rows[0].text(0) == "t")
        #expect(try next.execute("SHOW statement_timeout").rows[0].text(0) == "0")
        try next.listen(PostgreSQLDatabase.enqueuedChannel)
        _ = consume next

        let after = try fixture.borrow()
        #expect(try Self.pid(after) != pid, "the listening connection was closed")
        try fixture.observer.execute("SELECT pg_notify($1, '')", [PostgreSQLDatabase.enqueuedChannel])
        #expect(try after.waitForNotification(timeout: 0.2).isEmpty)
        #expect(fixture.pool.statistics.closed == 1)
    }

    @Test("A tenant's search_path survives the reset; poolSize 0 keeps nothing")
    func tenantAndNoPool() throws {
        var configuration = try PostgreSQLTesting().configuration
        try configuration.scope(toTenant: "north")
        try PostgreSQLDatabase(configuration: configuration).executeScript("CREATE SCHEMA tenant_north")
        let pool = PostgreSQLConnectionPool(configuration: configuration)
        let first = try PostgreSQLDatabase(borrowingFrom: pool)
        let pid = try Self.pid(first)
        _ = consume first
        let second = try PostgreSQLDatabase(borrowingFrom: pool)
        #expect(try Self.pid(second) == pid)
        #expect(try second.execute("SHOW search_path").rows[0].text(0) == "tenant_north")

        configuration.poolSize = 0
        let none = PostgreSQLConnectionPool(configuration: configuration)
        let pids = try (0..<3).map { _ in try Self.pid(try PostgreSQLDatabase(borrowingFrom: none)) }
        #expect(Set(pids).count == 3 && none.statistics.idle == 0 && none.statistics.opened == 3)
    }

    @Test("The shared pool is one per configuration")
    func sharedPerConfiguration() throws {
        var configuration = try PostgreSQLTesting().configuration
        let before = PostgreSQLConnectionPool.shared(for: configuration)
        #expect(PostgreSQLConnectionPool.shared(for: configuration) === before)
        configuration.poolSize += 1
        #expect(PostgreSQLConnectionPool.shared(for: configuration) !== before)
    }
}
