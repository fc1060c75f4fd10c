import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Inputs that once broke the invariant of the tree-mapping fuzz target (`Fuzz/Regressions/fuzz-tree-mapping/`),
/// replayed with the same check: model JSON Lines written as a RAMQ batch and as partner JSON are read back, every
/// object written and none refused.
@Suite struct TreeMappingFuzzReplayTests {
    static let folder = "../Fuzz/Regressions/fuzz-tree-mapping"

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.url(folder).path)) ?? []).sorted()
    }

    static func pipelines() throws -> [(TreeWritePipeline, TreeReadPipeline)] {
        let ramq = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let partner = try TreeTranslate.mapping("partners/example-claim.mapping.yaml")
        return [
            (
                try TreeWritePipeline(
                    mapping: ramq,
                    parameters: [
                        "transmitter": "18001", "provider": "212345", "establishment": "12345", "batchDate": "2026-03-01",
                    ]),
                try TreeReadPipeline(mapping: ramq)
            ),
            (try TreeWritePipeline(mapping: partner), try TreeReadPipeline(mapping: partner)),
        ]
    }

    @Test func thereAreInputsToReplay() {
        #expect(!Self.inputs.isEmpty)
    }

    @Test(arguments: inputs)
    func whatIsWrittenIsReadBack(_ name: String) throws {
        let input = try Fixtures.bytes("\(Self.folder)/\(name)")
        for (writer, reader) in try Self.pipelines() {
            var source = MemoryInput(input)
            var written = MemoryOutput()
            let wrote = try writer.run(input: &source, output: &written) { _ in }
            #expect(wrote.messages == wrote.translated + wrote.rejected)
            guard wrote.translated > 0 else { continue }
            var back = MemoryInput(written.bytes)
            var model = MemoryOutput()
            var rejects: [RejectedMessage] = []
            let read = try reader.run(input: &back, output: &model) { rejects.append($0) }
            #expect(
                read.rejected == 0 && read.translated == wrote.translated,
                "\(writer.mapping.name): \(rejects.map { "\($0.error.location) \($0.error.code): \($0.error.reason)" })")
        }
    }
}
