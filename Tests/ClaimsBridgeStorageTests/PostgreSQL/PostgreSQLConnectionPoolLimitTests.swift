import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Synchronization
import Testing

/// The pool's idle timeout (`poolIdleSeconds`) and its cap on open connections (`poolMaxConnections`,
/// `poolWaitSeconds`), watched from the server's side.
@Suite("PostgreSQL connection pool limits")
struct PostgreSQLConnectionPoolLimitTests {
    typealias Fixture = PostgreSQLConnectionPoolTests.Fixture

    static func pid(_ database: PostgreSQLDatabase) throws -> Int { try PostgreSQLConnectionPoolTests.pid(database) }

    /// A pool of at most `cap` connections, whose borrowers wait `seconds` at most, keeping `size` idle.
    static func capped(at cap: Int, waiting seconds: Double, keeping size: Int) throws -> Fixture {
        try Fixture(size: size) { configuration in
            configuration.poolMaxConnections = cap
            configuration.poolWaitSeconds = seconds
        }
    }

    /// A borrow made on a thread of its own (not a Swift task): when it got its connection, which one, or its error.
    final class ThreadBorrow: Sendable {
        private let outcome = Mutex<(pid: Int?, error: PostgreSQLError?, seconds: Double)?>(nil)

        init(from pool: PostgreSQLConnectionPool) {
            let started = Date()
            Thread { [self] in
                do {
                    let database = try PostgreSQLDatabase(borrowingFrom: pool)
                    let pid = try PostgreSQLConnectionPoolTests.pid(database)
                    outcome.withLock { $0 = (pid, nil, Date().timeIntervalSince(started)) }
                } catch {
                    outcome.withLock { $0 = (nil, error as? PostgreSQLError, Date().timeIntervalSince(started)) }
                }
            }.start()
        }

        var result: (pid: Int?, error: PostgreSQLError?, seconds: Double)? { outcome.withLock { $0 } }

        /// Waits up to `seconds` for the borrow to end.
        func finished(within seconds: Double) -> (pid: Int?, error: PostgreSQLError?, seconds: Double)? {
            let deadline = Date().addingTimeInterval(seconds)
            while result == nil, Date() < deadline { usleep(10_000) }
            return result
        }
    }

    @Test("An idle connection is closed after poolIdleSeconds: its backend leaves pg_stat_activity with no borrow")
    func idleConnectionsExpire() throws {
        let fixture = try Fixture(size: 2) { $0.poolIdleSeconds = 0.6 }
        let first = try Self.pid(try fixture.borrow())
        #expect(try Self.pid(try fixture.borrow()) == first, "used again within the idle time: kept")
        let given = Date()
        #expect(try fixture.backends() == 1)
        #expect(try fixture.backends(settlingAt: 0) == 0, "the idle connection was closed")
        let gone = Date().timeIntervalSince(given)
        #expect(gone >= 0.5, "not before poolIdleSeconds (\(gone) s)")
        #expect(fixture.pool.statistics.expired == 1 && fixture.pool.statistics.idle == 0)
        let next = try Self.pid(try fixture.borrow())
        #expect(next != first && fixture.pool.statistics.opened == 2)
    }

    @Test("poolIdleSeconds 0 keeps an idle connection however long it waits")
    func neverExpires() throws {
        let fixture = try Fixture(size: 2) { $0.poolIdleSeconds = 0 }
        let kept = try Self.pid(try fixture.borrow())
        usleep(800_000)
        #expect(try Self.pid(try fixture.borrow()) == kept, "0 keeps an idle connection however long")
        #expect(fixture.pool.statistics.expired == 0)
    }

    @Test("At poolMaxConnections a borrower waits, and gets the connection given back")
    func borrowerWaitsForAConnection() throws {
        let fixture = try Self.capped(at: 2, waiting: 20, keeping: 2)
        var first: PostgreSQLDatabase? = try fixture.borrow()
        let second = try fixture.borrow()
        let firstPID = try Self.pid(first!)
        let waiting = ThreadBorrow(from: fixture.pool)
        usleep(400_000)
        #expect(waiting.result == nil, "the borrower waits while both connections are lent")
        #expect(fixture.pool.statistics.waited == 1 && fixture.pool.statistics.lent == 2)
        #expect(try fixture.backends() == 2, "no third connection was opened")
        first = nil
        let outcome = try #require(waiting.finished(within: 10))
        #expect(outcome.pid == firstPID, "it got the connection given back")
        #expect(outcome.seconds >= 0.35 && outcome.seconds < 10)
        #expect(try fixture.backends() == 2)
        #expect(fixture.pool.statistics.opened == 2)
        _ = second
    }

    @Test("Past poolWaitSeconds the borrower gets poolExhausted, naming the settings")
    func waitDeadline() throws {
        let fixture = try Self.capped(at: 1, waiting: 0.5, keeping: 1)
        let held = try fixture.borrow()
        let waiting = ThreadBorrow(from: fixture.pool)
        let outcome = try #require(waiting.finished(within: 10))
        let error = try #require(outcome.error)
        #expect(error.code == .poolExhausted && !error.isRetryable)
        #expect(error.reason.contains("poolMaxConnections") && error.reason.contains("poolWaitSeconds"), "\(error)")
        #expect(outcome.seconds >= 0.45, "it waited poolWaitSeconds (\(outcome.seconds) s)")
        #expect(fixture.pool.statistics.refused == 1 && fixture.pool.statistics.lent == 1)
        #expect(try fixture.backends() == 1)
        _ = held
    }

    @Test("A borrower already holding a connection is lent another at once beyond the cap, closed when given back")
    func nestedBorrowNeverWaits() throws {
        let fixture = try Self.capped(at: 1, waiting: 20, keeping: 2)
        let outer = try fixture.borrow()
        let started = Date()
        var inner: PostgreSQLDatabase? = try fixture.borrow()
        #expect(Date().timeIntervalSince(started) < 5, "the holder did not wait for itself")
        #expect(try Self.pid(inner!) != Self.pid(outer))
        #expect(fixture.pool.statistics.lentBeyondCap == 1 && fixture.pool.statistics.waited == 0)
        inner = nil
        #expect(try fixture.backends(settlingAt: 1) == 1, "the connection beyond the cap was closed")
        #expect(fixture.pool.statistics.idle == 0)
        _ = outer
    }

    @Test("Borrowers in Swift tasks never wait on every cooperative thread: the one that would is refused at once")
    func cooperativeThreadsAreNotAllBlocked() async throws {
        let fixture = try Self.capped(at: 1, waiting: 20, keeping: 1)
        let pool = fixture.pool
        let holder = ThreadHolder(pool)
        try holder.waitUntilHolding()
        let allowed = max(0, ProcessInfo.processInfo.activeProcessorCount - 1)
        let waiters = (0..<allowed).map { _ in
            Task.detached { () throws -> Int in try Self.pid(try PostgreSQLDatabase(borrowingFrom: pool)) }
        }
        // Tasks start when a cooperative thread is free, which on a loaded machine may take a while.
        let deadline = Date().addingTimeInterval(60)
        while pool.statistics.waited < allowed, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(pool.statistics.waited == allowed)
        let (refused, seconds) = await Task.detached { () -> (PostgreSQLError?, Double) in
            let started = Date()
            do {
                _ = try PostgreSQLDatabase(borrowingFrom: pool)
                return (nil, Date().timeIntervalSince(started))
            } catch {
                return (error as? PostgreSQLError, Date().timeIntervalSince(started))
            }
        }.value
        #expect(seconds < 5, "refused at once, not after poolWaitSeconds (\(seconds) s)")
        #expect(refused?.code == .poolExhausted && refused?.reason.contains("cooperative") == true)
        holder.release()
        for waiter in waiters { #expect(try await waiter.value == holder.pid) }
    }

    /// Holds one connection on a thread of its own until released.
    final class ThreadHolder: Sendable {
        private let state = Mutex((pid: Int?.none, released: false))

        init(_ pool: PostgreSQLConnectionPool) {
            Thread { [self] in
                guard let database = try? PostgreSQLDatabase(borrowingFrom: pool) else { return }
                let pid = try? PostgreSQLConnectionPoolTests.pid(database)
                state.withLock { $0.pid = pid }
                while !state.withLock({ $0.released }) { usleep(5_000) }
            }.start()
        }

        var pid: Int? { state.withLock { $0.pid } }

        func waitUntilHolding() throws {
            let deadline = Date().addingTimeInterval(10)
            while pid == nil, Date() < deadline { usleep(10_000) }
            _ = try #require(pid)
        }

        func release() { state.withLock { $0.released = true } }
    }
}
