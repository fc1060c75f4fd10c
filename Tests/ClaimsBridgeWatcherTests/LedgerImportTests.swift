import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

@Suite("Ledger import into PostgreSQL")
struct LedgerImportTests {
    @Test(
        "Refused while a watcher holds the state folder; a pending event stays pending, a wrapped counter goes on after its limit"
    )
    func pendingEventsAndLock() throws {
        let state = NSTemporaryDirectory() + "ledger-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let ledger = try Ledger(path: state + "/ledger.sqlite")
        try ledger.applyStateUpdate(
            StateUpdate(kind: .labOrder, key: "ORD-1", to: "submitted", source: "lab-order:ORD-1:sent", occurredAt: 1))
        #expect(try ledger.nextSequenceNumber(scope: "A02/0009", limit: 999_999) == 1)
        #expect(try ledger.nextSequenceNumber(scope: "A02/0009", limit: 999_999) == 2)
        for expected in [1, 2, 3, 1] {
            #expect(try ledger.nextSequenceNumber(scope: "A09/0009/000125", limit: 3) == expected)
        }
        let store = try PostgreSQLTestServer.shared().newDatabase()

        let held = open(state + "/watch.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(flock(held, LOCK_EX) == 0)
        let refused = #expect(throws: WatchError.self) { try LedgerImport(stateDirectory: state).run(into: store) }
        #expect(refused?.description.contains("a watcher is working in the state folder") == true)
        close(held)

        let summary = try LedgerImport(stateDirectory: state).run(into: store)
        #expect(summary.pendingEvents == 1)
        #expect(summary.counters.map(\.scope) == ["A02/0009", "A09/0009/000125"])
        let imported = try Ledger(location: .postgreSQL(store))
        #expect(try imported.pendingStatusEvents().count == 1, "not handed to the outbox yet: still pending")
        #expect(try imported.trackedState(kind: .labOrder, key: "ORD-1")?.state == "submitted")
        #expect(try imported.nextSequenceNumber(scope: "A02/0009", limit: 999_999) == 3)
        // The counter had started again at 1: the store goes on from there too.
        #expect(try imported.nextSequenceNumber(scope: "A09/0009/000125", limit: 3) == 2)
    }
}
