import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeTransports

@Suite("PostgreSQL outbox notifications")
struct OutboxNotificationTests {
    @Test("Recording a new delivery notifies listeners; enqueueing the same key again does not")
    func enqueueNotifies() throws {
        let configuration = try PostgreSQLTestServer.shared().newDatabase()
        let outbox = try Outbox(store: .postgreSQL(configuration))
        let listener = try PostgreSQLDatabase(configuration: configuration)
        try listener.listen(PostgreSQLDatabase.enqueuedChannel)
        _ = try outbox.enqueue(destination: "carrier", payload: [1], idempotencyKey: "k1")
        #expect(try listener.waitForNotification(timeout: 5) == [PostgreSQLDatabase.enqueuedChannel])
        _ = try outbox.enqueue(destination: "carrier", payload: [1], idempotencyKey: "k1")
        #expect(try listener.waitForNotification(timeout: 0.3).isEmpty)
        #expect(try outbox.counts()[.pending] == 1)
    }

    @Test("Recording an outcome notifies the settled channel with the row's number, at commit")
    func outcomeNotifies() async throws {
        let configuration = try PostgreSQLTestServer.shared().newDatabase()
        let outbox = try Outbox(store: .postgreSQL(configuration))
        let id = try outbox.enqueue(destination: "carrier", payload: [1], idempotencyKey: "k1")
        let listener = try PostgreSQLDatabase(configuration: configuration)
        try listener.listen(PostgreSQLDatabase.settledChannel)
        #expect(try listener.waitForNotices(timeout: 0.3).isEmpty, "enqueueing is not an outcome")
        let summary = try await outbox.deliverDue(transports: ["carrier": InMemoryTransport()])
        #expect(summary.delivered.count == 1)
        #expect(
            try listener.waitForNotices(timeout: 5)
                == [PostgreSQLNotification(channel: PostgreSQLDatabase.settledChannel, payload: String(id.rawValue))])
    }
}
