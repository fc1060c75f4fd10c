import ClaimsBridge
import ClaimsBridgeTestSupport
import Foundation
import Logging
import Testing

@testable import ClaimsBridgeWatcher

@Suite("Dry run")
struct WatchDryRunTests {
    @Test("A claim without sequence numbers gets them from the scratch ledger, again on a second run")
    func numbersClaimsTwice() throws {
        let harness = try WatchHarness(routesYAML: CorrelationTests.routes)
        var text = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
        text = text.replacingOccurrences(
            of: "\"officeSequenceNumber\":\"000101\"", with: "\"officeSequenceNumber\":\"\"")
        try harness.drop("claim.jsonl", Array(text.utf8))
        let dryRun = WatchDryRun(
            configuration: harness.configuration,
            resources: try TranslationResources.load(
                for: harness.configuration, mappingsDirectory: Fixtures.mappings.path),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        for _ in 0..<2 {
            let outcomes = try dryRun.run(outputDirectory: harness.root + "/dry")
            let outcome = try #require(outcomes.first)
            #expect(outcome.failure == nil)
            let written = try Array(Data(contentsOf: URL(fileURLWithPath: try #require(outcome.outputPath))))
            #expect(String(decoding: written[12..<18], as: UTF8.self) == "000001")
        }
        #expect(harness.files(in: harness.inbox) == ["claim.jsonl"], "nothing is taken")
    }
}
