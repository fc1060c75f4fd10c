import ClaimsBridge
import ClaimsBridgeTransports
import Foundation

extension Watcher {
    /// Hands the ledger's new status events to the outbox for the `statusEvents:` destination. Each event is
    /// queued under its own idempotency key before it is marked as handed over, so a crash in between queues it
    /// once, not twice.
    /// - Returns: how many events were queued.
    func publishStatusEvents(ledger: Ledger, outbox: Outbox) throws -> Int {
        guard let destination = configuration.statusEventsDestination else { return 0 }
        var queued = 0
        while true {
            let events = try ledger.pendingStatusEvents(limit: 500)
            if events.isEmpty { return queued }
            for event in events {
                let id = try outbox.enqueue(
                    destination: destination, payload: event.payload,
                    metadata: [OutgoingDelivery.fileNameKey: "\(event.idempotencyKey).json", "eventType": event.type],
                    idempotencyKey: event.idempotencyKey, ifPayloadDiffers: .keepStored)
                try ledger.markStatusEventQueued(event.id, outboxID: id.rawValue)
                queued += 1
            }
        }
    }

    /// Queues status events again for the `statusEvents:` destination, under new idempotency keys
    /// (`status-event-N-replay-T`); the event itself, and its `id`, are unchanged, so a receiver that keeps the
    /// ids it has seen can tell a replay from a new event. The running watcher (or `outbox` commands) delivers them.
    /// - Returns: the outbox delivery of each event, in order.
    /// - Throws: ``WatchError`` when the routes file has no `statusEvents:` or an id is not a recorded event.
    public func replayStatusEvents(ids: [Int64]) throws -> [(event: Int64, delivery: Int64)] {
        guard let destination = configuration.statusEventsDestination else {
            throw WatchError("the routes file has no `statusEvents:` destination to send events to")
        }
        let ledger = try Ledger(path: ledgerPath, permissions: configuration.statePermissions)
        let outbox = try openOutbox()
        let stamp = Int64(clock().timeIntervalSince1970 * 1000)
        var queued: [(event: Int64, delivery: Int64)] = []
        for id in ids {
            guard let event = try ledger.statusEvents(after: id - 1, limit: 1).first, event.id == id else {
                throw WatchError("there is no status event \(id)")
            }
            let key = "\(event.idempotencyKey)-replay-\(stamp)"
            let delivery = try outbox.enqueue(
                destination: destination, payload: event.payload,
                metadata: [OutgoingDelivery.fileNameKey: "\(key).json", "eventType": event.type], idempotencyKey: key,
                ifPayloadDiffers: .keepStored)
            queued.append((id, delivery.rawValue))
        }
        return queued
    }
}
