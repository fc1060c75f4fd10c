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
}
