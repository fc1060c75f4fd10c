import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// What the stream reader gets from libxml2's SAX callbacks: values as XML means them, lines past 65,535, text as
/// libxml2's own tree holds it, and records passed over still validated and held to the limits.
@Suite struct XMLPushParserTests {
    static func records(_ xml: String, passing name: String? = nil, schema: XMLSchemaValidator? = nil) throws
        -> (reader: XMLStreamReader, records: [XMLStreamReader.ReadRecord])
    {
        let reader = XMLStreamReader(input: MemoryInput(Array(xml.utf8)), name: "test", schema: schema)
        if let name { reader.passOver(name: name, namespace: "") }
        _ = try reader.readRoot()
        var records: [XMLStreamReader.ReadRecord] = []
        while let record = try reader.nextRecordOrBytes() { records.append(record) }
        return (reader, records)
    }

    static func tree(_ record: XMLStreamReader.ReadRecord?) -> TreeNode? {
        guard case .tree(let node)? = record else { return nil }
        return node
    }

    /// libxml2 hands an `&` in an attribute value over as `&#38;` when entities are not substituted.
    @Test func ampersandsInAttributesReadAsTheyAreMeant() throws {
        let (_, records) = try Self.records(#"<batch><r a="x &amp; y" b="&#38;" c="&amp;#38;" d="&lt;&#233;"/></batch>"#)
        let node = try #require(Self.tree(records.first))
        #expect(node.attributes.map(\.value) == ["x & y", "&", "&#38;", "<é"])
    }

    @Test func linesPast65535AreCountedExactly() throws {
        let xml = "<batch>" + String(repeating: "\n", count: 70_000) + "<r/>\n<r>\n<c/></r></batch>"
        let (_, records) = try Self.records(xml)
        #expect(records.compactMap { Self.tree($0)?.line } == [70_001, 70_002])
        #expect(Self.tree(records.last)?.children.first?.line == 70_003)
    }

    /// Whitespace-only text is dropped, text around a comment is joined, a CDATA section is kept even when blank.
    @Test func textIsWhatLibXML2sTreeHolds() throws {
        let (_, records) = try Self.records(
            "<batch><r>  \n </r><r>a<!-- c -->b</r><r><![CDATA[  ]]></r><r> x </r><r>  <!-- c -->  </r></batch>")
        #expect(records.map { Self.tree($0)?.text } == [nil, "ab", "  ", " x ", nil])
    }

    @Test func recordsPassedOverAreStillValidated() throws {
        let schema = try XMLSchemaValidator(path: Fixtures.mappings.appendingPathComponent("ramq/DP_DENTI.xsd").path)
        let good = String(decoding: try Fixtures.bytes("ramq/one-claim.xml"), as: UTF8.self)
        let (valid, validRecords) = try Self.records(good, passing: "DP", schema: schema)
        guard case .passed? = validRecords.first else {
            Issue.record("the claim was not passed over")
            return
        }
        #expect(valid.schemaIssueCount == 0)
        let broken = good.replacingOccurrences(of: "<ACTE ", with: "<ACTE UNKNOWN=\"1\" ")
        let (invalid, invalidRecords) = try Self.records(broken, passing: "DP", schema: schema)
        guard case .passed? = invalidRecords.first else {
            Issue.record("the claim was not passed over")
            return
        }
        #expect((invalid.schemaIssueCount ?? 0) > 0)
    }

    /// A batch breaks XML in its second claim and holds a Latin-1 byte in its fourth: reading stops at the first
    /// problem, whatever comes after it, and keeps every byte from the second claim on in one reject.
    @Test(arguments: [TreeReadPipeline.TreeBuilding.onWorkers, .whileReading])
    func readingStopsAtTheFirstProblem(_ treeBuilding: TreeReadPipeline.TreeBuilding) throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        var bytes = try Fixtures.bytes("ramq/many-claims.xml")
        let second = try #require(bytes.firstRange(of: Array(#"ATTES="4005202""#.utf8)))
        bytes.insert(UInt8(ascii: "\""), at: second.upperBound)  // ATTES="4005202"" is not XML
        let fourth = try #require(bytes.firstRange(of: Array(#"ATTES="4005204""#.utf8)))
        bytes.insert(contentsOf: Array(#" X=""#.utf8) + [0xE9, UInt8(ascii: "\"")], at: fourth.upperBound)  // Latin-1
        let firstEnd = try #require(bytes.firstRange(of: Array("</DP>".utf8))).upperBound
        // The same with a second Latin-1 byte at the very end.
        for input in [bytes, bytes + Array("<!-- ".utf8) + [0xFF] + Array(" -->".utf8)] {
            let run = try TreeTranslate.read(input, mapping: mapping, workerThreads: 2, treeBuilding: treeBuilding)
            #expect(run.summary.translated == 1)
            #expect(run.rejects.count == 1)
            let reject = try #require(run.rejects.last)
            #expect(reject.error.reason.contains("not well-formed XML"), "\(reject.error.reason)")
            #expect(reject.messageOffset == firstEnd)
            #expect(reject.messageOffset + reject.original.count == input.count)
        }
    }

    /// libxml2 reads on after a namespace error; the error is still the first problem, not a bad byte further on.
    @Test func aNamespaceErrorBeforeABadByteIsTheProblemReported() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        var bytes = try Fixtures.bytes("ramq/many-claims.xml")
        let uri = try #require(bytes.firstRange(of: Array("http://tempuri.org".utf8)))
        bytes.replaceSubrange(uri, with: Array("http:// tempuri.org".utf8))  // not a URI
        let fourth = try #require(bytes.firstRange(of: Array(#"ATTES="4005204""#.utf8)))
        bytes.insert(contentsOf: Array(#" X=""#.utf8) + [0xE9, UInt8(ascii: "\"")], at: fourth.upperBound)  // Latin-1
        let run = try TreeTranslate.read(bytes, mapping: mapping, workerThreads: 2)
        #expect(run.summary.translated == 0)
        let reject = try #require(run.rejects.first)
        #expect(reject.error.reason.contains("xmlns"), "\(reject.error.reason)")
        #expect(reject.messageOffset + reject.original.count == bytes.count)
    }

    @Test func aRecordPassedOverIsHeldToTheLimits() throws {
        let xml = "<batch><r>" + String(repeating: "<c/>", count: 20_000) + "</r></batch>"
        do {
            _ = try Self.records(xml, passing: "r")
            Issue.record("a record of 20,001 elements was read")
        } catch let error as BridgeError {
            #expect(error.code == .limitExceeded)
            #expect(error.reason.contains("more elements than the limit"))
        }
    }
}
