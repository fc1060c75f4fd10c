internal import CPostgreSQL
import Foundation
import Synchronization

/// The PostgreSQL connections of one process to one configuration, kept open between uses so that a ledger or a
/// store opened for one request does not pay a new connection and login.
///
/// A ``PostgreSQLDatabase`` opened with ``PostgreSQLDatabase/init(borrowingFrom:)`` takes an idle connection (or
/// opens one) and gives it back when it is freed. A connection goes back to the pool only when it is fit for
/// another borrower; otherwise it is closed:
/// - it is alive and outside any transaction (`PQtransactionStatus` idle): one left inside a transaction, or lost
///   mid-use, is closed;
/// - it listens to no channel (a listening connection belongs to its listener);
/// - `DISCARD ALL` succeeds on it, which drops what a session may have left behind: session advisory locks,
///   `LISTEN`s, `SET`s, prepared statements, temporary tables. Settings given at connection (the tenant's
///   `search_path`) stay.
///
/// Taking an idle connection checks, without a round trip, that the server has not closed it meanwhile (a restart,
/// `pg_terminate_backend`): such a connection is closed and the next one tried, so the borrower never sees it.
///
/// The pool keeps at most ``PostgreSQLConfiguration/poolSize`` idle connections. It never makes a borrower wait:
/// when none is idle, a new connection is opened, and given back like any other; when the pool already keeps
/// `poolSize` idle ones, it is closed instead. So in use at once there are as many connections as borrowers (as
/// before the pool, with no wait that could hold a thread of Swift's cooperative pool), and between uses no more
/// than `poolSize`.
public final class PostgreSQLConnectionPool: Sendable {
    /// Where the connections go; its ``PostgreSQLConfiguration/poolSize`` bounds the idle ones.
    public let configuration: PostgreSQLConfiguration

    /// What a pool holds and has done, for tests and metrics.
    public struct Statistics: Sendable, Equatable {
        /// Connections open and waiting for a borrower.
        public var idle = 0
        /// Connections lent to a ``PostgreSQLDatabase`` now.
        public var lent = 0
        /// Connections this pool opened, since it was made.
        public var opened = 0
        /// Connections handed out again instead of opening a new one.
        public var reused = 0
        /// Connections given back but closed: unfit for reuse (broken, inside a transaction, listening, reset
        /// failed), found closed by the server while idle, or beyond `poolSize`.
        public var closed = 0
    }

    /// A libpq connection owned by the pool while idle, and by one borrower at a time otherwise.
    private struct Connection: @unchecked Sendable {
        let handle: OpaquePointer
    }

    private struct State {
        var idle: [Connection] = []
        var statistics = Statistics()
    }

    private let state = Mutex(State())

    /// A pool of its own for `configuration`; most callers want ``shared(for:)``.
    public init(configuration: PostgreSQLConfiguration) {
        self.configuration = configuration
    }

    deinit {
        for connection in state.withLock({ $0.idle }) { PQfinish(connection.handle) }
    }

    private static let pools = Mutex<[PostgreSQLConfiguration: PostgreSQLConnectionPool]>([:])

    /// The process's pool for `configuration` (one per distinct configuration, tenant and `poolSize` included).
    public static func shared(for configuration: PostgreSQLConfiguration) -> PostgreSQLConnectionPool {
        pools.withLock { pools in
            if let pool = pools[configuration] { return pool }
            let pool = PostgreSQLConnectionPool(configuration: configuration)
            pools[configuration] = pool
            return pool
        }
    }

    /// The pool's counts now.
    public var statistics: Statistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.idle = state.idle.count
            return statistics
        }
    }

    /// An idle connection the server has not closed, or a new one.
    /// - Throws: ``PostgreSQLError`` from connecting: `cannotConnect` (retryable), `loginRefused` or
    ///   `invalidConfiguration`.
    func borrow() throws(PostgreSQLError) -> OpaquePointer {
        while let connection = takeIdle() {
            if Self.isFit(connection.handle) {
                state.withLock { $0.statistics.reused += 1 }
                return connection.handle
            }
            PQfinish(connection.handle)
            state.withLock {
                $0.statistics.closed += 1
                $0.statistics.lent -= 1
            }
        }
        state.withLock { $0.statistics.lent += 1 }
        do {
            let handle = try PostgreSQLDatabase.connect(configuration)
            state.withLock { $0.statistics.opened += 1 }
            return handle
        } catch {
            state.withLock { $0.statistics.lent -= 1 }
            throw error
        }
    }

    private func takeIdle() -> Connection? {
        state.withLock { state in
            guard let connection = state.idle.popLast() else { return nil }
            state.statistics.lent += 1
            return connection
        }
    }

    /// Takes back a lent connection (nil when the borrower has none left): kept when `reusable`, healthy, idle and
    /// reset, and the pool has room; closed otherwise.
    func giveBack(_ handle: OpaquePointer?, reusable: Bool) {
        guard let handle else {
            state.withLock { $0.statistics.lent -= 1 }
            return
        }
        let hasRoom = state.withLock { $0.idle.count < configuration.poolSize }
        guard hasRoom, reusable, Self.reset(handle) else {
            PQfinish(handle)
            state.withLock {
                $0.statistics.lent -= 1
                $0.statistics.closed += 1
            }
            return
        }
        let kept = state.withLock { state in
            state.statistics.lent -= 1
            // Another borrower may have filled the last place meanwhile.
            guard state.idle.count < configuration.poolSize else {
                state.statistics.closed += 1
                return false
            }
            state.idle.append(Connection(handle: handle))
            return true
        }
        if !kept { PQfinish(handle) }
    }

    /// Whether an idle connection can be lent: libpq still has it open and outside a transaction, and the server
    /// has sent nothing since it was given back. An idle connection that listens to nothing hears from the server
    /// only when it is being closed (a termination, a shutdown, a restart), so anything to read, checked with a
    /// poll that does not wait, means the connection is not to be trusted.
    private static func isFit(_ handle: OpaquePointer) -> Bool {
        guard PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) == PQTRANS_IDLE else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { return false }
        return poll(&descriptor, 1, 0) == 0
    }

    /// Makes a connection fit for the next borrower: alive, outside any transaction, and `DISCARD ALL` run.
    private static func reset(_ handle: OpaquePointer) -> Bool {
        guard PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) == PQTRANS_IDLE else { return false }
        guard let result = PQexec(handle, "DISCARD ALL") else { return false }
        defer { PQclear(result) }
        return PQresultStatus(result) == PGRES_COMMAND_OK && PQstatus(handle) == CONNECTION_OK
            && PQtransactionStatus(handle) == PQTRANS_IDLE
    }
}
