import ClaimsBridge
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeTransports

/// Several workers, each with its own connection, sharing one outbox.
@Suite("Outbox shared by several workers, on SQLite and PostgreSQL")
struct OutboxSharingTests {
    @Test("Workers claiming at the same moment never take the same delivery", arguments: OutboxEngine.allCases)
    func exclusiveClaims(_ engine: OutboxEngine) throws {
        let store = try engine.makeStore()
        let start = Date(timeIntervalSince1970: 4_000_000)
        let writer = try Outbox(store: store)
        let ids = try (0..<200).map {
            try writer.enqueue(destination: "m", payload: [UInt8($0 % 256)], idempotencyKey: "k\($0)", now: start)
        }
        let claimed = try onThreads(4) { _ in
            let worker = try Outbox(store: store, leaseSeconds: 600)
            var mine: [DeliveryID] = []
            while true {
                let batch = try worker.claimDue(destinations: ["m"], now: start, limit: 7)
                if batch.isEmpty { return mine }
                mine += batch.map(\.id)
            }
        }
        let all = claimed.flatMap { $0 }
        #expect(all.count == ids.count, "every delivery claimed once: \(all.count) claims for \(ids.count) rows")
        #expect(Set(all) == Set(ids))
        #expect(try writer.counts()[.inFlight] == ids.count)
    }

    @Test(
        "Workers delivering from one outbox at once send each delivery exactly once", arguments: OutboxEngine.allCases)
    func competingRuns(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let writer = try Outbox(store: store)
        for index in 0..<120 { try writer.enqueue(destination: "g", payload: [1], idempotencyKey: "k\(index)") }
        let counting = GatedTransport()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let worker = try Outbox(store: store)
                    var delivered = 0
                    while true {
                        let summary = try await worker.deliverDue(
                            transports: ["g": counting], limit: 10, concurrency: 3)
                        if summary.attempted == 0 { return delivered }
                        delivered += summary.delivered.count
                    }
                }
            }
            var total = 0
            for try await delivered in group { total += delivered }
            #expect(total == 120)
        }
        #expect(counting.attemptsByKey.count == 120)
        #expect(counting.attemptsByKey.values.allSatisfy { $0 == 1 }, "a key was sent twice")
        #expect(try writer.counts()[.delivered] == 120)
    }

    @Test(
        "Once another worker has taken a delivery over, the first worker's outcome never counts, whatever it is",
        arguments: OutboxEngine.allCases)
    func staleOutcomesAreFenced(_ engine: OutboxEngine) throws {
        let store = try engine.makeStore()
        let start = Date(timeIntervalSince1970: 5_000_000)
        let stale = try Outbox(store: store, retryPolicy: RetryPolicy(maxAttempts: 1), leaseSeconds: 30)
        let id = try stale.enqueue(destination: "m", payload: [1], idempotencyKey: "k", now: start)
        let staleClaim = try #require(try stale.claimDue(destinations: ["m"], now: start, limit: 1).first)
        // Not yet expired: nobody else can take it.
        let current = try Outbox(store: store, leaseSeconds: 30)
        #expect(try current.claimDue(destinations: ["m"], now: start.addingTimeInterval(29), limit: 1).isEmpty)
        let currentClaim = try #require(
            try current.claimDue(destinations: ["m"], now: start.addingTimeInterval(31), limit: 1).first)
        var summary = DeliveryRunSummary()
        // A permanent failure from the stale worker would make the delivery dead: it is not recorded.
        try stale.record(
            staleClaim, .failure(TransportError(.rejected, retryable: false, "400", statusCode: 400)), into: &summary)
        #expect(summary.lostLease == [id] && summary.dead.isEmpty)
        #expect(try current.delivery(id)?.state == .inFlight)
        try current.record(currentClaim, .success(DeliveryReceipt(location: "current")), into: &summary)
        // Coming back after the current worker settled it changes nothing either.
        try stale.record(staleClaim, .success(DeliveryReceipt(location: "stale")), into: &summary)
        #expect(summary.lostLease == [id, id] && summary.delivered == [id])
        let record = try #require(try current.delivery(id))
        #expect(record.state == .delivered && record.receipt?.location == "current" && record.attempts == 2)
        #expect(try stale.renew([staleClaim], at: start.addingTimeInterval(40)).isEmpty)
        #expect(try current.delivery(id)?.nextAttemptAt == nil)
    }
}
