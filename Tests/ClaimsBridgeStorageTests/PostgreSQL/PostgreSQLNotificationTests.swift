import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("PostgreSQL notifications")
struct PostgreSQLNotificationTests {
    @Test("A listener wakes on a committed notification, not on a rolled-back one, and times out otherwise")
    func wakes() throws {
        let testing = try PostgreSQLTesting()
        let listener = try testing.connect()
        try listener.listen(PostgreSQLDatabase.enqueuedChannel)
        let sender = try testing.connect()

        var started = Date()
        #expect(try listener.waitForNotification(timeout: 0.3).isEmpty)
        #expect(Date().timeIntervalSince(started) >= 0.25, "waited for the timeout")

        try? sender.transaction {
            try sender.execute("SELECT pg_notify($1, '')", [PostgreSQLDatabase.enqueuedChannel])
            throw CancellationError()
        }
        #expect(try listener.waitForNotification(timeout: 0.3).isEmpty, "a rolled-back notification is never sent")

        try sender.execute("SELECT pg_notify($1, '')", [PostgreSQLDatabase.enqueuedChannel])
        started = Date()
        #expect(try listener.waitForNotification(timeout: 5) == [PostgreSQLDatabase.enqueuedChannel])
        #expect(Date().timeIntervalSince(started) < 2)
    }
}
