internal import CPostgreSQL
import Foundation

extension PostgreSQLDatabase {
    /// The channel the PostgreSQL outbox notifies when it records a new delivery (the payload is empty: no value of
    /// the delivery travels with it).
    public static let enqueuedChannel = "claimsbridge_outbox_enqueued"

    /// Subscribes this connection to `channel` (a fixed name of ours, never a value). Use a connection of its own:
    /// ``waitForNotification(timeout:)`` blocks it.
    public func listen(_ channel: String) throws(PostgreSQLError) {
        precondition(channel.allSatisfy { $0.isLetter || $0 == "_" }, "a channel is a fixed name")
        try executeScript("LISTEN \(channel)")
        listening.insert(channel)
    }

    /// Waits up to `timeout` seconds for a notification on a channel this connection listens to.
    /// - Returns: the channels notified (empty after the timeout). After a lost connection the next call opens a
    ///   new one and listens again; a notification sent in between is lost, which is why callers still poll.
    /// - Throws: ``PostgreSQLError`` (`connectionLost`, retryable) when the connection broke while waiting.
    public func waitForNotification(timeout: Double) throws(PostgreSQLError) -> [String] {
        if isBroken {
            for channel in listening { try executeScript("LISTEN \(channel)") }
        }
        guard let connection = currentConnection else { return [] }
        var channels = takeNotifications(connection)
        guard channels.isEmpty else { return channels }
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { throw lost() }
        let ready = poll(&descriptor, 1, Int32(max(0, timeout) * 1000))
        guard ready > 0 else { return [] }
        guard PQconsumeInput(connection) == 1 else { throw lost() }
        channels = takeNotifications(connection)
        return channels
    }

    private func takeNotifications(_ connection: OpaquePointer) -> [String] {
        var channels: [String] = []
        while let notification = PQnotifies(connection) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }

    private func lost() -> PostgreSQLError {
        markBroken()
        return PostgreSQLError(
            .connectionLost, retryable: true, "the connection to \(configuration.location) broke while waiting")
    }
}
