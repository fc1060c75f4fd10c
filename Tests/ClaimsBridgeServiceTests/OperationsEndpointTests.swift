import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

@testable import ClaimsBridgeService

@Suite struct OperationsEndpointTests {
    @Test(arguments: StorageEngine.allCases)
    func healthNeedsNoTokenAndReadinessSeesTheLedgerAndOutbox(_ engine: StorageEngine) async throws {
        try await ServiceFixture(engine: engine).withServer { client in
            let health = try await client.send("GET", "/healthz", token: nil)
            #expect(health.status == 200)
            #expect(health.json?["status"] as? String == "ok")
            let ready = try await client.send("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json?["status"] as? String == "ready")
        }
    }

    @Test(arguments: StorageEngine.allCases)
    func readinessFailsWhenTheOutboxCannotBeRead(_ engine: StorageEngine) async throws {
        let fixture = try ServiceFixture(engine: engine)
        try await fixture.withServer { client in
            #expect(try await client.send("GET", "/readyz").status == 200)
            if let store = fixture.delivery.postgreSQL {
                // The database is gone, and with it the outbox and the ledger.
                try PostgreSQLDatabase(configuration: store.with(database: "postgres"))
                    .execute("DROP DATABASE \(store.database) WITH (FORCE)")
            } else {
                // The outbox file is gone and a folder stands in its place.
                let path = fixture.delivery.outboxPath
                for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                    try FileManager.default.removeItem(atPath: path + suffix)
                }
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            }
            let ready = try await client.send("GET", "/readyz")
            #expect(ready.status == 503)
            let checks = ready.json?["checks"] as? [String: String]
            #expect(checks?["outbox"] == "unreachable")
            #expect(checks?["ledger"] == (engine == .postgreSQL ? "unreachable" : "ok"))
        }
    }

    @Test func metricsCountRequestsPerEndpointWithLatencyHistograms() async throws {
        try await ServiceFixture().withServer { client in
            _ = try await client.send("GET", "/healthz", token: nil)
            _ = try await client.send("GET", "/readyz", token: nil)
            let metrics = try await client.send("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.contentType.hasPrefix("text/plain"))
            #expect(metrics.text.contains("claimsbridge_http_requests_total{endpoint=\"healthz\",status=\"200\"} 1"))
            #expect(metrics.text.contains("claimsbridge_http_requests_total{endpoint=\"readyz\",status=\"401\"} 1"))
            #expect(
                metrics.text.contains(
                    "claimsbridge_http_request_duration_seconds_bucket{endpoint=\"healthz\",le=\"+Inf\"} 1"))
            // The metrics request itself is in flight while they are written.
            #expect(metrics.text.contains("claimsbridge_http_requests_in_flight 1"))
        }
    }

    @Test func servesTheOpenAPIDocumentOfTheRepository() async throws {
        let file = try String(contentsOf: Fixtures.root.appendingPathComponent("Docs/openapi.yaml"), encoding: .utf8)
        #expect(OpenAPIDocument.text + "\n" == file, "run Scripts/embed-openapi.sh after editing Docs/openapi.yaml")
        try await ServiceFixture().withServer { client in
            let reply = try await client.send("GET", "/openapi.yaml")
            #expect(reply.status == 200)
            #expect(reply.contentType == "application/yaml")
            #expect(reply.text == file)
        }
    }

    @Test func anUnknownPathIsAProblem() async throws {
        try await ServiceFixture().withServer { client in
            let reply = try await client.send("GET", "/v1/nothing-here")
            #expect(reply.status == 404)
            #expect(reply.contentType == "application/problem+json")
        }
    }
}
