import ClaimsBridgeTestSupport
import Testing

@testable import ClaimsBridge

/// The record scanner finds each child of the root byte for byte, at any chunk size.
@Suite struct XMLRecordScannerTests {
    static let document = """
        <?xml version="1.0"?>
        <!-- batch --><R xmlns="urn:x">
          <A k="a>b" j='c/>'/>
          <!-- <B> not an element -->
          <B><![CDATA[</B> <C>]]><C x="1"/></B>
        <?pi <D/> ?></R>
        """

    @Test(arguments: [1, 2, 5, 1000])
    func findsEveryRecord(_ chunkSize: Int) {
        var scanner = XMLRecordScanner()
        let bytes = Array(Self.document.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            bytes[start..<end].withUnsafeBytes { scanner.feed($0) }
            start = end
        }
        let first = scanner.takeRecord()
        let second = scanner.takeRecord()
        #expect(first.map { String(decoding: $0.bytes, as: UTF8.self) } == "<A k=\"a>b\" j='c/>'/>")
        #expect(second.map { String(decoding: $0.bytes, as: UTF8.self) } == "<B><![CDATA[</B> <C>]]><C x=\"1\"/></B>")
        #expect(first.map { Array(bytes[$0.offset..<($0.offset + $0.bytes.count)]) } == first?.bytes)
        #expect(scanner.takeRecord() == nil)
        #expect(scanner.enabled)
    }
}

extension XMLRecordScanner.Record: Equatable {
    static func == (a: Self, b: Self) -> Bool { a.offset == b.offset && a.bytes == b.bytes }
}

/// Rejected XML records keep their exact input bytes and byte offset.
@Suite struct XMLOriginalBytesTests {
    @Test(arguments: [1, 13, 65536])
    func rejectsCarryTheirInputBytes(_ chunkSize: Int) throws {
        let input = try Fixtures.bytes("ramq/invalid/od-defects.xml")
        let run = try TreeTranslate.read(
            input, mapping: try TreeTranslate.mapping("ramq/claim.mapping.yaml"), chunkSize: chunkSize)
        #expect(run.rejects.count == 4)
        for reject in run.rejects {
            #expect(reject.messageOffset > 0)
            #expect(
                Array(input[reject.messageOffset..<(reject.messageOffset + reject.original.count)]) == reject.original)
            #expect(reject.original.starts(with: Array("<DP ".utf8)))
            #expect(reject.original.reversed().starts(with: Array(">PD/<".utf8)))
        }
    }
}
