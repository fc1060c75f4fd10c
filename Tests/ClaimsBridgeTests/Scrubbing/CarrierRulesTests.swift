import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Claims a carrier would reject are refused when written and reported when read, with every problem and
/// its CDAnet error code, and nothing is filled in for a value left out.
@Suite struct CarrierRulesTests {
    static var basic: [String: Any] {
        let bytes = (try? Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")) ?? []
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    }

    /// The basic claim with `change` applied, as one JSON line.
    static func claim(_ change: (inout [String: Any]) -> Void) -> String {
        var object = basic
        change(&object)
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func procedure(_ object: [String: Any]) -> [String: Any] {
        ((object["procedures"] as? [[String: Any]]) ?? [[:]])[0]
    }

    static func setProcedure(_ object: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
        var first = procedure(object)
        change(&first)
        object["procedures"] = [first]
    }

    static func problems(writing line: String) throws -> [CarrierProblem] {
        let run = try Translate.json(Array((line + "\n").utf8))
        #expect(run.output.isEmpty, "nothing may be written for a refused claim")
        return try #require(run.rejects.first).error.problems
    }

    @Test func theClaimOfTheIssueIsRefusedWithEveryProblemAtOnce() throws {
        let line = Self.claim { claim in
            claim["payee"] = nil
            var patient = claim["patient"] as! [String: Any]
            patient["eligibilityException"] = nil
            patient["lastName"] = nil
            claim["patient"] = patient
            claim["coverage"] = ["primary": ["certificateNumber": "TR8830021"], "hasSecondary": "yes"]
            Self.setProcedure(&claim) { line in
                line["toothOrArea"] = "19"
                line["surfaces"] = "XQZ"
                line["typeCodes"] = "Q"
                line["serviceDate"] = "2099-03-12"
                line["labFees"] = [["fee": "120.00"]]
            }
        }
        let problems = try Self.problems(writing: line)
        let codes = Set(problems.map(\.cdanetCode))
        #expect(codes == ["032", "017", "015", "009", "012", "108", "037", "038", "072", "074", "098"], "\(problems)")
        let tooth = try #require(problems.first { $0.fieldID == "F10" })
        #expect(tooth.modelPath == "procedures[0].toothOrArea")
        #expect(tooth.code == .notAccepted)
        let lab = try #require(problems.first { $0.fieldID == "F34" })
        #expect(lab.modelPath == "procedures[0].labFees[0].code")
    }

    @Test func aBadClaimDoesNotStopTheBatch() throws {
        let good = Self.claim { _ in }
        let bad = Self.claim { $0["payee"] = nil }
        let run = try Translate.json(Array((good + "\n" + bad + "\n" + good + "\n").utf8))
        #expect(run.summary.translated == 2)
        #expect(run.summary.rejected == 1)
        let reject = try #require(run.rejects.first)
        #expect(reject.messageNumber == 2)
        #expect(reject.error.code == .carrierWouldReject)
        #expect(reject.error.location.fieldID == "F01")
        #expect(reject.original == Array(bad.utf8))
        let message = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        #expect(run.output == message + message)
    }

    @Test func nothingIsInventedForAValueLeftOutOrNull() throws {
        for (key, field) in [("fee", "F12"), ("lineNumber", "F07"), ("code", "F08")] {
            for value in [nil, NSNull()] as [Any?] {
                let line = Self.claim { claim in Self.setProcedure(&claim) { $0[key] = value } }
                let problems = try Self.problems(writing: line)
                #expect(problems.map(\.fieldID) == [field], "\(key) = \(String(describing: value))")
                #expect(problems.first?.code == .missingValue)
            }
        }
    }

    @Test func aZeroDateIsNotADate() throws {
        let line = Self.claim { $0["accidentDate"] = "0000-00-00" }
        let run = try Translate.json(Array((line + "\n").utf8))
        let reject = try #require(run.rejects.first)
        #expect(reject.error.code == .invalidDate)
        #expect(reject.error.problems.first?.cdanetCode == "033")
    }

    @Test func aVersion02ClaimWithoutPayeeIsNotSentToTheDentist() throws {
        let bytes = try Fixtures.bytes("cdanet/v02/01-claim.expected.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        object["payee"] = nil
        let line = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let problems = try Self.problems(writing: line)
        #expect(problems.map(\.cdanetCode) == ["032"])
    }

    @Test func personalValuesOnlyWithShowPersonalData() throws {
        let line = Self.claim {
            $0["patient"] = (($0["patient"] as! [String: Any]).merging(["birthDate": "2026-05-05"]) { $1 })
        }
        let hidden = try Self.problems(writing: line)
        #expect(hidden.map(\.cdanetCode) == ["014"])
        #expect(!hidden[0].reason.contains("2026-05-05"))
        #expect(hidden[0].reason.contains("2026-03-12"))
        var source = MemoryInput(Array((line + "\n").utf8))
        var sink = MemoryOutput()
        var pipeline = ModelWritePipeline(catalog: Fixtures.catalog)
        pipeline.showPersonalData = true
        var shown: [RejectedMessage] = []
        _ = try pipeline.run(input: &source, output: &sink) { shown.append($0) }
        #expect(shown.first?.error.problems.first?.reason.contains("2026-05-05") == true)
    }

    @Test func readingReportsTheSameRuleAndLenientKeepsTheMessage() throws {
        let bytes = try Fixtures.bytes("cdanet/invalid/carrier-032-payee-zero.txt")
        let strict = try Translate.cdanet(bytes)
        #expect(strict.output.isEmpty)
        let reject = try #require(strict.rejects.first)
        #expect(reject.error.problems.map(\.cdanetCode) == ["032"])
        #expect(reject.error.problems.first?.byteOffset == 344)

        var source = MemoryInput(bytes)
        var sink = MemoryOutput()
        var pipeline = CDAnetReadPipeline(catalog: Fixtures.catalog)
        pipeline.carrierRules = .warn
        var warnings: [RejectedMessage] = []
        pipeline.onWarning = { warnings.append($0) }
        let summary = try pipeline.run(input: &source, output: &sink) { _ in Issue.record("no reject expected") }
        #expect(summary.translated == 1)
        #expect(warnings.first?.error.problems.map(\.cdanetCode) == ["032"])
        // The payee the model cannot express is left out, so writing the JSON back refuses it.
        let back = try Translate.json(sink.bytes)
        #expect(back.output.isEmpty)
        #expect(back.rejects.first?.error.problems.map(\.cdanetCode) == ["032"])
    }

    @Test func aCodeOutsideTheCarriersSetIsRejectedWithItsCDAnetCode() throws {
        var message = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        message[117] = UInt8(ascii: "7")  // C03 relationship: only 1–5 exist
        let reject = try #require(try Translate.cdanet(message).rejects.first)
        #expect(reject.error.code == .carrierWouldReject)
        #expect(reject.error.problems.map(\.cdanetCode) == ["012"])
        #expect(reject.error.problems.first?.byteOffset == 117)
        #expect(reject.error.reason.contains("\"7\""))
    }

    @Test func aSignedFeeIsRefusedWhenReadAndWhenWritten() throws {
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        let fee = Array("004850".utf8)
        let start = try #require((0...(claim.count - fee.count)).first { Array(claim[$0..<$0 + fee.count]) == fee })
        var negative = claim
        negative[start] = UInt8(ascii: "-")
        let read = try #require(try Translate.cdanet(negative).rejects.first)
        #expect(read.error.problems.map(\.cdanetCode) == ["041"])
        #expect(read.error.problems.first?.fieldID == "F12")
        #expect(read.error.problems.first?.byteOffset == start)
        #expect(try Translate.cdanet(claim).rejects.isEmpty)

        let written = try Translate.json(try Fixtures.bytes("cdanet/invalid/carrier-042-lab-fee-negative.json"))
        #expect(written.output.isEmpty)
        #expect(written.rejects.first?.error.problems.map(\.cdanetCode) == ["042"])
        #expect(written.rejects.first?.error.problems.first?.fieldID == "F13")
    }

    @Test func todayComesFromTheContext() throws {
        let mapping = try #require(Fixtures.catalog.mapping(type: "claim", version: "04"))
        let message = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        let record = DecodedRecord()
        try message.withUnsafeBufferPointer { bytes in
            try FixedWidthDecoder(layout: mapping.layout).decode(bytes, baseOffset: 0, into: record)
            let before = mapping.carrierProblems(
                of: record.view, message: bytes, baseOffset: 0, context: CarrierRuleContext(fixedToday: 2026_03_11))
            #expect(before.map(\.cdanetCode) == ["074"])
            let after = mapping.carrierProblems(
                of: record.view, message: bytes, baseOffset: 0, context: CarrierRuleContext(fixedToday: 2026_03_12))
            #expect(after.isEmpty)
        }
        #expect(CarrierRuleContext().today >= 2026_01_01)
    }

    @Test func everyCarrierFixtureIsRefusedWithItsCode() throws {
        let files = Fixtures.files(in: "cdanet/invalid", withExtension: "jsonl").filter { $0.contains("/carrier-") }
        #expect(files.count >= 70)
        for file in files {
            let code = String(file.split(separator: "/").last!.split(separator: "-")[1])
            let text = String(decoding: try Fixtures.bytes(file), as: UTF8.self)
            #expect(text.contains("\"cdanetCode\":\"\(code)\""), "\(file)")
        }
    }
}

/// Normalisation declared in the mapping: applied when writing, never silently when reading.
@Suite struct NormalisationTests {
    @Test func postalCodesAndInitialsAreNormalisedWhenWriting() throws {
        let line = CarrierRulesTests.claim { claim in
            var subscriber = claim["subscriber"] as! [String: Any]
            var address = subscriber["address"] as! [String: Any]
            address["postalCode"] = "h2x 3k8"
            subscriber["address"] = address
            subscriber["middleInitial"] = "a"
            claim["subscriber"] = subscriber
        }
        let run = try Translate.json(Array((line + "\n").utf8))
        #expect(run.rejects.isEmpty, "\(run.rejects.map(\.error.description))")
        #expect(run.output == (try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
    }

    @Test func upperCaseTakesAccentedLetters() {
        let text = Array("é-b ç".utf8)
        let normalized = text.withUnsafeBufferPointer { TextNormalization([.upperCase]).apply(to: $0) }
        #expect(String(decoding: normalized, as: UTF8.self) == "É-B Ç")
        let compact = text.withUnsafeBufferPointer { TextNormalization([.removeSpacesAndDashes]).apply(to: $0) }
        #expect(String(decoding: compact, as: UTF8.self) == "ébç")
    }

    @Test func aLowerCaseValueOnTheWireIsReportedNotChanged() throws {
        let message = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        for (offset, code) in [(327, "023"), (244, "101")] {  // D09 postal code, D04 subscriber middle initial
            var changed = message
            changed[offset] = changed[offset] | 0x20
            let reject = try #require(try Translate.cdanet(changed).rejects.first, "byte \(offset)")
            #expect(reject.error.problems.map(\.cdanetCode) == [code])
        }
    }
}
