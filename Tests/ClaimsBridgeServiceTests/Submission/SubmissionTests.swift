import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Testing

@testable import ClaimsBridgeService

/// `POST /v1/claims`, `POST /v1/eligibility` and `GET /v1/submissions/{id}` against the carrier simulator.
@Suite struct SubmissionTests {
    static let plans = try! String(
        contentsOf: Fixtures.root.appendingPathComponent("Examples/simulator/plans.yaml"), encoding: .utf8)

    /// The claim fixture without its A02 and A09, so that the ledger allocates them.
    func claimWithoutNumbers(policy: String? = nil) throws -> [UInt8] {
        var text = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"officeSequenceNumber\":\"000101\",", with: "")
        text = text.replacingOccurrences(of: ",\"carrierTransactionCounter\":\"00101\"", with: "")
        if let policy { text = text.replacingOccurrences(of: "GRP4471", with: policy) }
        return Array(text.utf8)
    }

    func withService(
        _ engine: StorageEngine, wait: Int = 10, simulator: CarrierSimulator? = nil,
        _ body: @escaping @Sendable (ServiceClientSession, ServiceFixture) async throws -> Void
    ) async throws {
        let simulator = try simulator ?? CarrierSimulator(table: PlanTable.parse(yaml: Self.plans), catalog: Fixtures.catalog)
        try await simulator.withRunning { port in
            let fixture = try ServiceFixture(
                serviceYAML: "carriers: {default: carrier-net}\nsubmission: {waitSeconds: \(wait)}",
                destinationsYAML: "  carrier-net: {type: carrier, url: \"http://127.0.0.1:\(port)/cdanet\", replyTimeoutSeconds: 10}\n",
                engine: engine)
            try await fixture.withServer { client in try await body(client, fixture) }
        }
    }

    @Test("A claim gets its numbers and the carrier's answer at once (ledger and outbox in SQLite, or in PostgreSQL)",
        arguments: StorageEngine.allCases)
    func aClaimGetsItsNumbersAndTheCarriersAnswerAtOnce(_ engine: StorageEngine) async throws {
        let claim = try claimWithoutNumbers()
        try await withService(engine) { client, fixture in
            let reply = try await client.send("POST", "/v1/claims", contentType: "application/json", body: claim)
            #expect(reply.status == 200, "\(reply.text)")
            let answer = try #require(reply.json?["answer"] as? [String: Any], "\(reply.text)")
            #expect(answer["type"] as? String == "explanationOfBenefits")
            let routing = try #require(answer["routing"] as? [String: Any])
            #expect(routing["officeSequenceNumber"] as? String == "000001", "the ledger allocated A02")
            let status = try #require(reply.json?["claimStatus"] as? [String: Any])
            #expect(status["state"] as? String == "adjudicated")
            // The chain and the outbox have it too.
            let chain = try await client.send("GET", "/v1/claims/000001")
            let messages = try #require(chain.json?["messages"] as? [[String: Any]])
            #expect(messages.map { $0["type"] as? String } == ["claim", "explanationOfBenefits"])
            let id = try #require(reply.json?["submissionId"] as? Int)
            let again = try await client.send("GET", "/v1/submissions/\(id)")
            #expect(again.status == 200 && (again.json?["answer"] as? [String: Any])?["type"] as? String == "explanationOfBenefits")
            let ledger = try fixture.ledger()
            #expect(try ledger.chain(officeSequenceNumber: "000001").count == 2, "the answer is recorded once")
            if engine == .postgreSQL {
                // The numbers came from the store's counters, and no SQLite ledger was written.
                #expect(try ledger.nextSequenceNumber(scope: "A02/0001", limit: 999_999) == 2)
                #expect(!FileManager.default.fileExists(atPath: fixture.routes.stateDirectory + "/ledger.sqlite"))
            }
        }
    }

    @Test(arguments: StorageEngine.allCases)
    func eligibilityIsAnsweredWithTheCarriersReply(_ engine: StorageEngine) async throws {
        let request = try Fixtures.bytes("cdanet/v04/08-eligibility.expected.json")
        try await withService(engine) { client, _ in
            let reply = try await client.send("POST", "/v1/eligibility", contentType: "application/json", body: request)
            #expect(reply.status == 200, "\(reply.text)")
            #expect((reply.json?["answer"] as? [String: Any])?["type"] as? String == "eligibilityResponse")
            // A claim is not an eligibility request.
            let wrong = try await client.send(
                "POST", "/v1/eligibility", contentType: "application/json", body: try claimWithoutNumbers())
            #expect(wrong.status == 422)
        }
    }

    @Test(arguments: StorageEngine.allCases)
    func aClaimTheCarrierRulesRefuseIsNeverSent(_ engine: StorageEngine) async throws {
        var text = String(decoding: try claimWithoutNumbers(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"toothOrArea\":\"00\"", with: "\"toothOrArea\":\"99\"")
        let body = Array(text.utf8)
        try await withService(engine) { client, fixture in
            let reply = try await client.send("POST", "/v1/claims", contentType: "application/json", body: body)
            #expect(reply.status == 422, "\(reply.text)")
            #expect(reply.text.contains("037"), "the CDAnet error code of a bad tooth: \(reply.text)")
            let counts = try client.context.withOutbox { try $0.counts() }
            #expect(counts.values.reduce(0, +) == 0, "nothing was queued")
            _ = fixture
        }
    }

    @Test(arguments: StorageEngine.allCases)
    func aCarrierThatDoesNotAnswerInTimeGets202AndTheOutboxFinishes(_ engine: StorageEngine) async throws {
        var table = try PlanTable.parse(yaml: Self.plans)
        let slow = try #require(table.plans.firstIndex { $0.policy == "SLOW0001" })
        table.plans[slow].delaySeconds = 3
        let simulator = CarrierSimulator(table: table, catalog: Fixtures.catalog)
        // The plan SLOW0001 answers after three seconds; the service waits one.
        let claim = try claimWithoutNumbers(policy: "SLOW0001")
        try await withService(engine, wait: 1, simulator: simulator) { client, _ in
            let reply = try await client.send("POST", "/v1/claims", contentType: "application/json", body: claim)
            #expect(reply.status == 202, "\(reply.text)")
            let location = try #require(reply.headers["location"])
            let deadline = ContinuousClock.now + .seconds(30)
            var last = reply
            while ContinuousClock.now < deadline {
                last = try await client.send("GET", location)
                if last.json?["state"] as? String == "answered" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(last.json?["state"] as? String == "answered", "\(last.text)")
        }
    }
}
