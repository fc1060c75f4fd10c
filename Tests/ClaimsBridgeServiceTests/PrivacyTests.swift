import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Logging
import Synchronization
import Testing

@testable import ClaimsBridgeService

/// Every log line of a request, kept for the test.
final class CollectedLogs: Sendable {
    let lines = Mutex<[String]>([])

    func handler(label: String) -> any LogHandler { Collector(logs: self) }

    private struct Collector: LogHandler {
        let logs: CollectedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            logs.lines.withLock { $0.append("\(event.message) \(all)") }
        }
    }
}

@Suite struct PrivacyTests {
    /// The claim names Marc Tremblay, born 1982-06-14; nothing of it reaches the log or a problem.
    @Test func noPersonalValueReachesTheLogsOrTheProblems() async throws {
        let logs = CollectedLogs()
        let fixture = try ServiceFixture()
        let context = try ServiceContext(
            configuration: fixture.configuration, mappingsDirectory: Fixtures.mappings.path,
            ledgerPath: fixture.routes.stateDirectory + "/ledger.sqlite", delivery: fixture.delivery,
            transports: try fixture.delivery.makeTransports(),
            logger: Logger(label: "test", factory: { logs.handler(label: $0) }))
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        let text = String(decoding: claim, as: UTF8.self)
        let broken = Array(
            text.replacingOccurrences(of: "\"birthDate\":\"1982-06-14\"", with: "\"birthDate\":\"1982-13-14\"").utf8)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = ClaimsBridgeServer(service: context) { continuation.yield($0) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let client = ServiceClientSession(port: port, context: context)
            let good = try await client.send(
                "POST", "/v1/translate?from=json&to=cdanet", contentType: "application/json", body: claim)
            #expect(good.status == 200)
            let bad = try await client.send(
                "POST", "/v1/translate?from=json&to=cdanet", contentType: "application/json", body: broken)
            #expect(bad.status == 422)
            for value in ["Tremblay", "Marc", "1982-13-14", "1982-06-14"] { #expect(!bad.text.contains(value)) }
            _ = try await client.send("GET", "/readyz", headers: ["X-Request-Id": "privacy-1"])
            tasks.cancelAll()
        }
        let lines = logs.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("privacy-1") }, "the request ID is in the log")
        for value in ["Tremblay", "Marc", "1982", ServiceFixture.fullToken] {
            #expect(!lines.contains { $0.contains(value) }, "\(value) was logged")
        }
    }
}
