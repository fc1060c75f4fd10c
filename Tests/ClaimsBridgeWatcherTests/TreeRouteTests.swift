import ClaimsBridge
@testable import ClaimsBridgeWatcher
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("Routes through tree mappings")
struct TreeRouteTests {
    @Test("Claims dropped as model JSON leave as a RAMQ batch that passes the schema, and come back")
    func ramqBatches() async throws {
        let harness = try WatchHarness(
            routesYAML: """
                state: state
                delivery: delivery.yaml
                routes:
                  - name: ramq-out
                    inbox: inbox
                    pattern: "*.jsonl"
                    stableSeconds: 0
                    from: json
                    to: ramq
                    parameters: {transmitter: "18001", provider: "212345", establishment: "12345"}
                    deliver: out
                  - name: ramq-in
                    inbox: batches
                    stableSeconds: 0
                    from: ramq
                    to: json
                    deliver: out

                """)
        let claims = try Fixtures.bytes("ramq/many-claims.input.jsonl")
        try harness.drop("claims.jsonl", claims)
        try await harness.drain()

        let batchName = try #require(harness.files(in: harness.output).first { $0.hasSuffix("claims.xml") })
        let batch = try Array(Data(contentsOf: URL(fileURLWithPath: harness.output + "/" + batchName)))
        let text = String(decoding: batch, as: UTF8.self)
        #expect(text.hasPrefix("<?xml"))
        #expect(text.components(separatedBy: "<DP ").count - 1 == 4)
        // Back through the reading route: the same two claims.
        try harness.drop("batch.xml", batch, into: harness.root + "/batches")
        try await harness.drain()
        let ledger = try harness.ledger()
        let files = try ledger.files().sorted { $0.id < $1.id }
        #expect(files.map(\.state) == [.delivered, .delivered])
        #expect(files.map(\.translated) == [4, 4])
        #expect(harness.files(in: harness.output).contains { $0.hasSuffix("batch.jsonl") })
    }

    @Test("A tree route to a partner format without a mapping is refused with its line")
    func mappingRequired() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("routes.yaml").path
        try "delivery: d.yaml\nroutes:\n  - name: a\n    inbox: in\n    from: json\n    to: xml\n    deliver: out\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: BridgeError.self) { try WatchConfiguration.load(path: path) }
        #expect(error?.location.line == 6)
        #expect(error?.reason.contains("needs `mapping:`") == true)
    }
}
