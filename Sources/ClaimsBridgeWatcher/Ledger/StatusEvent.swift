import ClaimsBridge
import ClaimsBridgeStorage
import Foundation

/// A state change told to the practice platform: `claim.acknowledged`, `claim.adjudicated`, `claim.rejected`,
/// `labOrder.statusChanged`, … Its JSON names the claim or order by office sequence number, carrier and provider,
/// or order id; it never holds personal data.
public struct StatusEvent: Sendable, Equatable {
    /// The ledger's number for the event.
    public var id: Int64 = 0
    public var type: String
    /// The JSON document delivered.
    public var payload: [UInt8]
    /// The outbox delivery it was handed to, once it was.
    public var outboxID: Int64?

    /// The event of an applied transition.
    init(transition: StateTransition, subject: [String: String]) {
        type = transition.kind == .claim ? "claim.\(transition.to)" : "labOrder.statusChanged"
        let body = Body(
            id: "ledger-transition-\(transition.id)", type: type, occurredAt: Self.timestamp(transition.occurredAt),
            recordedAt: Self.timestamp(transition.recordedAt), kind: transition.kind.rawValue, key: transition.key,
            subject: subject, from: transition.from, to: transition.to)
        payload = Self.encode(body)
    }

    /// The payload of an event whose transition was renumbered `transitionID` and whose claim key became
    /// `key(old)`, as a ledger moved into a store that already has rows numbers them; the payload unchanged when it
    /// is not an event's JSON.
    static func renumbered(_ payload: [UInt8], transitionID: Int64, key: (String) -> String) -> [UInt8] {
        guard var body = try? JSONDecoder().decode(Body.self, from: Data(payload)) else { return payload }
        body.id = "ledger-transition-\(transitionID)"
        if body.kind == TrackedKind.claim.rawValue { body.key = key(body.key) }
        return encode(body)
    }

    private static func encode(_ body: Body) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(body)) ?? Data())
    }

    init(id: Int64, type: String, payload: [UInt8], outboxID: Int64?) {
        self.id = id
        self.type = type
        self.payload = payload
        self.outboxID = outboxID
    }

    /// The idempotency key of its delivery: the same event is never delivered under two keys.
    public var idempotencyKey: String { "status-event-\(id)" }

    private struct Body: Codable {
        var id, type, occurredAt, recordedAt, kind, key: String
        var subject: [String: String]
        var from: String?
        var to: String
    }

    private static func timestamp(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

extension Ledger {
    /// Status events not yet handed to the outbox, oldest first.
    public func pendingStatusEvents(limit: Int = 500) throws -> [StatusEvent] {
        try database.prepare(
            "SELECT id, type, payload, outbox_id FROM status_events WHERE outbox_id IS NULL ORDER BY id LIMIT ?"
        ).query([.integer(Int64(limit))]) {
            StatusEvent(id: $0.int64(0), type: $0.text(1) ?? "", payload: $0.blob(2), outboxID: nil)
        }
    }

    /// Status events not yet handed to the outbox, oldest first, each with the outbox delivery of the latest event of
    /// the same claim or order already handed over (nil when there is none).
    func pendingStatusEventsWithPredecessor(limit: Int = 5000) throws -> [(event: StatusEvent, subject: String, previous: Int64?)] {
        try database.prepare(
            """
            SELECT e.id, e.type, e.payload, t.kind || ':' || t.key,
                (SELECT p.outbox_id FROM status_events p JOIN state_transitions pt ON pt.id = p.transition_id
                 WHERE pt.kind = t.kind AND pt.key = t.key AND p.outbox_id IS NOT NULL AND p.id < e.id
                 ORDER BY p.id DESC LIMIT 1)
            FROM status_events e JOIN state_transitions t ON t.id = e.transition_id
            WHERE e.outbox_id IS NULL ORDER BY e.id LIMIT ?
            """
        ).query([.integer(Int64(limit))]) {
            (
                StatusEvent(id: $0.int64(0), type: $0.text(1) ?? "", payload: $0.blob(2), outboxID: nil), $0.text(3) ?? "",
                $0.isNull(4) ? nil : $0.int64(4)
            )
        }
    }

    /// Records that an event was handed to the outbox as delivery `outboxID`.
    public func markStatusEventQueued(_ id: Int64, outboxID: Int64) throws {
        try database.prepare("UPDATE status_events SET outbox_id = ? WHERE id = ?").run([
            .integer(outboxID), .integer(id),
        ])
    }

    /// Every status event of a claim or order, oldest first.
    public func statusEvents(kind: TrackedKind, key: String) throws -> [StatusEvent] {
        try database.prepare(
            """
            SELECT e.id, e.type, e.payload, e.outbox_id FROM status_events e
            JOIN state_transitions t ON t.id = e.transition_id WHERE t.kind = ? AND t.key = ? ORDER BY e.id
            """
        ).query([.text(kind.rawValue), .text(key)]) {
            StatusEvent(id: $0.int64(0), type: $0.text(1) ?? "", payload: $0.blob(2), outboxID: $0.isNull(3) ? nil : $0.int64(3))
        }
    }

    /// Status events after event `afterID`, oldest first, optionally only of one type (`claim.paid`).
    public func statusEvents(after afterID: Int64 = 0, type: String? = nil, limit: Int = 1000) throws -> [StatusEvent] {
        try database.prepare(
            """
            SELECT id, type, payload, outbox_id FROM status_events WHERE id > ? AND (CAST(? AS TEXT) IS NULL OR type = ?)
            ORDER BY id LIMIT ?
            """
        ).query([.integer(afterID), type.map { .text($0) } ?? .null, type.map { .text($0) } ?? .null, .integer(Int64(limit))]) {
            StatusEvent(id: $0.int64(0), type: $0.text(1) ?? "", payload: $0.blob(2), outboxID: $0.isNull(3) ? nil : $0.int64(3))
        }
    }
}
