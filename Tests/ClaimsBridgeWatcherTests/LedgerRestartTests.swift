import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

/// A worker holds its ledger for as long as it runs (the watcher's intake and delivery loops do): a restart of the
/// PostgreSQL server must not stop it.
@Suite("Ledger across a PostgreSQL restart")
struct LedgerRestartTests {
    static func update(_ to: ClaimState, at time: Double) -> StateUpdate {
        StateUpdate(kind: .claim, key: "message-1", to: to.rawValue, source: "message-1:\(to.rawValue)", occurredAt: time)
    }

    /// Stops the server at once (every connection dropped) and starts it again on another thread after `seconds`.
    static func restart(_ server: PostgreSQLTestServer, after seconds: Double) throws {
        try server.stop(immediate: true)
        Thread {
            Thread.sleep(forTimeInterval: seconds)
            try? server.start()
        }.start()
    }

    @Test("A ledger held across a restart carries on: after it, and during it (statements and transactions wait)")
    func heldAcrossRestart() throws {
        // A server of the test's own: it is stopped and started.
        let server = try PostgreSQLTestServer()
        defer { server.destroy() }
        let ledger = try Ledger(location: .postgreSQL(try server.newDatabase()))
        #expect(try ledger.applyStateUpdate(Self.update(.submitted, at: 1)).outcome == .applied)

        // Restarted between two statements: the connection the ledger holds was closed by the server.
        try server.stop(immediate: true)
        try server.start()
        let pending = try ledger.pendingStatusEvents()
        #expect(pending.map(\.type) == ["claim.submitted"])

        // Down when a statement is made: it waits for the server.
        try Self.restart(server, after: 1)
        try ledger.markStatusEventQueued(pending[0].id, outboxID: 1)
        #expect(try ledger.pendingStatusEvents().isEmpty)

        // Down when a transaction begins: it waits too, and runs once.
        try Self.restart(server, after: 1)
        #expect(try ledger.applyStateUpdate(Self.update(.acknowledged, at: 2)).outcome == .applied)
        #expect(try ledger.trackedState(kind: .claim, key: "message-1")?.state == "acknowledged")
        #expect(try ledger.pendingStatusEvents().map(\.type) == ["claim.acknowledged"])
    }

    @Test("A query whose connection the server closes while it runs is run again on a new connection")
    func queryLostWhileRunning() throws {
        let configuration = try PostgreSQLTestServer.shared().newDatabase()
        let ledger = try Ledger(location: .postgreSQL(configuration))
        func backend() throws -> Int { try ledger.database.prepare("SELECT pg_backend_pid()").query { $0.int(0) }[0] }
        let pid = try backend()
        Thread {
            // Once the query runs, the server ends its backend.
            guard let observer = try? PostgreSQLDatabase(configuration: configuration) else { return }
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline,
                (try? observer.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [String(pid)]).rows.isEmpty)
                    ?? true
            {
                usleep(10_000)
            }
            _ = try? observer.execute("SELECT pg_terminate_backend($1)", [String(pid)])
        }.start()
        #expect(try ledger.database.prepare("SELECT 7 FROM pg_sleep(1)").query { $0.int(0) } == [7])
        #expect(try backend() != pid, "on a new connection")
    }
}
