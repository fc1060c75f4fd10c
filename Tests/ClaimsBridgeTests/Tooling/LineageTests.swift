import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// `--explain`: every output value is traced to its field, position and mapping rule.
@Suite struct LineageTests {
    func readLineage(_ fixture: String) throws -> [LineageEntry] {
        var source = MemoryInput(try Fixtures.bytes(fixture))
        var sink = MemoryOutput()
        var pipeline = CDAnetReadPipeline(catalog: Fixtures.catalog)
        var lineage: [LineageEntry] = []
        pipeline.onExplain = { _, entries in lineage += entries }
        _ = try pipeline.run(input: &source, output: &sink) { Issue.record("\($0.error)") }
        return lineage
    }

    @Test func readingTracesValuesToFieldsAndRules() throws {
        let lineage = try readLineage("cdanet/v04/01-claim-basic.txt")
        let fee = try #require(lineage.first { $0.modelPath == "procedures[0].fee" })
        #expect(fee.fieldID == "F12")
        #expect(fee.kind == .field)
        #expect(fee.offset == 409 && fee.width == 6)
        #expect(fee.rule.hasSuffix("Mappings/cdanet/v04/claim.mapping.yaml:95"))
        let count = try #require(lineage.first { $0.modelPath == "procedures" })
        #expect(count.fieldID == "F06" && count.kind == .computed && count.offset == 341)
        let version = try #require(lineage.first { $0.modelPath == "routing.version" })
        #expect(version.kind == .constant)
        #expect(!lineage.contains { $0.modelPath == "coverage.secondary" })
    }

    @Test func readingTracesSlotsToTheirOwnFields() throws {
        let lineage = try readLineage("cdanet/v04/01-claim-maximal.txt")
        #expect(lineage.first { $0.modelPath == "procedures[6].labFees[1].fee" }?.fieldID == "F36")
        #expect(lineage.first { $0.modelPath == "procedures[6].labFees[0].code" }?.fieldID == "F34")
    }

    @Test func writingTracesEveryFieldToItsSource() throws {
        let json = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        var source = MemoryInput(json)
        var sink = MemoryOutput()
        var pipeline = ModelWritePipeline(catalog: Fixtures.catalog)
        var lineage: [LineageEntry] = []
        pipeline.onExplain = { _, entries in lineage += entries }
        _ = try pipeline.run(input: &source, output: &sink) { Issue.record("\($0.error)") }
        #expect(lineage.reduce(0) { $0 + $1.width } == sink.bytes.count)
        #expect(lineage.first { $0.fieldID == "A07" }?.kind == .computed)
        #expect(lineage.first { $0.fieldID == "A04" }?.kind == .constant)
        #expect(lineage.first { $0.fieldID == "A08" }?.kind == .blank)
        let birthDate = try #require(lineage.first { $0.fieldID == "C05" })
        #expect(birthDate.kind == .field && birthDate.modelPath == "patient.birthDate" && birthDate.offset == 119)
        let at = try #require(birthDate.jsonOffset)
        #expect(Array(json[at..<(at + 12)]) == Array("\"1982-06-14\"".utf8))
    }
}
