import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Bad RAMQ batches: each bad claim is rejected with its line, element path and rule; the good ones still pass.
@Suite struct RAMQInvalidTests {
    static let fixtures = ["od-defects", "schema-violations", "declared-utf16"]

    @Test(arguments: fixtures)
    func rejectsMatchTheExpectedErrors(_ name: String) throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let run = try TreeTranslate.read(try Fixtures.bytes("ramq/invalid/\(name).xml"), mapping: mapping)
        var lines: [UInt8] = []
        for reject in run.rejects { lines += reject.jsonLine + [0x0A] }
        try RAMQGoldenTests.expectGolden(lines, "ramq/invalid/\(name).expected-errors.jsonl")
        #expect(!run.rejects.isEmpty)
    }

    @Test func theGoodClaimOfABadBatchIsStillTranslated() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let run = try TreeTranslate.read(try Fixtures.bytes("ramq/invalid/od-defects.xml"), mapping: mapping)
        #expect(
            run.summary
                == {
                    var s = TranslationSummary(); s.messages = 5; s.translated = 1; s.rejected = 4; return s
                }())
        #expect(String(decoding: run.output, as: UTF8.self).contains("\"attestation\":\"4005105\""))
        #expect(
            run.rejects.map(\.error.code) == [
                .totalMismatch, .carrierWouldReject, .schemaViolation, .carrierWouldReject,
            ])
        #expect(run.rejects.map { $0.error.problems.map(\.rule) } == [[], ["RQ24"], [], ["RQ26", "RQ27"]])
        #expect(run.rejects.map(\.error.location.line) == [3, 9, 11, 17])
    }

    /// The parser validates the batch as it reads it; a claim breaking the schema after whole groups of valid
    /// claims is still rejected, with the same message as in a short batch, and the claims after it still pass.
    @Test func aSchemaBreakLateInALongBatchIsFoundAsInAShortOne() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        func records(_ file: String) throws -> [String] {
            let text = String(decoding: try Fixtures.bytes(file), as: UTF8.self)
            return text.components(separatedBy: "  <DP ").dropFirst().map {
                "  <DP " + $0.components(separatedBy: "</DP_RACIN>")[0]
            }
        }
        let good = try records("ramq/many-claims.xml")
        let bad = try records("ramq/invalid/schema-violations.xml")
        let alone = try TreeTranslate.read(try Fixtures.bytes("ramq/invalid/schema-violations.xml"), mapping: mapping)
        let expected = alone.rejects.filter { $0.error.code == .schemaViolation }
        #expect(expected.map(\.messageNumber) == [4])
        var batch = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">\n"
        for number in 1...200 {
            batch += number == 150 || number == 170 ? bad[3] : good[number % good.count]
        }
        batch += "</DP_RACIN>\n"
        let run = try TreeTranslate.read(Array(batch.utf8), mapping: mapping)
        #expect(run.summary.messages == 200)
        #expect(run.summary.translated == 198)
        #expect(run.rejects.map(\.messageNumber) == [150, 170])
        #expect(run.rejects.map(\.error.code) == [.schemaViolation, .schemaViolation])
        #expect(run.rejects.map(\.error.reason) == Array(repeating: expected.first?.error.reason, count: 2))
        let field = expected.first?.error.location.fieldID
        #expect(run.rejects.map(\.error.location.fieldID) == [field, field])
    }

    @Test func failFastStopsAtTheFirstBadClaim() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let run = try TreeTranslate.read(
            try Fixtures.bytes("ramq/invalid/od-defects.xml"), mapping: mapping, failFast: true)
        #expect(run.summary.stoppedEarly)
        #expect(run.rejects.count == 1)
    }

    @Test func errorsNeverShowPersonalData() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let run = try TreeTranslate.read(try Fixtures.bytes("ramq/invalid/schema-violations.xml"), mapping: mapping)
        let text = run.rejects.map { $0.error.description + String(decoding: $0.jsonLine, as: UTF8.self) }.joined()
        #expect(text.contains("NAM"))
        for secret in ["TREJ1001021", "Tremblay", "Jean"] { #expect(!text.contains(secret)) }
    }

    @Test func writingRefusesClaimsRAMQCannotTake() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let good = String(decoding: try Fixtures.bytes("ramq/one-claim.input.jsonl"), as: UTF8.self)
        let cases: [(String, String, BridgeError.Code, String)] = [
            ("\"toothOrArea\":\"16\"", "\"toothOrArea\":\"03\"", .carrierWouldReject, "DP/ACTE[1]/@DENT"),
            ("\"fee\":\"125.50\"", "\"fee\":\"125.505\"", .invalidValue, "DP/ACTE[1]/@MNT"),
            ("\"ramqNumber\":\"212345\"", "\"ramqNumber\":\"312345\"", .carrierWouldReject, "DP/@DISP"),
            (
                "\"firstName\":\"Jean\"", "\"firstName\":\"Jean-Christophe-Alexandre\"", .invalidValue,
                "DP/PERS_ASSU/@PRE"
            ),
            ("\"type\":\"claim\"", "\"type\":\"claimReversal\"", .unknownModelType, ""),
        ]
        for (from, to, code, field) in cases {
            let bad = good.replacingOccurrences(of: from, with: to)
            let run = try TreeTranslate.write(
                Array((good + bad).utf8), mapping: mapping, parameters: ["batchDate": "2024-01-05"])
            #expect(run.summary.translated == 1, "\(to)")
            #expect(run.rejects.first?.error.code == code, "\(to): \(run.rejects.first?.error.description ?? "")")
            #expect((run.rejects.first?.error.location.fieldID ?? "") == field, "\(to)")
            #expect(run.rejects.first?.messageNumber == 2)
            #expect(run.rejects.first?.original == Array(bad.dropLast().utf8))
        }
    }

    /// A group of records is validated from its own input bytes, where several elements can share a line; a
    /// rule broken there must still be traced to its claim and element, as in the same batch one tag per line.
    @Test func schemaErrorsOfRecordsOnOneLineLandOnTheirOwnClaim() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let input = try Fixtures.bytes("ramq/invalid/schema-violations.xml")
        let flat = String(decoding: input, as: UTF8.self).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined()
        let spread = try TreeTranslate.read(input, mapping: mapping)
        let oneLine = try TreeTranslate.read(Array(flat.utf8), mapping: mapping)
        #expect(oneLine.summary == spread.summary)
        #expect(oneLine.output == spread.output)
        #expect(oneLine.rejects.map(\.messageNumber) == spread.rejects.map(\.messageNumber))
        #expect(oneLine.rejects.map(\.error.code) == spread.rejects.map(\.error.code))
        #expect(oneLine.rejects.map(\.error.location.fieldID) == spread.rejects.map(\.error.location.fieldID))
        #expect(oneLine.rejects.map(\.error.reason) == spread.rejects.map(\.error.reason))
        #expect(oneLine.rejects.contains { $0.error.code == .schemaViolation })
        #expect(oneLine.rejects.allSatisfy { $0.error.location.line == 1 || $0.error.location.line == nil })
    }

    /// Records are checked against the schema in groups; errors must land on the right claim in any group,
    /// and a claim that makes its group ill-formed must not take the others down with it.
    @Test func schemaErrorsLandOnTheirOwnClaimAcrossGroups() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let good = String(decoding: try Fixtures.bytes("ramq/one-claim.input.jsonl"), as: UTF8.self)
        var lines: [String] = Array(repeating: good, count: 150)
        lines[2] = good.replacingOccurrences(of: "\"toothOrArea\":\"16\"", with: "\"toothOrArea\":\"99\"")
        lines[69] = good.replacingOccurrences(of: "\"212345\"", with: "\"912345\"")
        lines[100] = good.replacingOccurrences(of: "\"Jean\"", with: "\"Je\\u0001an\"")
        lines[120] = good.replacingOccurrences(of: "\"Tremblay\"", with: "\"Trem\\uffffblay\"")  // not an XML character
        let run = try TreeTranslate.write(
            Array(lines.joined().utf8), mapping: mapping, parameters: ["batchDate": "2024-01-05"])
        #expect(run.summary.translated == 146)
        #expect(run.rejects.map(\.messageNumber) == [3, 70, 101, 121])
        #expect(
            run.rejects.map { $0.error.location.fieldID ?? "" } == [
                "DP/ACTE[1]/@DENT", "DP/@DISP", "DP/PERS_ASSU[1]/@PRE", "DP/PERS_ASSU[1]",
            ])
        #expect(
            run.rejects.map(\.error.code) == [
                .carrierWouldReject, .carrierWouldReject, .notEncodable, .schemaViolation,
            ])
        let validator = try XMLSchemaValidator(path: Fixtures.mappings.appendingPathComponent("ramq/DP_DENTI.xsd").path)
        #expect(validator.validate(run.output).isEmpty)
        let read = try TreeTranslate.read(run.output, mapping: mapping)
        #expect(read.summary.translated == 146)
    }
}
