import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// JSON input: a key given twice is refused wherever JSON is read (model, partner and lab JSON), diagnostics
/// stay short whatever the input holds, and a line over the limit is kept in bounded pieces, not in memory.
@Suite struct JSONInputBoundsTests {
    static func firstLine(_ fixture: String) throws -> String {
        String(String(decoding: try Fixtures.bytes(fixture), as: UTF8.self).split(separator: "\n")[0])
    }

    /// `line` with `"key":value,` inserted after the first `{`, so that `key` appears twice.
    static func repeating(_ key: String, _ value: String, in line: String) -> [UInt8] {
        Array(("{\"\(key)\":\(value)," + line.dropFirst() + "\n").utf8)
    }

    static func expectDuplicateRefused(_ run: TranslationRun, key: String) throws {
        #expect(run.summary.translated == 0)
        let reject = try #require(run.rejects.first)
        #expect(reject.error.code == .invalidJSON)
        #expect(reject.error.reason.contains("the key \"\(key)\" appears twice"), "\(reject.error.reason)")
        #expect(reject.error.reason.contains("at byte 1 and byte "))
    }

    @Test func modelJSONWithATypeTwiceIsRefused() throws {
        let line = try Self.firstLine("cdanet/v04/01-claim-basic.expected.json")
        try Self.expectDuplicateRefused(try Translate.json(Self.repeating("type", "\"eligibility\"", in: line)), key: "type")
    }

    @Test func partnerJSONWithALastNameTwiceIsRefused() throws {
        let line = try Self.firstLine("partners/example-claims.jsonl")
        let input = Array(line.replacingOccurrences(of: "\"last\":\"Tremblay\"", with: "\"last\":\"Tremblay\",\"last\":\"X\"").utf8)
        let run = try TreeTranslate.read(input, mapping: try TreeTranslate.mapping("partners/example-claim.mapping.yaml"))
        #expect(run.summary.translated == 0)
        #expect(run.rejects.first?.error.reason.contains("the key \"last\" appears twice") == true)
    }

    @Test func labJSONWithAKeyTwiceIsRefusedBothWays() throws {
        let lab = try LabPartner(name: "example-rest", mappings: Fixtures.mappings.path)
        let order = try Self.firstLine("labs/example-rest/01-single-crown.input.jsonl")
        try Self.expectDuplicateRefused(
            try PipelineRun.write(try lab.orderWriter(), Self.repeating("orderId", "\"LO-9\"", in: order)), key: "orderId")
        let partner = try Self.firstLine("labs/example-rest/01-single-crown.jsonl")
        try Self.expectDuplicateRefused(
            try PipelineRun.read(try lab.orderReader(), Self.repeating("externalId", "\"LO-9\"", in: partner)),
            key: "externalId")
    }

    @Test func aHugeTypeValueGivesAShortMessage() throws {
        let huge = String(repeating: "A", count: 1_000_000)
        let model = Array("{\"schemaVersion\":1,\"type\":\"\(huge)\",\"routing\":{\"version\":\"04\"}}\n".utf8)
        let reason = try #require(try Translate.json(model).rejects.first?.error.reason)
        #expect(reason.count < 700)
        #expect(reason.contains("(1000000 bytes)"))
        let ramq = try TreeTranslate.write(
            model, mapping: try TreeTranslate.mapping("ramq/claim.mapping.yaml"), parameters: ["transmitter": "18001"])
        let treeReason = try #require(ramq.rejects.first?.error.reason)
        #expect(treeReason.count < 700)
    }

    @Test func aHugeElementNameGivesAShortMessage() throws {
        let name = String(repeating: "N", count: 40_000)
        let run = try TreeTranslate.read(
            Array("<\(name)><DP/></\(name)>".utf8), mapping: try TreeTranslate.mapping("ramq/claim.mapping.yaml"))
        let reject = try #require(run.rejects.first)
        #expect(reject.error.reason.count <= BridgeError.maximumReasonCharacters + 30)
        #expect((reject.error.location.fieldID?.count ?? 0) <= 201)
        #expect(reject.original.count == 2 * name.count + 10)
    }

    @Test(arguments: [4096, 256 * 1024])
    func anOverLongLineIsKeptInPiecesAndTheNextLinesAreRead(_ chunkSize: Int) throws {
        let good = Array((try Self.firstLine("cdanet/v04/01-claim-basic.expected.json") + "\n").utf8)
        let long = Array("{\"schemaVersion\":1,\"type\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 3_500_000)
        let input = good + long + [0x0A] + good
        var source = MemoryInput(input)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        let pipeline = ModelWritePipeline(catalog: Fixtures.catalog, chunkSize: chunkSize, maximumLineLength: 1 << 20)
        let summary = try pipeline.run(input: &source, output: &sink) { rejects.append($0) }
        #expect(summary.translated == 2)
        #expect(summary.rejected == 1)
        #expect(summary.messages == 3)
        #expect(rejects.count == 4)
        #expect(rejects.allSatisfy { $0.original.count <= 1 << 20 && $0.messageNumber == 2 && $0.error.code == .messageTooLarge })
        #expect(rejects.first?.error.reason.contains("longer than the limit of 1048576 bytes") == true)
        var expected = good.count
        for reject in rejects {
            #expect(reject.messageOffset == expected)
            #expect(Array(input[reject.messageOffset..<(reject.messageOffset + reject.original.count)]) == reject.original)
            expected += reject.original.count
        }
        #expect(expected == good.count + long.count)
    }

    @Test func treePipelinesKeepOverLongLinesInPiecesToo() throws {
        let long = Array("{\"claimId\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "7"), count: 2_500_000) + [0x0A]
        var pipeline = try TreeReadPipeline(mapping: try TreeTranslate.mapping("partners/example-claim.mapping.yaml"))
        pipeline.maximumLineLength = 1 << 20
        let run = try PipelineRun.read(pipeline, long)
        #expect(run.summary.rejected == 1)
        #expect(run.rejects.count == 3)
        #expect(run.rejects.map(\.original.count).reduce(0, +) == long.count - 1)
    }
}
