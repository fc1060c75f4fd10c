import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Inputs that once broke an invariant of the XML fuzz target (`Fuzz/Regressions/fuzz-xml-scanner/`), replayed with
/// the same checks: the counts add up, every reject holds exactly the input bytes at its offset, its message is
/// bounded and quotes no bytes, and the records' trees built from their bytes translate as those built while
/// reading.
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

    /// Fed as the fuzz target feeds it (chunks of 1 + 17 × the last byte), and in small and large chunks.
    @Test(arguments: crashers)
    func treesBuiltEitherWayTranslateAlike(_ name: String) throws {
        let input = try Fixtures.bytes("\(Self.folder)/\(name)")
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        for chunkSize in [1 + Int(input.last ?? 0) * 17, 1, 4096] {
            let reading = try TreeTranslate.read(
                input, mapping: mapping, chunkSize: chunkSize, workerThreads: 2, treeBuilding: .whileReading)
            let onWorkers = try TreeTranslate.read(
                input, mapping: mapping, chunkSize: chunkSize, workerThreads: 2, treeBuilding: .onWorkers)
            #expect(onWorkers.output == reading.output, "chunks of \(chunkSize)")
            let lines = { (run: TranslationRun) in run.rejects.map { String(decoding: $0.jsonLine, as: UTF8.self) } }
            #expect(lines(onWorkers) == lines(reading), "chunks of \(chunkSize)")
        }
    }
}
