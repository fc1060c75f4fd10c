import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Partner JSON through a tree mapping: JSON Lines both ways, one-document input and output, exact amounts.
@Suite struct PartnerJSONTests {
    static let mapping = Result { try TreeTranslate.mapping("partners/example-claim.mapping.yaml") }

    @Test func partnerLinesReadIntoGoldenModelAndBack() throws {
        let partner = try Fixtures.bytes("partners/example-claims.jsonl")
        let model = try TreeTranslate.read(partner, mapping: try Self.mapping.get())
        #expect(model.rejects.count == 0)
        try RAMQGoldenTests.expectGolden(model.output, "partners/example-claims.expected.jsonl")
        let back = try TreeTranslate.write(model.output, mapping: try Self.mapping.get())
        #expect(back.output == partner)
    }

    @Test(arguments: [1, 3, 64])
    func chunkBoundariesDoNotMatter(_ chunkSize: Int) throws {
        let partner = try Fixtures.bytes("partners/example-claims.jsonl")
        let whole = try TreeTranslate.read(partner, mapping: try Self.mapping.get())
        let chunked = try TreeTranslate.read(partner, mapping: try Self.mapping.get(), chunkSize: chunkSize)
        #expect(chunked.output == whole.output)
        #expect(chunked.summary.translated == 2)
    }

    /// A whole number given with leading zeros (`"007"`) is written as the number (`7`): a JSON number cannot start
    /// with 0, so the line would not be JSON. (Found by the tree-mapping fuzz target.)
    @Test func wholeNumbersWithLeadingZerosAreWrittenAsValidJSON() throws {
        let model =
            #"{"schemaVersion":1,"type":"claim","routing":{"officeSequenceNumber":"000202"},"patient":{"lastName":"X"},"procedures":[{"code":"01202","fee":"48.50","lineNumber":"007"},{"code":"01202","fee":"1.00","lineNumber":"0"}]}"#
        let written = try TreeTranslate.write(Array(model.utf8), mapping: try Self.mapping.get())
        let text = String(decoding: written.output, as: UTF8.self)
        #expect(text.contains(#"{"line":7,"procedure":"01202""#) && text.contains(#"{"line":0,"procedure""#), "\(text)")
        let back = try TreeTranslate.read(written.output, mapping: try Self.mapping.get())
        #expect(back.rejects.isEmpty && back.summary.translated == 1)
        #expect(String(decoding: back.output, as: UTF8.self).contains(#"{"lineNumber":7,"code":"01202""#))
    }

    @Test func amountsStayExact() throws {
        let line =
            #"{"claimId":"1","total":0.30,"patient":{"last":"X"},"lines":[{"procedure":"01202","amount":0.1},{"procedure":"01202","amount":0.2}]}"#
        let model = try TreeTranslate.read(Array(line.utf8), mapping: try Self.mapping.get())
        #expect(String(decoding: model.output, as: UTF8.self).contains(#""fee":"0.10"},{"code":"01202","fee":"0.20"}"#))
        let back = try TreeTranslate.write(model.output, mapping: try Self.mapping.get())
        #expect(String(decoding: back.output, as: UTF8.self).contains(#""total":0.30"#))
        let tooPrecise = line.replacingOccurrences(of: "0.1}", with: "0.105}")
        let refused = try TreeTranslate.read(Array(tooPrecise.utf8), mapping: try Self.mapping.get())
        #expect(refused.rejects.first?.error.code == .invalidValue)
        #expect(refused.rejects.first?.error.location.fieldID == "record/lines[1]/@amount")
    }

    @Test func wrongTotalAndUnknownKeysAreRejectedPerLine() throws {
        let good = String(decoding: try Fixtures.bytes("partners/example-claims.jsonl"), as: UTF8.self)
        let lines = good.split(separator: "\n").map(String.init)
        let input = [
            lines[0].replacingOccurrences(of: "\"total\":48.50", with: "\"total\":48.51"),
            lines[1].replacingOccurrences(of: "\"first\"", with: "\"frist\""), "not json", lines[1],
        ].joined(separator: "\n")
        let run = try TreeTranslate.read(Array(input.utf8), mapping: try Self.mapping.get())
        #expect(run.summary.translated == 1)
        #expect(run.rejects.map(\.error.code) == [.totalMismatch, .unexpectedElement, .invalidJSON])
        #expect(run.rejects.map(\.messageNumber) == [1, 2, 3])
        #expect(run.rejects[1].error.location.fieldID == "record/patient/@frist")
    }

    @Test func oneDocumentWithARecordList() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = try String(
            contentsOf: Fixtures.mappings.appendingPathComponent("partners/example-claim.mapping.yaml"), encoding: .utf8
        )
        text = text.replacingOccurrences(
            of: "codes: ../ramq/codes.yaml",
            with: "codes: \(Fixtures.mappings.path)/ramq/codes.yaml\ndocument: {records: claims}")
        let path = folder.appendingPathComponent("batch.mapping.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let mapping = try TreeMapping.load(path: path)
        let model = try Fixtures.bytes("partners/example-claims.expected.jsonl")
        let document = try TreeTranslate.write(model, mapping: mapping)
        let partnerLines = String(decoding: try Fixtures.bytes("partners/example-claims.jsonl"), as: UTF8.self)
        let expected = "{\"claims\":[" + partnerLines.split(separator: "\n").joined(separator: ",") + "]}\n"
        #expect(String(decoding: document.output, as: UTF8.self) == expected)
        let back = try TreeTranslate.read(document.output, mapping: mapping)
        #expect(back.output == model)
    }
}

/// Loading tree mappings: every problem is reported with file:line.
@Suite struct TreeMappingLoadingTests {
    func load(_ rules: String, header: String = "") throws -> TreeMapping {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("x.mapping.yaml").path
        try ("mapping: x\nformat: json\n" + header + "record:\n" + rules).write(
            toFile: path, atomically: true, encoding: .utf8)
        return try TreeMapping.load(path: path)
    }

    @Test func shippedMappingsLoad() throws {
        for file in ["ramq/claim.mapping.yaml", "ramq/response.mapping.yaml", "partners/example-claim.mapping.yaml"] {
            _ = try TreeTranslate.mapping(file)
        }
    }

    @Test(arguments: [
        ("  - {key: a, path: b, colour: red}\n", 4, "unknown key `colour`"),
        ("  - {key: a, path: b, as: float}\n", 4, "unknown transform `float`"),
        ("  - {key: a, param: nope}\n", 4, "`param: nope` is not declared"),
        ("  - {key: a, codes: sex}\n", 4, "no code table named sex"),
        ("  - {key: a}\n  - {key: a}\n", 5, "mapped twice"),
        ("  - {key: a, as: date, format: DDMMYY}\n", 4, "unknown date format DDMMYY"),
        ("  - array: lines\n    rules: []\n", 4, "needs the model array"),
        ("  - {key: a, compute: {median: [x]}}\n", 4, "unknown computation `median`"),
    ])
    func problemsNameTheLine(_ rules: String, _ line: Int, _ words: String) throws {
        do {
            _ = try load(rules)
            Issue.record("loaded")
        } catch let error as BridgeError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.location.line == line, "\(error)")
            #expect(error.reason.contains(words), "\(error)")
        }
    }

    @Test func unknownParameterIsRefusedBeforeAnyInput() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        #expect(throws: BridgeError.self) {
            _ = try TreeWritePipeline(mapping: mapping, parameters: ["transmiter": "1"])
        }
    }
}

/// `claimsbridge lint` checks tree mappings and their schemas too.
@Suite struct TreeMappingLintTests {
    @Test func brokenSchemaIsAFinding() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:element/></xs:schema>".write(
            to: folder.appendingPathComponent("bad.xsd"), atomically: true, encoding: .utf8)
        try "mapping: x\nformat: xml\nschema: bad.xsd\ndocument: {root: R}\nrecord:\n  - {attribute: A, path: a}\n"
            .write(
                to: folder.appendingPathComponent("x.mapping.yaml"), atomically: true, encoding: .utf8)
        let findings = MappingLinter.lint(directory: folder.path)
        #expect(findings.count == 1)
        #expect(findings.first?.description.contains("not a valid XML Schema") == true, "\(findings)")
        #expect(MappingLinter.lint(directory: Fixtures.mappings.path).isEmpty)
    }
}
