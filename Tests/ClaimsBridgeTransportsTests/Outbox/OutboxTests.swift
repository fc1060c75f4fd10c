import ClaimsBridge
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeTransports

@Suite("Outbox, on SQLite and PostgreSQL")
struct OutboxTests {
    let noJitter = RetryPolicy(maxAttempts: 3, initialDelaySeconds: 10, maxDelaySeconds: 100, jitter: 0)

    @Test(
        "Enqueue is idempotent on destination, key and bytes, and stores the payload", arguments: OutboxEngine.allCases)
    func idempotentEnqueue(_ engine: OutboxEngine) throws {
        let store = try engine.makeStore()
        let outbox = try Outbox(store: store)
        let first = try outbox.enqueue(destination: "a", payload: [1], metadata: ["fileName": "x"], idempotencyKey: "k")
        let again = try outbox.enqueue(destination: "a", payload: [1], idempotencyKey: "k")
        let other = try outbox.enqueue(destination: "b", payload: [3], idempotencyKey: "k")
        #expect(first == again && first != other)
        #expect(try outbox.payload(of: first) == [1])
        let record = try #require(try outbox.delivery(first))
        #expect(record.state == .pending && record.metadata == ["fileName": "x"] && record.payloadSize == 1)
        #expect(throws: OutboxError.self) { try outbox.enqueue(destination: "a", payload: [], idempotencyKey: "../x") }
    }

    @Test(
        "Retryable failures back off exponentially, then dead-letter after the last attempt",
        arguments: OutboxEngine.allCases)
    func backoffThenDead(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let outbox = try Outbox(store: store, retryPolicy: noJitter)
        let memory = InMemoryTransport()
        let down = TransportError(.connectionFailed, retryable: true, "refused")
        memory.failNext([down, down, down])
        let start = Date(timeIntervalSince1970: 1_000_000)
        let id = try outbox.enqueue(destination: "m", payload: [1], idempotencyKey: "k", now: start)
        var summary = try await outbox.deliverDue(transports: ["m": memory], now: start)
        #expect(summary.retrying == [id])
        #expect(try outbox.delivery(id)?.nextAttemptAt == start.addingTimeInterval(10))
        summary = try await outbox.deliverDue(transports: ["m": memory], now: start.addingTimeInterval(9))
        #expect(summary.attempted == 0)
        summary = try await outbox.deliverDue(transports: ["m": memory], now: start.addingTimeInterval(10))
        #expect(try outbox.delivery(id)?.nextAttemptAt == start.addingTimeInterval(30))
        summary = try await outbox.deliverDue(transports: ["m": memory], now: start.addingTimeInterval(30))
        #expect(summary.dead == [id])
        let record = try #require(try outbox.delivery(id))
        #expect(record.state == .dead && record.attempts == 3 && record.lastError?.contains("refused") == true)
    }

    @Test(
        "A permanent failure dead-letters at once; retry revives it; purge removes settled rows",
        arguments: OutboxEngine.allCases)
    func permanentRetryPurge(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let outbox = try Outbox(store: store, retryPolicy: noJitter)
        let memory = InMemoryTransport()
        memory.failNext([TransportError(.rejected, retryable: false, "400", statusCode: 400)])
        let id = try outbox.enqueue(destination: "m", payload: [1], idempotencyKey: "k")
        #expect(try await outbox.deliverDue(transports: ["m": memory]).dead == [id])
        #expect(try outbox.deliveries(in: .dead).map(\.id) == [id])
        #expect(try outbox.retry(id))
        #expect(try await outbox.deliverDue(transports: ["m": memory]).delivered == [id])
        #expect(try outbox.retry(id) == false)
        #expect(try outbox.purge(olderThan: Date().addingTimeInterval(-60)) == 0)
        #expect(try outbox.purge(olderThan: Date().addingTimeInterval(60)) == 1)
        #expect(try outbox.delivery(id) == nil)
    }

    @Test(
        "A delivery whose sender died is retried once its lease expires, not before", arguments: OutboxEngine.allCases)
    func leaseExpiry(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let start = Date(timeIntervalSince1970: 2_000_000)
        let id: DeliveryID
        do {
            let crashed = try Outbox(store: store, leaseSeconds: 60)
            id = try crashed.enqueue(destination: "m", payload: [7], idempotencyKey: "k", now: start)
            // Claimed, then the sender "dies": the outcome is never recorded.
            #expect(try crashed.claimDue(destinations: ["m"], now: start, limit: 1).count == 1)
        }
        let outbox = try Outbox(store: store, leaseSeconds: 60)
        #expect(try outbox.delivery(id)?.state == .inFlight)
        let memory = InMemoryTransport()
        #expect(
            try await outbox.deliverDue(transports: ["m": memory], now: start.addingTimeInterval(59)).attempted == 0)
        let summary = try await outbox.deliverDue(transports: ["m": memory], now: start.addingTimeInterval(60))
        #expect(summary.delivered == [id])
        #expect(memory.received == ["k": [7]])
        #expect(try outbox.delivery(id)?.attempts == 2)
    }

    @Test(
        "run() delivers what another connection enqueues, and returns when cancelled", arguments: OutboxEngine.allCases)
    func runLoop(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let memory = InMemoryTransport()
        let writer = try Outbox(store: store)
        let runner = Task {
            let outbox = try Outbox(store: store)
            try await outbox.run(transports: ["m": memory], pollIntervalSeconds: 0.05)
        }
        let id = try writer.enqueue(destination: "m", payload: [5], idempotencyKey: "late")
        // Generous: the whole suite shares two cores, and the runner's task may wait long for a free thread.
        let deadline = Date().addingTimeInterval(120)
        while try writer.delivery(id)?.state != .delivered && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        runner.cancel()
        try await runner.value
        #expect(try writer.delivery(id)?.state == .delivered)
        #expect(memory.received == ["late": [5]])
    }

    @Test("Jittered delays stay within the policy's bounds")
    func jitterBounds() {
        let policy = RetryPolicy(initialDelaySeconds: 4, maxDelaySeconds: 60, multiplier: 2, jitter: 0.5)
        for attempt in 1...10 {
            let base = min(60, 4 * Double(1 << (attempt - 1)))
            let delay = policy.delay(afterAttempt: attempt)
            #expect(delay >= base / 2 && delay <= base)
        }
    }
}
