import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

@Suite struct RecordEndpointTests {
    @Test func checkReportsEveryRefusedClaimWithItsCDAnetCode() async throws {
        let good = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        let refused = try Fixtures.bytes("cdanet/invalid/carrier-009-policy-missing.json")
        try await ServiceFixture().withServer { client in
            let body = good.filter { $0 != 0x0A } + [0x0A] + refused
            let reply = try await client.send(
                "POST", "/v1/check?from=json", contentType: "application/x-ndjson", body: body)
            #expect(reply.status == 200)
            let report = try #require(reply.json)
            #expect(report["checked"] as? Int == 2)
            #expect(report["passed"] as? Int == 1)
            #expect(report["refused"] as? Int == 1)
            let refusal = try #require((report["refusals"] as? [[String: Any]])?.first)
            #expect(refusal["messageNumber"] as? Int == 2)
            let problems = try #require(refusal["problems"] as? [[String: Any]])
            #expect(problems.contains { $0["cdanetCode"] as? String == "009" })
        }
    }

    /// The watcher and the service share the ledger: what the watcher records, the service answers.
    @Test(arguments: StorageEngine.allCases)
    func claimChainComesFromTheLedgerTheWatcherWrites(_ engine: StorageEngine) async throws {
        let fixture = try ServiceFixture(engine: engine)
        let watcher = Watcher(
            configuration: fixture.routes,
            resources: try TranslationResources.load(for: fixture.routes, mappingsDirectory: Fixtures.mappings.path),
            transports: try fixture.delivery.makeTransports(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await fixture.withServer { client in
            let missing = try await client.send("GET", "/v1/claims/000101")
            #expect(missing.status == 404)
            try Data(try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"))
                .write(to: URL(fileURLWithPath: fixture.root + "/inbox/claims/claim.jsonl"))
            try await watcher.run(drain: true)
            try Data(try Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.txt"))
                .write(to: URL(fileURLWithPath: fixture.root + "/inbox/replies/ack.txt"))
            try await watcher.run(drain: true)

            let reply = try await client.send("GET", "/v1/claims/000101?provider=123456789")
            #expect(reply.status == 200)
            let chain = try #require(reply.json)
            let messages = try #require(chain["messages"] as? [[String: Any]])
            #expect(messages.map { $0["type"] as? String } == ["claim", "claimAcknowledgement"])
            #expect(messages.map { $0["role"] as? String } == ["request", "answer"])
            #expect(messages[1]["answers"] as? Int == messages[0]["messageId"] as? Int)
            let unknown = try await client.send("GET", "/v1/claims/999999")
            #expect(unknown.status == 404)
            let malformed = try await client.send("GET", "/v1/claims/0001%2F01")
            #expect(malformed.status == 400)
        }
    }

    @Test(arguments: StorageEngine.allCases)
    func labOrderIsTranslatedQueuedAndFollowed(_ engine: StorageEngine) async throws {
        let order = try Fixtures.bytes("labs/example-rest/01-single-crown.input.jsonl")
        let fixture = try ServiceFixture(engine: engine)
        try await fixture.withServer { client in
            let accepted = try await client.send("POST", "/v1/lab-orders", contentType: "application/json", body: order)
            #expect(accepted.status == 202)
            #expect(accepted.headers["location"] == "/v1/lab-orders/LO-1001/status")
            #expect(accepted.json?["state"] as? String == "pending")
            let again = try await client.send(
                "POST", "/v1/lab-orders?lab=example-rest", contentType: "application/json", body: order)
            #expect(again.status == 202)
            #expect(again.json?["deliveryId"] as? Int == accepted.json?["deliveryId"] as? Int)

            let status = try await client.send("GET", "/v1/lab-orders/LO-1001/status")
            #expect(status.status == 200)
            #expect(status.json?["state"] as? String == "pending")
            #expect((status.json?["history"] as? [[String: Any]])?.first?["state"] as? String == "queued")

            let outbox = try fixture.outbox()
            _ = try await outbox.deliverDue(transports: try fixture.delivery.makeTransports())
            let delivered = try await client.send("GET", "/v1/lab-orders/LO-1001/status")
            #expect(delivered.json?["state"] as? String == "delivered")
            #expect((delivered.json?["history"] as? [[String: Any]])?.last?["state"] as? String == "delivered")
            let files = try FileManager.default.contentsOfDirectory(atPath: fixture.root + "/out/lab")
            #expect(files == ["lab-order-LO-1001.json"])
            // What the lab receives is the order in its own format, as `translate --to lab:example-rest` writes it.
            let sent = try String(contentsOfFile: fixture.root + "/out/lab/lab-order-LO-1001.json", encoding: .utf8)
            #expect(sent.hasPrefix("{\"externalId\":\"LO-1001\",\"caseReference\":\"CASE-2026-0311\""))

            let changed = Array(String(decoding: order, as: UTF8.self).replacingOccurrences(of: "A2", with: "A3").utf8)
            let conflict = try await client.send(
                "POST", "/v1/lab-orders", contentType: "application/json", body: changed)
            #expect(conflict.status == 409)
            let unknown = try await client.send("GET", "/v1/lab-orders/LO-9999/status")
            #expect(unknown.status == 404)
        }
    }

    @Test func labOrderWithoutAnOrderIdOrWithTwoOrdersIsRefused() async throws {
        let order = try Fixtures.bytes("labs/example-rest/01-single-crown.input.jsonl")
        try await ServiceFixture().withServer { client in
            let two = try await client.send(
                "POST", "/v1/lab-orders", contentType: "application/x-ndjson", body: order + order)
            #expect(two.status == 422)
            let text = String(decoding: order, as: UTF8.self).replacingOccurrences(
                of: "\"orderId\":\"LO-1001\",", with: "")
            let noID = try await client.send(
                "POST", "/v1/lab-orders", contentType: "application/json", body: Array(text.utf8))
            #expect(noID.status == 422)
            #expect(noID.json?["modelPath"] as? String == "orderId")
            #expect(!noID.text.contains("Tremblay"))
            let unknownLab = try await client.send(
                "POST", "/v1/lab-orders?lab=nowhere", contentType: "application/json", body: order)
            #expect(unknownLab.status == 400)
        }
    }
}
