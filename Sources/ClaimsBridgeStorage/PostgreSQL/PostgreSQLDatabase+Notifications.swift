internal import CPostgreSQL
import Foundation

extension PostgreSQLDatabase {
    /// The channel the PostgreSQL outbox notifies when it records a new delivery (the payload is empty: no value of
    /// the delivery travels with it).
    public static let enqueuedChannel = "claimsbridge_outbox_enqueued"
    /// The channel the PostgreSQL outbox notifies when it records an outcome (delivered, failed, dead): the payload
    /// is the delivery's row number, and nothing else of it.
    public static let settledChannel = "claimsbridge_outbox_settled"

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
        try waitForNotices(timeout: timeout).map(\.channel)
    }

    /// Waits as ``waitForNotification(timeout:)`` does, and returns the notifications with their payloads.
    public func waitForNotices(timeout: Double) throws(PostgreSQLError) -> [PostgreSQLNotification] {
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

    private func takeNotifications(_ connection: OpaquePointer) -> [PostgreSQLNotification] {
        var notices: [PostgreSQLNotification] = []
        while let notification = PQnotifies(connection) {
            notices.append(
                PostgreSQLNotification(
                    channel: String(cString: notification.pointee.relname),
                    payload: String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return notices
    }

    private func lost() -> PostgreSQLError {
        markBroken()
        return PostgreSQLError(
            .connectionLost, retryable: true, "the connection to \(configuration.location) broke while waiting")
    }
}

/// One notification heard on a channel: its name and the payload it was sent with (often empty).
public struct PostgreSQLNotification: Sendable, Hashable {
    public let channel: String
    public let payload: String

    public init(channel: String, payload: String) {
        self.channel = channel
        self.payload = payload
    }
}
