import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Inputs that once broke an invariant of the XML fuzz target (`Fuzz/Regressions/fuzz-xml-scanner/`), replayed with
/// the same checks: the counts add up, every reject holds exactly the input bytes at its offset, and its message is
/// bounded and quotes no bytes.
@Suite struct FuzzCrasherReplayTests {
    static let folder = "../Fuzz/Regressions/fuzz-xml-scanner"

    static var crashers: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.url(folder).path)) ?? []).sorted()
    }

    @Test func thereAreCrashersToReplay() {
        #expect(!Self.crashers.isEmpty)
    }

    @Test(arguments: crashers, [1, 64, 4096])
    func replaysWithItsAccountingIntact(_ name: String, _ chunkSize: Int) throws {
        let input = try Fixtures.bytes("\(Self.folder)/\(name)")
        let run = try PipelineRun.read(try XMLAccountingTests.pipeline(), input, chunkSize: chunkSize)
        _ = XMLAccountingTests.checkAccounting(run, input: input, records: [])
        for reject in run.rejects {
            #expect(reject.error.reason.count <= 700, "an unbounded message at \(reject.messageOffset)")
            #expect(!reject.error.reason.contains("Bytes: 0x"), "a message quoting input bytes")
        }
    }
}
