import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// The tree pipelines map records on other threads while the next ones are read or written: the output, the
/// rejects (their numbers, offsets, reasons and bytes) and the counts are those of a run on one thread, across
/// many groups, with bad records scattered among good ones, and a fail-fast run stops at the same record.
@Suite struct TreeParallelMappingTests {
    static let mapping = Result { try TreeTranslate.mapping("ramq/claim.mapping.yaml") }
    static let claimCount = 400
    /// Lines that are not JSON, and claims that break a RAMQ rule (a health number a character short).
    static let brokenLines: Set<Int> = [5, 70, 71, 200, 333]
    static let ruleBreakers: Set<Int> = [1, 64, 65, 129, 250, 399, 400]

    /// Claims (JSON Lines) cycling through the bundled ones, each with its own office number.
    static func claims(broken: Set<Int> = brokenLines, breakingRules: Set<Int> = ruleBreakers) throws -> [UInt8] {
        let lines = String(decoding: try Fixtures.bytes("ramq/many-claims.input.jsonl"), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        var text = ""
        for number in 1...claimCount {
            var line = lines[(number - 1) % lines.count]
            line = line.replacing(
                #/"officeSequenceNumber":"\d{6}"/#, with: "\"officeSequenceNumber\":\"\(String(format: "%06d", number))\"")
            if broken.contains(number) { line = String(line.dropLast(7)) }
            if breakingRules.contains(number) {
                line = line.replacing(#/"healthInsuranceNumber":"([A-Z]{4}\d{7})\d"/#) { match in
                    "\"healthInsuranceNumber\":\"\(match.1)\""
                }
            }
            text += line + "\n"
        }
        return Array(text.utf8)
    }

    func write(_ claims: [UInt8], failFast: Bool = false, otherThreads: Bool) throws -> TranslationRun {
        try TreeTranslate.write(
            claims, mapping: try Self.mapping.get(), parameters: ["batchDate": "2024-01-05"], failFast: failFast,
            mapsOnOtherThreads: otherThreads)
    }

    func expectSame(_ one: TranslationRun, _ other: TranslationRun) {
        let sameOutput = one.output == other.output
        #expect(sameOutput, "the outputs differ")
        #expect(one.summary == other.summary)
        #expect(one.rejects.map(\.messageNumber) == other.rejects.map(\.messageNumber))
        #expect(one.rejects.map(\.messageOffset) == other.rejects.map(\.messageOffset))
        #expect(one.rejects.map(\.error.description) == other.rejects.map(\.error.description))
        let sameOriginals = one.rejects.map(\.original) == other.rejects.map(\.original)
        #expect(sameOriginals, "the rejects' original bytes differ")
    }

    @Test func writingOnOtherThreadsGivesWhatOneThreadGives() throws {
        let claims = try Self.claims()
        let parallel = try write(claims, otherThreads: true)
        let serial = try write(claims, otherThreads: false)
        expectSame(parallel, serial)
        let bad = Self.brokenLines.union(Self.ruleBreakers)
        #expect(parallel.rejects.map(\.messageNumber) == bad.sorted())
        #expect(parallel.summary.translated == Self.claimCount - bad.count)
        #expect(parallel.summary.messages == Self.claimCount)
        // The claims written are in input order: office numbers rise through the document.
        let text = String(decoding: parallel.output, as: UTF8.self)
        let written = text.matches(of: #/<DP [^>]*/#).count
        #expect(written == Self.claimCount - bad.count)
    }

    @Test func failFastStopsAtTheSameClaim() throws {
        // The first bad claim is in the third group, the next ones after it.
        let claims = try Self.claims(broken: [150, 300], breakingRules: [129, 131])
        let parallel = try write(claims, failFast: true, otherThreads: true)
        let serial = try write(claims, failFast: true, otherThreads: false)
        expectSame(parallel, serial)
        #expect(parallel.rejects.map(\.messageNumber) == [129])
        #expect(parallel.summary.translated == 128)
        #expect(parallel.summary.stoppedEarly)
    }

    @Test func readingOnOtherThreadsGivesWhatOneThreadGives() throws {
        let written = try write(try Self.claims(), otherThreads: true)
        // Break records in the batch: a date of service in the future (a rule) and a missing fee (the schema).
        var batch = String(decoding: written.output, as: UTF8.self)
        var records = batch.components(separatedBy: "<DP ")
        for index in [3, 90, 91, 200] where index < records.count {
            records[index] = records[index].replacing(#/SERV="\d{6}"/#, with: "SERV=\"991231\"")
        }
        for index in [10, 150] where index < records.count {
            records[index] = records[index].replacing(#/ MNT="[^"]*"/#, with: "")
        }
        batch = records.joined(separator: "<DP ")
        let parallel = try TreeTranslate.read(Array(batch.utf8), mapping: try Self.mapping.get(), mapsOnOtherThreads: true)
        let serial = try TreeTranslate.read(Array(batch.utf8), mapping: try Self.mapping.get(), mapsOnOtherThreads: false)
        expectSame(parallel, serial)
        #expect(parallel.rejects.map(\.messageNumber) == [3, 10, 90, 91, 150, 200])
        #expect(parallel.summary.translated == records.count - 1 - 6)
        let failFast = try TreeTranslate.read(
            Array(batch.utf8), mapping: try Self.mapping.get(), failFast: true, mapsOnOtherThreads: true)
        #expect(failFast.rejects.map(\.messageNumber) == [3])
        #expect(failFast.summary.translated == 2)
    }
}
