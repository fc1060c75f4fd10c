import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// The trees built from records' own bytes off the reading thread are exactly the trees libxml2's reader builds
/// (names, namespaces, attributes in order, text, lines), for every XML fixture and for records that use what XML
/// allows: references, namespaces, comments, CDATA, line breaks inside tags and values, CRLF line ends.
@Suite struct XMLRecordTreeBuilderTests {
    static let awkward = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- a comment with <tags> -->
        <?pi before the root?>
        <r:batch xmlns:r="urn:root" xmlns="urn:default" xmlns:x="urn:x" note="a > b">
          <rec a="1" b='two &amp; &lt;three&gt; &#233;&#xE9; "q"' c="line
        break\ttab  two" x:d="ns" xml:lang="fr" e="&#10;&#13;&#9;kept">
            <child xmlns="" f="&quot;q&quot;">text &amp; more<!-- comment -->tail<![CDATA[ <raw> & ]]></child>
            <x:other>   </x:other>
            <?pi stuff?>
            <y:z xmlns:y="urn:y" y:attr="v" plain='single'/>
            <mixed>  a  <b/>  c  </mixed>
            <ws>
            </ws>
            <cdata><![CDATA[   ]]></cdata>
            <accents>Côté — ✓</accents>
          </rec
          >
          <rec
             a="multi-line start"
             b = "spaces around equals"
          ><empty/><empty></empty></rec>
          <other xmlns="urn:other"><inner/></other>
          <r:rec a="prefixed record"/>
        </r:batch>

        """

    /// Each record's tree as libxml2 reads it, beside its bytes and first line as the scanner finds them.
    static func pairs(_ document: [UInt8]) throws -> [(libxml2: TreeNode, record: XMLRecordScanner.Record)] {
        let trees = XMLStreamReader(input: MemoryInput(document), name: "trees")
        _ = try trees.readRoot()
        let located = XMLStreamReader(input: MemoryInput(document), name: "bytes")
        located.passOverEveryRecord()
        let root = try located.readRoot()
        var pairs: [(TreeNode, XMLRecordScanner.Record)] = []
        while let tree = try trees.nextRecord() {
            guard case .passed(let record)? = try located.nextRecordOrBytes() else {
                Issue.record("record \(pairs.count + 1) of \(root.name) was not passed over")
                return pairs
            }
            pairs.append((tree, record))
        }
        return pairs
    }

    static func head(of document: [UInt8]) -> [UInt8]? {
        let reader = XMLStreamReader(input: MemoryInput(document), name: "head")
        guard (try? reader.readRoot()) != nil else { return nil }
        return reader.documentHead
    }

    static func expectSameTrees(_ document: [UInt8], _ name: String) throws {
        let pairs = try pairs(document)
        #expect(!pairs.isEmpty, "\(name) has records")
        let head = try #require(Self.head(of: document))
        let builder = try #require(XMLRecordTreeBuilder(head: head))
        for (number, pair) in pairs.enumerated() {
            let built = builder.tree(of: pair.record)
            #expect(built == pair.libxml2, "\(name), record \(number + 1)")
        }
    }

    @Test func awkwardRecordsReadAsLibXML2ReadsThem() throws {
        try Self.expectSameTrees(Array(Self.awkward.utf8), "awkward")
    }

    @Test func crlfLineEndsReadAsLibXML2ReadsThem() throws {
        let crlf = Self.awkward.replacingOccurrences(of: "\n", with: "\r\n")
        try Self.expectSameTrees(Array(crlf.utf8), "awkward with CRLF")
        let lone = Self.awkward.replacingOccurrences(of: "\n", with: "\r")
        try Self.expectSameTrees(Array(lone.utf8), "awkward with CR")
    }

    @Test func everyXMLFixtureReadsAsLibXML2ReadsIt() throws {
        let folder = Fixtures.root
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "xml" } ?? []
        #expect(files.count >= 10)
        var compared = 0
        for file in files {
            let bytes = Array(try Data(contentsOf: file))
            // Fixtures that are meant not to read (broken documents) have nothing to compare.
            guard let pairs = try? Self.pairs(bytes), !pairs.isEmpty, Self.head(of: bytes) != nil else {
                continue
            }
            try Self.expectSameTrees(bytes, file.lastPathComponent)
            compared += 1
        }
        #expect(compared >= 5)
    }

    @Test func whatItDoesNotReadIsLeftToLibXML2() throws {
        let head = Array(#"<batch xmlns:x="urn:x">"#.utf8)
        let builder = try #require(XMLRecordTreeBuilder(head: head))
        for text in [#"<rec u:a="undeclared prefix"/>"#, "<u:rec/>", "<rec>&unknown;</rec>", "<rec a='1'>"] {
            let record = XMLScannerRecord.make(text)
            #expect(builder.tree(of: record) == nil, "\(text)")
        }
        #expect(builder.tree(of: XMLScannerRecord.make(#"<x:rec a="1"/>"#))?.namespace == "urn:x")
    }
}

enum XMLScannerRecord {
    static func make(_ text: String, line: Int = 1) -> XMLRecordScanner.Record {
        XMLRecordScanner.Record(offset: 0, bytes: Array(text.utf8), line: line)
    }
}
