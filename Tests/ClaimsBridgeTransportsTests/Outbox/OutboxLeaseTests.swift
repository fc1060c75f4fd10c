import ClaimsBridge
import ClaimsBridgeTestSupport
import Foundation
import Logging
import Testing

@testable import ClaimsBridgeTransports

/// A transport that holds every delivery whose key starts with `slow` until the test opens the gate (or a timeout
/// passes), and answers the others at once. Counts attempts per key.
final class GatedTransport: Transport, @unchecked Sendable {
    private let lock = NSLock()
    private var open = false
    private var attempts: [String: Int] = [:]
    private let holdSeconds: Double

    init(holdSeconds: Double = 30) { self.holdSeconds = holdSeconds }

    var endpointDescription: String { "gated" }
    func openGate() { lock.withLock { open = true } }
    var attemptsByKey: [String: Int] { lock.withLock { attempts } }

    func deliver(_ delivery: OutgoingDelivery) async throws(TransportError) -> DeliveryReceipt {
        lock.withLock { attempts[delivery.idempotencyKey, default: 0] += 1 }
        if delivery.idempotencyKey.hasPrefix("slow") {
            let deadline = Date().addingTimeInterval(holdSeconds)
            while !lock.withLock({ open }) && Date() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        }
        return DeliveryReceipt(location: "gated:\(delivery.idempotencyKey)")
    }
}

@Suite("Outbox leases and outcomes, on SQLite and PostgreSQL")
struct OutboxLeaseTests {

    /// Polls `condition` every 10 ms for up to `seconds`. Generous: the whole suite shares two cores and, under
    /// the sanitizers, tests that wait on child processes can hold the cooperative threads for a minute or more.
    func eventually(_ seconds: Double = 300, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try condition()
    }

    @Test(
        "Each outcome is recorded as soon as its delivery finishes, not after the whole run",
        arguments: OutboxEngine.allCases)
    func recordedAsCompleted(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let writer = try Outbox(store: store)
        let fast = try writer.enqueue(destination: "g", payload: [1], idempotencyKey: "fast")
        let slow = try writer.enqueue(destination: "g", payload: [2], idempotencyKey: "slow")
        let gated = GatedTransport()
        let run = Task { try await Outbox(store: store).deliverDue(transports: ["g": gated]) }
        // While `slow` is still being sent, `fast` is already delivered in the database (a SIGKILL now would not
        // lose it).
        let fastRecorded = try await eventually { try writer.delivery(fast)?.state == .delivered }
        let slowState = try writer.delivery(slow)?.state
        gated.openGate()
        let summary = try await run.value
        #expect(fastRecorded)
        #expect(slowState == .inFlight)
        #expect(Set(summary.delivered) == [fast, slow])
    }

    @Test("A delivery is claimed only when a slot is free to send it", arguments: OutboxEngine.allCases)
    func claimsPerSlot(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let writer = try Outbox(store: store)
        for index in 0..<10 { try writer.enqueue(destination: "g", payload: [1], idempotencyKey: "slow-\(index)") }
        let gated = GatedTransport()
        let run = Task { try await Outbox(store: store).deliverDue(transports: ["g": gated], concurrency: 2) }
        let sending = try await eventually { gated.attemptsByKey.count == 2 }
        try await Task.sleep(for: .milliseconds(200))
        let inFlight = try writer.counts()[.inFlight]
        gated.openGate()
        let summary = try await run.value
        #expect(sending)
        #expect(inFlight == 2, "only the deliveries being sent are claimed; the rest stay pending for other senders")
        #expect(summary.delivered.count == 10)
    }

    @Test(
        "A run sends each delivery at most once, even when a failure makes it due again at once",
        arguments: OutboxEngine.allCases)
    func oncePerRun(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let outbox = try Outbox(store: store, retryPolicy: RetryPolicy(maxAttempts: 5, initialDelaySeconds: 0))
        let memory = InMemoryTransport()
        memory.failNext([
            TransportError(.serverError, retryable: true, "503"), TransportError(.serverError, retryable: true, "503"),
        ])
        let id = try outbox.enqueue(destination: "m", payload: [1], idempotencyKey: "k")
        #expect(try await outbox.deliverDue(transports: ["m": memory]).retrying == [id])
        #expect(memory.attemptCount == 1)
        #expect(try await outbox.deliverDue(transports: ["m": memory]).retrying == [id])
        #expect(try await outbox.deliverDue(transports: ["m": memory]).delivered == [id])
        #expect(memory.attemptCount == 3)
    }

    @Test(
        "Leases are renewed while a delivery is sent, so a second sender does not take it over",
        arguments: OutboxEngine.allCases)
    func renewedWhileSending(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let writer = try Outbox(store: store, leaseSeconds: 1)
        let id = try writer.enqueue(destination: "g", payload: [1], idempotencyKey: "slow")
        let gated = GatedTransport(holdSeconds: 2.5)
        let first = Task { try await Outbox(store: store, leaseSeconds: 1).deliverDue(transports: ["g": gated]) }
        #expect(try await eventually { gated.attemptsByKey["slow"] == 1 })
        // Well past the first lease: the second sender finds nothing due.
        let second = try Outbox(store: store, leaseSeconds: 1)
        var takenOver = 0
        for _ in 0..<4 {
            try await Task.sleep(for: .milliseconds(500))
            takenOver += try await second.deliverDue(transports: ["g": gated]).attempted
        }
        let summary = try await first.value
        #expect(takenOver == 0)
        #expect(gated.attemptsByKey["slow"] == 1)
        #expect(summary.delivered == [id])
        #expect(try writer.delivery(id)?.attempts == 1)
    }

    @Test(
        "An outcome is not counted when another sender holds the delivery now (its token differs)",
        arguments: OutboxEngine.allCases)
    func fencedOutcome(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let start = Date(timeIntervalSince1970: 3_000_000)
        let stale = try Outbox(store: store, leaseSeconds: 60)
        let id = try stale.enqueue(destination: "m", payload: [1], idempotencyKey: "k", now: start)
        let staleClaim = try #require(try stale.claimDue(destinations: ["m"], now: start, limit: 1).first)
        // The stale sender stalls past its lease; another sender claims the delivery.
        let current = try Outbox(store: store, leaseSeconds: 60)
        let currentClaim = try #require(
            try current.claimDue(destinations: ["m"], now: start.addingTimeInterval(61), limit: 1).first)
        #expect(staleClaim.token != currentClaim.token)
        var summary = DeliveryRunSummary()
        try stale.record(staleClaim, .success(DeliveryReceipt(location: "x")), into: &summary)
        #expect(summary.delivered.isEmpty)
        #expect(summary.lostLease == [id])
        #expect(try current.delivery(id)?.state == .inFlight)
        #expect(try current.renew([staleClaim], at: start.addingTimeInterval(62)).isEmpty)
        #expect(try current.renew([currentClaim], at: start.addingTimeInterval(62)).count == 1)
        try current.record(currentClaim, .success(DeliveryReceipt(location: "y")), into: &summary)
        #expect(summary.delivered == [id])
        #expect(try current.delivery(id)?.receipt?.location == "y")
    }

    @Test(
        "A delivery going dead is logged as an error with destination, key, attempts and reason",
        arguments: OutboxEngine.allCases)
    func deadIsAnError(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore()
        let (logger, record) = RecordingLogHandler.logger()
        let outbox = try Outbox(store: store, retryPolicy: RetryPolicy(maxAttempts: 1), logger: logger)
        let memory = InMemoryTransport()
        memory.failNext([TransportError(.rejected, retryable: false, "https://h/x answered 400", statusCode: 400)])
        let id = try outbox.enqueue(destination: "m", payload: Array("Jane Doe".utf8), idempotencyKey: "claim-9")
        #expect(try await outbox.deliverDue(transports: ["m": memory]).dead == [id])
        let dead = try #require(record.entries.first { $0.message.contains("dead") })
        #expect(dead.level >= .warning)
        #expect(dead.metadata["delivery.destination"] == "m")
        #expect(dead.metadata["delivery.key"] == "claim-9")
        #expect(dead.metadata["delivery.attempt"] == "1")
        #expect(dead.metadata["error.reason"]?.description.contains("400") == true)
        #expect(!record.entries.contains { "\($0.message) \($0.metadata)".contains("Jane") })
    }

    @Test(
        "The same key with other bytes is a conflict naming both digests; the same bytes are idempotent",
        arguments: OutboxEngine.allCases)
    func keyConflict(_ engine: OutboxEngine) throws {
        let store = try engine.makeStore()
        let outbox = try Outbox(store: store)
        let id = try outbox.enqueue(destination: "a", payload: Array("one".utf8), idempotencyKey: "K")
        #expect(try outbox.enqueue(destination: "a", payload: Array("one".utf8), idempotencyKey: "K") == id)
        let error = #expect(throws: OutboxError.self) {
            try outbox.enqueue(destination: "a", payload: Array("two".utf8), idempotencyKey: "K")
        }
        #expect(error?.code == .keyConflict)
        let stored = PayloadDigest.label(Array("one".utf8))
        let new = PayloadDigest.label(Array("two".utf8))
        #expect(error?.reason.contains("key K") == true)
        #expect(error?.reason.contains("stored \(stored), new \(new)") == true)
        #expect(try outbox.payload(of: id) == Array("one".utf8))
        let kept = try outbox.enqueue(
            destination: "a", payload: Array("two".utf8), idempotencyKey: "K", ifPayloadDiffers: .keepStored)
        #expect(kept == id)
    }
}
