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
/// Limits, from the ``configuration``:
/// - at most ``PostgreSQLConfiguration/poolSize`` idle connections are kept, each for at most
///   ``PostgreSQLConfiguration/poolIdleSeconds`` (closed by a timer, or when a connection is next borrowed or
///   given back);
/// - at most ``PostgreSQLConfiguration/poolMaxConnections`` are open at once, idle and lent together. A borrower
///   finding none idle and no room waits for one to come back, up to ``PostgreSQLConfiguration/poolWaitSeconds``,
///   then fails with ``PostgreSQLError/Code/poolExhausted``.
///
/// Nested borrows never wait: a borrower that already holds a connection of this pool (the same Swift task, or the
/// same thread outside any task) is lent its next one at once, beyond the cap if need be, so a task holding a
/// ledger that opens an outbox cannot wait for itself. Work handed to another task or thread is another borrower
/// and waits like any other: a holder may await it only with a deadline shorter than `poolWaitSeconds`.
///
/// Waiting blocks the borrower's thread (libpq's calls block it anyway). So that waiting borrowers can never
/// occupy every thread of Swift's cooperative pool, which the holders suspended in an `await` need to resume and
/// give their connections back, at most one fewer borrowers running in Swift tasks than the machine has processors
/// wait at once, across every pool of the process; one more fails at once with `poolExhausted`. Borrowers on
/// threads of their own (the watcher's intake, `Thread`s) are not counted.
public final class PostgreSQLConnectionPool: @unchecked Sendable {
    /// Where the connections go, and the pool's limits.
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
        /// failed), found closed by the server while idle, beyond `poolSize` or beyond `poolMaxConnections`.
        public var closed = 0
        /// Idle connections closed because they stayed idle longer than `poolIdleSeconds`.
        public var expired = 0
        /// Borrows that had to wait for a connection to come back.
        public var waited = 0
        /// Borrows refused with ``PostgreSQLError/Code/poolExhausted``.
        public var refused = 0
        /// Connections lent beyond `poolMaxConnections` to a borrower already holding one.
        public var lentBeyondCap = 0
    }

    /// A libpq connection owned by the pool while idle, and by one borrower at a time otherwise.
    fileprivate struct IdleConnection {
        let handle: OpaquePointer
        let since: ContinuousClock.Instant
    }

    fileprivate struct State {
        /// Oldest first: a borrower takes the newest, so that the oldest expire.
        var idle: [IdleConnection] = []
        var holders: [Holder: Int] = [:]
        var sweepScheduled = false
        var statistics = Statistics()
        var open: Int { idle.count + statistics.lent }
    }

    /// Guards ``state``; waiting borrowers wait on it.
    private let condition = NSCondition()
    private var state = State()

    /// A pool of its own for `configuration`; most callers want ``shared(for:)``.
    public init(configuration: PostgreSQLConfiguration) {
        self.configuration = configuration
    }

    deinit {
        for connection in state.idle { PQfinish(connection.handle) }
    }

    private static let pools = Mutex<[PostgreSQLConfiguration: PostgreSQLConnectionPool]>([:])

    /// The process's pool for `configuration` (one per distinct configuration: tenant and pool limits included).
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
        withState { state in
            var statistics = state.statistics
            statistics.idle = state.idle.count
            return statistics
        }
    }

    private func withState<Result, Failure: Error>(_ body: (inout State) throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        condition.lock()
        defer { condition.unlock() }
        return try body(&state)
    }

    /// An idle connection the server has not closed, or a new one, lent to the current task or thread.
    /// - Throws: ``PostgreSQLError``: `poolExhausted` when the pool stayed full for `poolWaitSeconds`; from
    ///   connecting, `cannotConnect` (retryable), `loginRefused` or `invalidConfiguration`.
    func borrow() throws(PostgreSQLError) -> (connection: OpaquePointer, holder: Holder) {
        let holder = Holder.current
        var expired: [OpaquePointer] = []
        defer { close(expired) }
        var taken = try reserve(for: holder, expired: &expired)
        while let handle = taken {
            if Self.isFit(handle) {
                withState { $0.statistics.reused += 1 }
                return (handle, holder)
            }
            PQfinish(handle)
            // The borrower keeps its place and tries the next idle connection.
            taken = withState { state in
                state.statistics.closed += 1
                return state.idle.popLast()?.handle
            }
        }
        do {
            let handle = try PostgreSQLDatabase.connect(configuration)
            withState { $0.statistics.opened += 1 }
            return (handle, holder)
        } catch {
            withState { $0.release(holder) }
            condition.broadcast()
            throw error
        }
    }

    /// Counts a connection as lent to `holder`, waiting for room when the pool is full: returns an idle connection
    /// to check, or nil when a new one is to be opened.
    private func reserve(for holder: Holder, expired: inout [OpaquePointer]) throws(PostgreSQLError) -> OpaquePointer? {
        let cap = configuration.poolMaxConnections
        let deadline = Date().addingTimeInterval(configuration.poolWaitSeconds)
        var waiting = false
        var waitingInTask = false
        defer { if waitingInTask { CooperativeWaiters.leave() } }
        return try withState { state throws(PostgreSQLError) in
            while true {
                expired += takeExpired(&state)
                if let connection = state.idle.popLast() {
                    state.lend(to: holder)
                    return connection.handle
                }
                let nested = state.holders[holder, default: 0] > 0
                if state.open < cap || nested {
                    if state.open >= cap { state.statistics.lentBeyondCap += 1 }
                    state.lend(to: holder)
                    return nil
                }
                guard Date() < deadline else {
                    state.statistics.refused += 1
                    throw exhausted(waitingOnCooperativeThreads: false)
                }
                if holder.isTask && !waitingInTask {
                    guard CooperativeWaiters.enter() else {
                        state.statistics.refused += 1
                        throw exhausted(waitingOnCooperativeThreads: true)
                    }
                    waitingInTask = true
                }
                if !waiting {
                    waiting = true
                    state.statistics.waited += 1
                }
                _ = condition.wait(until: deadline)
            }
        }
    }

    private func exhausted(waitingOnCooperativeThreads: Bool) -> PostgreSQLError {
        let cap = configuration.poolMaxConnections
        let full = "all \(cap) connections to \(configuration.location) that store: poolMaxConnections allows are in use"
        if waitingOnCooperativeThreads {
            return PostgreSQLError(
                .poolExhausted,
                "\(full), and other borrowers already wait on all but one of Swift's cooperative threads; "
                    + "raise poolMaxConnections")
        }
        return PostgreSQLError(
            .poolExhausted,
            "\(full), and none came back within \(configuration.poolWaitSeconds) s (store: poolWaitSeconds); "
                + "raise poolMaxConnections or poolWaitSeconds")
    }

    /// Takes back a lent connection (nil when the borrower has none left): kept when `reusable`, healthy, idle and
    /// reset, and the pool has room under `poolSize` and `poolMaxConnections`; closed otherwise. Wakes a waiting
    /// borrower either way.
    func giveBack(_ handle: OpaquePointer?, holder: Holder, reusable: Bool) {
        defer { condition.broadcast() }
        var expired: [OpaquePointer] = []
        defer { close(expired) }
        guard let handle else {
            withState { $0.release(holder) }
            return
        }
        let mayKeep = withState { state in hasRoom(in: state, lentByCaller: 1) }
        guard mayKeep, reusable, Self.reset(handle) else {
            PQfinish(handle)
            withState { state in
                state.release(holder)
                state.statistics.closed += 1
            }
            return
        }
        let kept = withState { state in
            state.release(holder)
            expired = takeExpired(&state)
            // Another borrower may have filled the last place meanwhile.
            guard hasRoom(in: state, lentByCaller: 0) else {
                state.statistics.closed += 1
                return false
            }
            state.idle.append(IdleConnection(handle: handle, since: .now))
            scheduleSweep(&state)
            return true
        }
        if !kept { PQfinish(handle) }
    }

    /// Whether the caller's connection may be kept idle: fewer than `poolSize` are, and keeping it would not leave
    /// more than `poolMaxConnections` open (a connection lent beyond the cap is closed when given back).
    /// `lentByCaller` is 1 while the caller's connection is still counted as lent.
    private func hasRoom(in state: State, lentByCaller: Int) -> Bool {
        state.idle.count < configuration.poolSize && state.open - lentByCaller < configuration.poolMaxConnections
    }

    /// Removes the idle connections older than `poolIdleSeconds`, to be closed once the lock is released.
    private func takeExpired(_ state: inout State) -> [OpaquePointer] {
        let idleSeconds = configuration.poolIdleSeconds
        guard idleSeconds > 0 else { return [] }
        let oldest = ContinuousClock.now - .seconds(idleSeconds)
        let count = state.idle.prefix { $0.since <= oldest }.count
        guard count > 0 else { return [] }
        let expired = state.idle.prefix(count).map(\.handle)
        state.idle.removeFirst(count)
        state.statistics.expired += count
        return expired
    }

    /// Arranges for the oldest idle connection to be closed when it expires, if nothing is arranged yet: one timer
    /// per pool at most, so that a quiet process lets its connections go without a thread of its own.
    private func scheduleSweep(_ state: inout State) {
        let idleSeconds = configuration.poolIdleSeconds
        guard idleSeconds > 0, !state.sweepScheduled, let oldest = state.idle.first else { return }
        state.sweepScheduled = true
        let due = oldest.since + .seconds(idleSeconds) - ContinuousClock.now
        let delay = Double(due.components.seconds) + Double(due.components.attoseconds) * 1e-18 + 0.01
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0, delay)) { [weak self] in self?.sweep() }
    }

    private func sweep() {
        let expired = withState { state in
            state.sweepScheduled = false
            let expired = takeExpired(&state)
            scheduleSweep(&state)
            return expired
        }
        close(expired)
        if !expired.isEmpty { condition.broadcast() }
    }

    private func close(_ handles: [OpaquePointer]) {
        for handle in handles { PQfinish(handle) }
    }

    /// Whether an idle connection can be lent: libpq still has it open and outside a transaction, and the server
    /// has sent nothing since it was given back. An idle connection that listens to nothing hears from the server
    /// only when it is being closed (a termination, a shutdown, a restart), so anything to read, checked with a
    /// poll that does not wait, means the connection is not to be trusted.
    static func isFit(_ handle: OpaquePointer) -> Bool {
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

extension PostgreSQLConnectionPool.State {
    mutating func lend(to holder: PostgreSQLConnectionPool.Holder) {
        statistics.lent += 1
        holders[holder, default: 0] += 1
    }

    mutating func release(_ holder: PostgreSQLConnectionPool.Holder) {
        statistics.lent -= 1
        if let count = holders[holder], count > 1 { holders[holder] = count - 1 } else { holders[holder] = nil }
    }
}
