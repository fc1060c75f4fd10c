import ClaimsBridge
@testable import ClaimsBridgeWatcher
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("Crash recovery")
struct CrashRecoveryTests {
    struct SimulatedCrash: Error {}

    @Test(
        "A crash after any processing step loses nothing and delivers nothing twice",
        arguments: LedgerEngine.allCases, ProcessingStep.allCases)
    func crashAfter(_ engine: LedgerEngine, step: ProcessingStep) async throws {
        let harness = try WatchHarness(engine)
        let names = ["a.txt", "b.txt", "c.txt"]
        let fixtures = ["01-claim-basic", "07-cob-claim", "03-predetermination"]
        for (name, fixture) in zip(names, fixtures) {
            try harness.drop(name, try Fixtures.bytes("cdanet/v04/\(fixture).txt"))
        }
        // The first run dies right after `step` of the second file, as a kill -9 would leave it.
        await #expect(throws: SimulatedCrash.self) {
            try await harness.drain { reached, name in
                if reached == step && name == "b.txt" { throw SimulatedCrash() }
            }
        }
        // The restarted watcher finishes everything.
        try await harness.drain()

        let ledger = try harness.ledger()
        let files = try ledger.files().sorted { $0.name < $1.name }
        #expect(files.map(\.name) == names, "every file recorded exactly once")
        #expect(files.allSatisfy { $0.state == .delivered })
        #expect(harness.files(in: harness.inbox + "/processing").isEmpty)
        #expect(harness.files(in: harness.inbox + "/archive").count == 3)
        let delivered = harness.files(in: harness.output)
        #expect(delivered.count == 3, "one delivery per file: \(delivered)")
        for file in files {
            #expect(try ledger.deliveries(of: file.id).count == 1)
        }
    }
}
