import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Testing

@testable import ClaimsBridgeService

/// `POST /v1/webhooks/labs/{lab}`: signed status webhooks move the lab orders the ledger tracks.
@Suite struct LabWebhookTests {
    static let secret = WebhookSecret.generate()
    static let previous = WebhookSecret.generate()

    func fixture(_ engine: StorageEngine = .sqlite) throws -> ServiceFixture {
        let fixture = try ServiceFixture(
            serviceYAML: "labWebhooks: {example-rest: {secrets: [\"file:secrets/lab.secret\", \"file:secrets/old.secret\"]}}",
            engine: engine)
        try Self.secret.write(toFile: fixture.root + "/secrets/lab.secret", atomically: true, encoding: .utf8)
        try Self.previous.write(toFile: fixture.root + "/secrets/old.secret", atomically: true, encoding: .utf8)
        return fixture
    }

    func signed(_ body: [UInt8], secret: String = secret, id: String = "msg_1", at time: Int? = nil) throws -> [String: String] {
        let timestamp = time ?? Int(Date().timeIntervalSince1970)
        return [
            "webhook-id": id, "webhook-timestamp": "\(timestamp)",
            "webhook-signature": try WebhookSecret(secret).signature(id: id, timestamp: timestamp, body: body),
        ]
    }

    @Test(arguments: StorageEngine.allCases)
    func aSignedUpdateMovesAKnownOrderAndAnUnknownOrderIsRefusedAndKept(_ engine: StorageEngine) async throws {
        let fixture = try fixture(engine)
        let order = try Fixtures.bytes("labs/example-rest/01-single-crown.input.jsonl")
        let update = Array(#"{"event":"case.status_changed","externalId":"LO-1001","status":"RECEIVED","occurredAt":"2026-12-01T15:05:00Z"}"#.utf8)
        let stranger = Array(#"{"event":"case.status_changed","externalId":"LO-7777","status":"RECEIVED","occurredAt":"2026-12-01T15:05:00Z"}"#.utf8)
        try await fixture.withServer { client in
            let sent = try await client.send(
                "POST", "/v1/lab-orders?lab=example-rest", contentType: "application/json", body: order)
            #expect(sent.status == 202, "\(sent.text)")
            let reply = try await client.send(
                "POST", "/v1/webhooks/labs/example-rest", token: nil, contentType: "application/json",
                headers: try signed(update), body: update)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json?["applied"] as? Int == 1)
            let status = try await client.send("GET", "/v1/lab-orders/LO-1001/status")
            let labStatus = try #require(status.json?["labStatus"] as? [String: Any], "\(status.text)")
            #expect(labStatus["state"] as? String == "accepted")
            #expect((labStatus["history"] as? [[String: Any]])?.map { $0["to"] as? String } == ["submitted", "accepted"])
            // The same delivery again is one transition.
            let again = try await client.send(
                "POST", "/v1/webhooks/labs/example-rest", token: nil, contentType: "application/json",
                headers: try signed(update), body: update)
            #expect(again.json?["applied"] as? Int == 0)
            // Signed with the previous secret (a rotation), for an order the ledger does not know: refused, kept.
            let unknown = try await client.send(
                "POST", "/v1/webhooks/labs/example-rest", token: nil, contentType: "application/json",
                headers: try signed(stranger, secret: Self.previous, id: "msg_2"), body: stranger)
            #expect(unknown.status == 200, "\(unknown.text)")
            let transitions = try #require(unknown.json?["transitions"] as? [[String: Any]])
            #expect(transitions.first?["outcome"] as? String == "illegal")
            #expect((unknown.json?["rejects"] as? [[String: Any]])?.first?["code"] as? String == "unknownOrder")
        }
        let ledger = try fixture.ledger()
        #expect(try ledger.stateHistory(kind: .labOrder, key: "LO-7777").map(\.outcome) == [.illegal])
    }

    @Test(arguments: StorageEngine.allCases, ["unsigned", "wrong-secret", "tampered", "stale", "not-json"])
    func aRequestThatDoesNotVerifyIsRefusedBeforeItIsRead(_ engine: StorageEngine, _ case: String) async throws {
        let fixture = try fixture(engine)
        let update = Array(#"{"event":"case.status_changed","externalId":"LO-1001","status":"RECEIVED","occurredAt":"2026-12-01T15:05:00Z"}"#.utf8)
        var headers: [String: String] = [:]
        var body = update
        switch `case` {
        case "wrong-secret": headers = try signed(update, secret: WebhookSecret.generate())
        case "tampered":
            headers = try signed(update)
            body = Array(String(decoding: update, as: UTF8.self).replacingOccurrences(of: "RECEIVED", with: "SHIPPED").utf8)
        case "stale": headers = try signed(update, at: Int(Date().timeIntervalSince1970) - 3600)
        case "not-json":
            // Not JSON, and not what was signed: refused for its signature, never parsed.
            headers = try signed(update)
            body = Array("[1, 2".utf8)
        default: break
        }
        try await fixture.withServer { client in
            let reply = try await client.send(
                "POST", "/v1/webhooks/labs/example-rest", token: nil, contentType: "application/json",
                headers: headers, body: body)
            #expect(reply.status == 401, "\(reply.text)")
            #expect(reply.json?["code"] as? String == "badSignature")
        }
        if fixture.ledgerLocation.exists {
            #expect(try fixture.ledger().stateHistory(kind: .labOrder, key: "LO-1001").isEmpty)
        }
    }

    @Test func aLabWithoutAWebhookIsNotFound() async throws {
        try await fixture().withServer { client in
            let reply = try await client.send(
                "POST", "/v1/webhooks/labs/example-xml", token: nil, contentType: "application/json", body: Array("{}".utf8))
            #expect(reply.status == 404)
        }
    }

    @Test func aSecretWrittenInTheFileIsRefusedAtItsLine() throws {
        #expect(throws: BridgeError.self) {
            _ = try ServiceFixture(serviceYAML: "labWebhooks: {example-rest: {secrets: [\"whsec_abc\"]}}")
        }
    }
}
