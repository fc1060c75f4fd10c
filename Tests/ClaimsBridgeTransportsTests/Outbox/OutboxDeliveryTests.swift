import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Testing

/// The outbox against a real HTTPS receiver: scripted failures, a receiver that is down and comes back.
@Suite("Outbox over HTTPS", .enabled(if: Tool.serversAvailable, "needs openssl and python3"))
struct OutboxDeliveryTests {
    let pki: TestPKI
    let outbox: Outbox

    init() throws {
        pki = try TestPKI.shared.get()
        outbox = try Outbox(
            path: try makeScratchFolder("outbox") + "/outbox.sqlite",
            retryPolicy: RetryPolicy(maxAttempts: 5, initialDelaySeconds: 1, jitter: 0))
    }

    func transport(_ url: String) throws -> HTTPSTransport {
        try HTTPSTransport(url: url, tls: TLSOptions(caBundle: pki.caCertificate), connectTimeoutSeconds: 2)
    }

    @Test("500 then 200: retried to success, and the receiver accepted the key once")
    func retriedToSuccess() async throws {
        let receiver = try HTTPSReceiver(pki: pki, script: [500, 200])
        let id = try outbox.enqueue(destination: "r", payload: Array("{}".utf8), idempotencyKey: "claim-1")
        let transports = ["r": try transport(receiver.url())]
        #expect(try await outbox.deliverDue(transports: transports).retrying == [id])
        #expect(try outbox.delivery(id)?.lastError?.contains("500") == true)
        let later = Date().addingTimeInterval(5)
        #expect(try await outbox.deliverDue(transports: transports, now: later).delivered == [id])
        let record = try #require(try outbox.delivery(id))
        #expect(record.state == .delivered && record.attempts == 2 && record.receipt?.statusCode == 200)
        #expect(try receiver.requests().map(\.status) == [500, 200])
        #expect(try receiver.acceptedKeys() == ["claim-1"])
    }

    @Test("A 503 or 429 with Retry-After waits at least that long before the next attempt", arguments: [503, 429])
    func retryAfterIsHonoured(_ status: Int) async throws {
        let receiver = try HTTPSReceiver(pki: pki, script: [status, 200], retryAfter: "120")
        let id = try outbox.enqueue(destination: "r", payload: Array("{}".utf8), idempotencyKey: "claim-1")
        let transports = ["r": try transport(receiver.url())]
        let now = Date()
        #expect(try await outbox.deliverDue(transports: transports, now: now).retrying == [id])
        // The policy alone would try again after 1 s; the server asked for 120.
        let next = try #require(try outbox.delivery(id)?.nextAttemptAt)
        #expect(next.timeIntervalSince(now) >= 119, "\(next.timeIntervalSince(now))")
        #expect(try await outbox.deliverDue(transports: transports, now: now.addingTimeInterval(60)).attempted == 0)
        #expect(try await outbox.deliverDue(transports: transports, now: now.addingTimeInterval(125)).delivered == [id])
    }

    @Test("400 is dead-lettered at once with the status in the last error")
    func deadLettered() async throws {
        let receiver = try HTTPSReceiver(pki: pki, script: [400])
        let id = try outbox.enqueue(destination: "r", payload: [1], idempotencyKey: "claim-2")
        #expect(try await outbox.deliverDue(transports: ["r": try transport(receiver.url())]).dead == [id])
        let record = try #require(try outbox.delivery(id))
        #expect(record.state == .dead && record.attempts == 1 && record.lastError?.contains("400") == true)
    }

    @Test("A receiver that is down, then up on the same port, gets the delivery")
    func downThenUp() async throws {
        let port = freePort()
        let url = "https://127.0.0.1:\(port)/inbox"
        let id = try outbox.enqueue(destination: "r", payload: [1], idempotencyKey: "claim-3")
        #expect(try await outbox.deliverDue(transports: ["r": try transport(url)]).retrying == [id])
        #expect(try outbox.delivery(id)?.lastError?.contains("connectionFailed") == true)
        let receiver = try HTTPSReceiver(pki: pki, port: port)
        let later = Date().addingTimeInterval(5)
        #expect(try await outbox.deliverDue(transports: ["r": try transport(url)], now: later).delivered == [id])
        #expect(try receiver.acceptedKeys() == ["claim-3"])
    }
}
