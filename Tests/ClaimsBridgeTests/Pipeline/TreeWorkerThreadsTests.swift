import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// The tree pipelines map records on worker threads while the input is read on. Whatever the number of threads,
/// the output, the rejects (numbers, offsets, reasons, original bytes) and the counts are those of one thread.
/// The batches are long enough (hundreds of records, groups of 64) for the threads to start.
@Suite struct TreeWorkerThreadsTests {
    static let mapping = Result { try TreeTranslate.mapping("ramq/claim.mapping.yaml") }

    /// The `DP` records of a RAMQ batch, each with its indentation and line break.
    static func records(_ file: String) throws -> [String] {
        let text = String(decoding: try Fixtures.bytes(file), as: UTF8.self)
        return text.components(separatedBy: "  <DP ").dropFirst().map {
            "  <DP " + $0.components(separatedBy: "</DP_RACIN>")[0]
        }
    }

    /// 700 claims; among them claims that break a rule, the schema or their total, and elements that are not
    /// claims, spread over many groups.
    static func mixedBatch(end: String = "</DP_RACIN>\n") throws -> [UInt8] {
        let good = try records("ramq/many-claims.xml")
        let bad = try records("ramq/invalid/od-defects.xml") + records("ramq/invalid/schema-violations.xml")
        var batch = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">\n"
        for number in 1...700 {
            if number % 53 == 0 {
                batch += bad[(number / 53) % bad.count]
            } else if number % 211 == 0 {
                batch += "  <NOTE xmlns=\"\">not a claim</NOTE>\n"
            } else {
                batch += good[number % good.count]
            }
        }
        return Array((batch + end).utf8)
    }

    /// Claim lines, with lines that are not JSON, not claims, or claims a rule or the mapping refuses.
    static func mixedLines() throws -> [UInt8] {
        let good = String(decoding: try Fixtures.bytes("ramq/many-claims.input.jsonl"), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        let bad = try Fixtures.files(in: "ramq/invalid", withExtension: "jsonl")
            .filter { $0.hasSuffix(".input.jsonl") }
            .map { String(decoding: try Fixtures.bytes($0), as: UTF8.self) }
            .flatMap { $0.split(separator: "\n").map(String.init) }
        #expect(bad.count >= 10)
        var lines = ""
        for number in 1...600 {
            switch number {
            case _ where number % 97 == 0: lines += "{\"type\":\"claim\",\n"
            case _ where number % 89 == 0: lines += "[1,2,3]\n"
            case _ where number % 13 == 0: lines += bad[(number / 13) % bad.count] + "\n"
            default: lines += good[number % good.count] + "\n"
            }
        }
        return Array(lines.utf8)
    }

    static func expectSame(_ threaded: TranslationRun, _ alone: TranslationRun) {
        #expect(threaded.output == alone.output)
        #expect(threaded.summary == alone.summary)
        #expect(threaded.rejects.count == alone.rejects.count)
        for (one, other) in zip(threaded.rejects, alone.rejects) {
            #expect(String(decoding: one.jsonLine, as: UTF8.self) == String(decoding: other.jsonLine, as: UTF8.self))
        }
    }

    /// Records' trees are built by the reading thread, by the workers from the records' bytes, or either way
    /// group by group (`.balanced`, which depends on timing): the same translations and rejects each time.
    @Test(arguments: [1, 2, 3], [TreeReadPipeline.TreeBuilding.balanced, .onWorkers, .whileReading])
    func readingOnThreadsGivesWhatOneThreadGives(threads: Int, treeBuilding: TreeReadPipeline.TreeBuilding) throws {
        let batch = try Self.mixedBatch()
        let alone = try TreeTranslate.read(batch, mapping: try Self.mapping.get(), workerThreads: 0)
        #expect(alone.summary.messages == 700)
        #expect(alone.rejects.count >= 12)
        #expect(alone.summary.translated == 700 - alone.rejects.count)
        for chunkSize in [Int.max, 4096, 61] {
            let threaded = try TreeTranslate.read(
                batch, mapping: try Self.mapping.get(), chunkSize: chunkSize, workerThreads: threads,
                treeBuilding: treeBuilding)
            Self.expectSame(threaded, alone)
        }
    }

    /// A batch that stops being well-formed: the claims complete before the break are translated and every
    /// byte after them is kept in a reject, as on one thread.
    @Test(arguments: [TreeReadPipeline.TreeBuilding.balanced, .onWorkers, .whileReading])
    func aBatchBrokenNearItsEndIsAccountedForAsOnOneThread(treeBuilding: TreeReadPipeline.TreeBuilding) throws {
        let batch = try Self.mixedBatch(end: "  <DP CHN=\"06\" <broken\n")
        let alone = try TreeTranslate.read(batch, mapping: try Self.mapping.get(), workerThreads: 0)
        #expect(alone.summary.translated > 600)
        #expect(alone.rejects.last?.error.code == .invalidXML)
        Self.expectSame(
            try TreeTranslate.read(batch, mapping: try Self.mapping.get(), workerThreads: 2, treeBuilding: treeBuilding),
            alone)
    }

    /// A record whose tree the workers build holds what libxml2 gives, including the record's own line in a
    /// rule's reject: a batch where every record breaks a rule, read with the trees built on the workers.
    @Test func rejectsOfRecordsBuiltOnTheWorkersNameTheirLines() throws {
        let bad = try Self.records("ramq/invalid/od-defects.xml")
        var batch = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">\n"
        for number in 0..<300 { batch += bad[number % bad.count] }
        batch += "</DP_RACIN>\n"
        let bytes = Array(batch.utf8)
        let alone = try TreeTranslate.read(bytes, mapping: try Self.mapping.get(), workerThreads: 0)
        let onWorkers = try TreeTranslate.read(bytes, mapping: try Self.mapping.get(), workerThreads: 2, treeBuilding: .onWorkers)
        #expect(alone.rejects.count >= 100)
        #expect(alone.rejects.allSatisfy { $0.error.location.line != nil })
        Self.expectSame(onWorkers, alone)
    }

    @Test(arguments: [1, 2, 3])
    func writingOnThreadsGivesWhatOneThreadGives(threads: Int) throws {
        let lines = try Self.mixedLines()
        let alone = try TreeTranslate.write(lines, mapping: try Self.mapping.get(), workerThreads: 0)
        #expect(alone.summary.messages == 600)
        #expect(alone.rejects.count >= 40)
        #expect(Set(alone.rejects.map(\.error.code)).isSuperset(of: [.invalidJSON, .carrierWouldReject]))
        Self.expectSame(try TreeTranslate.write(lines, mapping: try Self.mapping.get(), workerThreads: threads), alone)
        // Without indentation the records are written apart from the document checked.
        Self.expectSame(
            try TreeTranslate.write(lines, mapping: try Self.mapping.get(), indent: nil, workerThreads: threads),
            try TreeTranslate.write(lines, mapping: try Self.mapping.get(), indent: nil, workerThreads: 0))
    }

    /// `--fail-fast` stops at the first reject: the records before it are written, nothing after it.
    @Test func failFastStopsAtTheSameRecordOnThreads() throws {
        let mapping = try Self.mapping.get()
        let batch = try Self.mixedBatch()
        let readAlone = try TreeTranslate.read(batch, mapping: mapping, failFast: true, workerThreads: 0)
        #expect(readAlone.rejects.count == 1)
        #expect(readAlone.summary.stoppedEarly)
        Self.expectSame(try TreeTranslate.read(batch, mapping: mapping, failFast: true, workerThreads: 2), readAlone)
        let lines = try Self.mixedLines()
        let writeAlone = try TreeTranslate.write(lines, mapping: mapping, failFast: true, workerThreads: 0)
        #expect(writeAlone.rejects.count == 1)
        Self.expectSame(try TreeTranslate.write(lines, mapping: mapping, failFast: true, workerThreads: 2), writeAlone)
    }
}
