import ClaimsBridge
import ClaimsBridgeTransports
import Foundation

extension Watcher {
    /// Hands the ledger's new status events to the outbox for the `statusEvents:` destination, in order per claim or
    /// lab order: an event is handed over only once the previous event of its claim or order is delivered (or given
    /// up), so that a retry of one cannot arrive after the next. Each event is queued under its own idempotency key
    /// before it is marked as handed over, so a crash in between queues it once, not twice. Called by the intake and
    /// by the delivery loop (which sees deliveries settle).
    /// - Returns: how many events were queued.
    func publishStatusEvents(ledger: Ledger, outbox: Outbox) throws -> Int {
        guard let destination = configuration.statusEventsDestination else { return 0 }
        var queued = 0
        var waiting: Set<String> = []
        var settled: [Int64: Bool] = [:]
        for (event, subject, previous) in try ledger.pendingStatusEventsWithPredecessor() {
            guard !waiting.contains(subject) else { continue }
            if let previous {
                let done = try settled[previous] ?? {
                    let state = try outbox.delivery(DeliveryID(previous))?.state
                    return state == nil || state == .delivered || state == .dead
                }()
                settled[previous] = done
                guard done else {
                    waiting.insert(subject)
                    continue
                }
            }
            let id = try outbox.enqueue(
                destination: destination, payload: event.payload,
                metadata: [OutgoingDelivery.fileNameKey: "\(event.idempotencyKey).json", "eventType": event.type],
                idempotencyKey: event.idempotencyKey, ifPayloadDiffers: .keepStored)
            try ledger.markStatusEventQueued(event.id, outboxID: id.rawValue)
            queued += 1
            // The next event of this claim waits for this one.
            waiting.insert(subject)
        }
        return queued
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
        let ledger = try Ledger(location: ledgerLocation, permissions: configuration.statePermissions)
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
