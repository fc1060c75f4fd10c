import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Hostile documents are refused with a clear error, quickly and without reading (or keeping) much.
@Suite struct HostileXMLTests {
    static let mapping = Result { try TreeTranslate.mapping("ramq/claim.mapping.yaml") }

    static func rejectReason(_ xml: String) throws -> (BridgeError?, TranslationRun) {
        let run = try TreeTranslate.read(Array(xml.utf8), mapping: try mapping.get())
        return (run.rejects.first?.error, run)
    }

    @Test func externalEntityIsNotLoaded() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE DP_RACIN [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <DP_RACIN xmlns="http://tempuri.org/DP_DENTI.xsd"><DP xmlns="" COMPL="&xxe;"/></DP_RACIN>
            """
        let (error, run) = try Self.rejectReason(xml)
        #expect(error?.code == .invalidXML)
        #expect(error?.reason.contains("entity") == true || error?.reason.contains("document type") == true)
        #expect(run.output.isEmpty)
        #expect(!(error?.reason.contains("root:") ?? true))
        let inContent = xml.replacingOccurrences(of: "<DP xmlns=\"\" COMPL=\"&xxe;\"/>", with: "&xxe;")
        let (contentError, contentRun) = try Self.rejectReason(inContent)
        #expect(contentError?.code == .invalidXML)
        #expect(contentRun.output.isEmpty)
    }

    @Test func billionLaughsIsRefusedAtOnce() throws {
        var entities = "<!ENTITY lol \"lol\">"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            entities += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">"
        }
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE lolz [\(entities)]><DP_RACIN>&lol9;</DP_RACIN>"
        let started = ContinuousClock.now
        let (error, _) = try Self.rejectReason(xml)
        #expect(error?.code == .invalidXML)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func entityReferenceWithoutDTDIsRefused() throws {
        let (error, _) = try Self.rejectReason("<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">&boom;</DP_RACIN>")
        #expect(error?.code == .invalidXML)
    }

    @Test func deepNestingIsRefused() throws {
        let depth = 10_000
        let xml =
            "<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">" + String(repeating: "<DP>", count: depth)
            + String(repeating: "</DP>", count: depth) + "</DP_RACIN>"
        let (error, _) = try Self.rejectReason(xml)
        #expect(error?.code == .limitExceeded || error?.code == .invalidXML)
        #expect(error?.reason.contains("deep") == true || error?.reason.contains("depth") == true)
    }

    @Test func tooManyAttributesAreRefused() throws {
        let attributes = (1...100).map { " A\($0)=\"1\"" }.joined()
        let (error, _) = try Self.rejectReason(
            "<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\"><DP xmlns=\"\"\(attributes)/></DP_RACIN>")
        #expect(error?.code == .limitExceeded)
    }

    /// A record the reading thread passes over (its tree built later from its bytes) is held to the same limits
    /// as one whose tree it builds: too deep, too many attributes, too many elements, too much text.
    @Test(arguments: [TreeReadPipeline.TreeBuilding.onWorkers, .whileReading])
    func limitsHoldWhereverTreesAreBuilt(_ treeBuilding: TreeReadPipeline.TreeBuilding) throws {
        var limits = XMLLimits()
        limits.maximumDepth = 6
        limits.maximumAttributes = 20
        limits.maximumElementsPerRecord = 50
        limits.maximumTextBytes = 1_000
        let root = "<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">"
        let good = String(decoding: try Fixtures.bytes("ramq/one-claim.xml"), as: UTF8.self)
            .components(separatedBy: "<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">")[1]
            .components(separatedBy: "</DP_RACIN>")[0]
        let hostile = [
            ("deep", "<DP xmlns=\"\">" + String(repeating: "<A>", count: 8) + String(repeating: "</A>", count: 8) + "</DP>"),
            ("attributes", "<DP xmlns=\"\"" + (1...30).map { " A\($0)=\"1\"" }.joined() + "/>"),
            ("elements", "<DP xmlns=\"\">" + String(repeating: "<A/>", count: 60) + "</DP>"),
            ("text", "<DP xmlns=\"\"><A>" + String(repeating: "a", count: 2_000) + "</A></DP>"),
        ]
        for (what, record) in hostile {
            let xml = root + good + record + good + "</DP_RACIN>"
            var source = MemoryInput(Array(xml.utf8))
            var sink = MemoryOutput()
            var rejects: [RejectedMessage] = []
            var pipeline = try TreeReadPipeline(mapping: try Self.mapping.get(), limits: limits)
            pipeline.workerThreads = 2
            pipeline.treeBuilding = treeBuilding
            let summary = try pipeline.run(input: &source, output: &sink) { rejects.append($0) }
            #expect(summary.translated == 1, "\(what)")
            #expect(rejects.first?.error.code == .limitExceeded, "\(what): \(rejects.first?.error.reason ?? "")")
        }
    }

    /// 100 MB of text in one element, generated as it is read: refused long before the end, so memory stays small.
    @Test func hugeTextNodeIsRefusedWithoutReadingItAll() throws {
        var input = GeneratedInput(
            prefix: Array("<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\"><DP xmlns=\"\">".utf8),
            fill: UInt8(ascii: "a"), count: 100_000_000, suffix: Array("</DP></DP_RACIN>".utf8))
        let reader = XMLStreamReader(input: input, name: "generated")
        _ = try reader.readRoot()
        #expect(throws: BridgeError.self) { _ = try reader.nextRecord() }
        #expect(reader.bytesRead < 20_000_000, "read \(reader.bytesRead) bytes")
        input.position = 0
    }

    @Test func notWellFormedMidBatchKeepsTheRecordsBefore() throws {
        let good = String(decoding: try Fixtures.bytes("ramq/many-claims.xml"), as: UTF8.self)
        let broken = good.replacingOccurrences(
            of: "</DP>\n  <DP xmlns=\"\" CHN=\"06\" ENRG=\"1\" TRNSM=\"18001\" DISP=\"712345\"", with: "</DP>\n  <DP <<"
        )
        let run = try TreeTranslate.read(Array(broken.utf8), mapping: try Self.mapping.get())
        #expect(run.summary.translated == 2)
        #expect(run.rejects.count == 1)
        #expect(run.rejects.first?.error.code == .invalidXML)
        #expect(run.rejects.first?.error.reason.contains("nothing from this point to the end of the input can be read") == true)
    }

    @Test func wrongRootIsRefused() throws {
        let (error, _) = try Self.rejectReason("<DP_RACIN><DP/></DP_RACIN>")
        #expect(error?.code == .unexpectedElement)
        #expect(error?.reason.contains("namespace http://tempuri.org/DP_DENTI.xsd") == true)
    }

    @Test func namespacesAreMatchedByURINotPrefix() throws {
        let good = String(decoding: try Fixtures.bytes("ramq/one-claim.xml"), as: UTF8.self)
        let expected = try TreeTranslate.read(Array(good.utf8), mapping: try Self.mapping.get()).output
        let prefixed = good.replacingOccurrences(
            of: "<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">",
            with: "<r:DP_RACIN xmlns:r=\"http://tempuri.org/DP_DENTI.xsd\">"
        ).replacingOccurrences(of: "</DP_RACIN>", with: "</r:DP_RACIN>").replacingOccurrences(
            of: "<DP xmlns=\"\" ", with: "<DP ")
        let run = try TreeTranslate.read(Array(prefixed.utf8), mapping: try Self.mapping.get())
        #expect(run.rejects.count == 0)
        #expect(run.output == expected)
        let qualified = good.replacingOccurrences(of: "<DP xmlns=\"\" ", with: "<DP ")
        let wrong = try TreeTranslate.read(Array(qualified.utf8), mapping: try Self.mapping.get())
        #expect(wrong.rejects.first?.error.code == .unexpectedElement)
        #expect(wrong.summary.translated == 0)
    }

    @Test func schemaMessagesHideValues() {
        let message =
            "Element 'PERS_ASSU', attribute 'NAM': [facet 'pattern'] The value 'TREJ1' is not accepted by the pattern 'X'."
        #expect(
            LibXML2Setup.redactValues(message)
                == "Element 'PERS_ASSU', attribute 'NAM': [facet 'pattern'] The value (hidden) is not accepted by the pattern 'X'."
        )
        #expect(
            LibXML2Setup.redactValues(
                "Element 'DP', attribute 'SERV': 'abc' is not a valid value of the atomic type 'xs:string'.")
                == "Element 'DP', attribute 'SERV': (hidden) is not a valid value of the atomic type 'xs:string'.")
    }
}

/// A byte stream made on the fly: a prefix, `count` copies of one byte, a suffix.
struct GeneratedInput: ByteInput {
    let prefix: [UInt8]
    let fill: UInt8
    let count: Int
    let suffix: [UInt8]
    var position = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let total = prefix.count + count + suffix.count
        var written = 0
        while written < buffer.count && position < total {
            let byte: UInt8
            if position < prefix.count {
                byte = prefix[position]
            } else if position < prefix.count + count {
                byte = fill
            } else {
                byte = suffix[position - prefix.count - count]
            }
            buffer[written] = byte
            written += 1
            position += 1
        }
        return written
    }
}
