import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

/// Status events to the practice platform's webhook: signed (Standard Webhooks), under their key, with a stable
/// event id, once per key, in order per claim, through a real HTTPS receiver that checks the signatures itself.
@Suite("Status events over a webhook", .enabled(if: Tool.serversAvailable, "needs openssl and python3"))
struct StatusEventWebhookTests {
    static let secret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()

    @Test(
        "Each event reaches the webhook signed, once per key, with a stable id, in order per claim; a failed POST is sent again unchanged",
        arguments: StorageEngine.allCases)
    func delivered(_ engine: StorageEngine) async throws {
        let pki = try TestPKI.shared.get()
        // The first POST fails: it is retried with the same key and body, and still before its claim's next event.
        let receiver = try HTTPSReceiver(pki: pki, script: [500, 200], webhookSecret: Self.secret)
        defer { receiver.stop() }
        let root = try makeScratchFolder("events-webhook")
        try (Self.secret + "\n").write(toFile: root + "/webhook.secret", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
        var configuration = WatchConfiguration(
            stateDirectory: root + "/state",
            routes: [Route(name: "r", inbox: root + "/inbox", translation: .cdanetToJSON, transports: [])])
        configuration.statusEventsDestination = "practice"
        configuration.outboxStore = try engine.newStore().map { .postgreSQL($0) }
        let ledger = try Ledger(location: configuration.ledgerLocation)
        func update(_ key: String, _ to: ClaimState, at time: Double) -> StateUpdate {
            StateUpdate(
                kind: .claim, key: key, to: to.rawValue, source: "\(key):\(to.rawValue)", occurredAt: time,
                subject: ["officeSequenceNumber": key == "message-1" ? "000101" : "000102", "carrierId": "000125"])
        }
        _ = try ledger.applyStateUpdates([
            update("message-1", .submitted, at: 1), update("message-2", .submitted, at: 1),
            update("message-1", .acknowledged, at: 2), update("message-2", .rejected, at: 2),
            update("message-1", .adjudicated, at: 3), update("message-1", .paid, at: 4),
        ])
        let watcher = Watcher(
            configuration: configuration, resources: TranslationResources(catalog: Fixtures.catalog),
            transports: [
                "practice": try WebhookTransport(
                    url: receiver.url("/events"), secret: .file(root + "/webhook.secret"),
                    tls: TLSOptions(caBundle: pki.caCertificate))
            ],
            retryPolicy: RetryPolicy(initialDelaySeconds: 0.05, maxDelaySeconds: 0.1),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await watcher.run(drain: true)

        let requests = try receiver.requests()
        #expect(requests.map(\.status).filter { $0 != 200 } == [500])
        #expect(requests.allSatisfy { $0.signatureValid == true }, "the receiver checked each signature itself")
        let verifier = try WebhookVerifier(secrets: [Self.secret])
        for request in requests {
            #expect(try verifier.verify(payload: request.bytes, headers: request.headers) == request.key)
        }
        // Once per key: six events, six keys accepted, none twice.
        let accepted = try receiver.acceptedKeys()
        #expect(accepted.count == 6 && Set(accepted).count == 6, "\(accepted)")
        #expect(Set(accepted) == Set((1...6).map { "status-event-\($0)" }))
        // The failed POST and its retry carry the same key and the same body (the same event id).
        let failed = try #require(requests.first { $0.status == 500 })
        let retried = requests.filter { $0.key == failed.key && $0.status == 200 }
        #expect(retried.count == 1 && retried.first?.bytes == failed.bytes)
        // In order per claim, by arrival at the receiver.
        let events = try requests.filter { $0.status == 200 }.map { request in
            try #require(try JSONSerialization.jsonObject(with: Data(request.bytes)) as? [String: Any])
        }
        func types(_ key: String) -> [String] {
            events.filter { $0["key"] as? String == key }.compactMap { $0["type"] as? String }
        }
        #expect(types("message-1") == ["claim.submitted", "claim.acknowledged", "claim.adjudicated", "claim.paid"])
        #expect(types("message-2") == ["claim.submitted", "claim.rejected"])
        let ids = events.compactMap { $0["id"] as? String }
        #expect(ids.count == 6 && Set(ids).count == 6, "each event has its own id")
        // The id is the ledger's: the same event read again from the ledger (as `events list` does) has the same id.
        let stored = try ledger.statusEvents(kind: .claim, key: "message-1").map { event -> String in
            let json = try JSONSerialization.jsonObject(with: Data(event.payload)) as? [String: Any]
            return json?["id"] as? String ?? ""
        }
        #expect(stored == events.filter { $0["key"] as? String == "message-1" }.compactMap { $0["id"] as? String })
    }
}
