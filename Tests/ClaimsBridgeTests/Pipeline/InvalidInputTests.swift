import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Every class of bad CDAnet input is rejected with its position and field, the rest of the batch is still
/// translated, and every input byte ends up either in a translated message or in a reject.
@Suite struct InvalidInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var code: BridgeError.Code
        var messageNumber: Int
        var byteOffset: Int
        var fieldID: String?
        var translated: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(
            name: "truncated-message", code: .truncatedMessage, messageNumber: 3, byteOffset: 832, fieldID: "A07",
            translated: 2),
        .init(
            name: "length-mismatch", code: .lengthMismatch, messageNumber: 2, byteOffset: 508, fieldID: "A07",
            translated: 2),
        .init(
            name: "non-digit-in-numeric", code: .notDigits, messageNumber: 2, byteOffset: 78, fieldID: "A02",
            translated: 2),
        .init(name: "bad-date", code: .invalidDate, messageNumber: 2, byteOffset: 608, fieldID: "F09", translated: 2),
        .init(
            name: "unknown-version", code: .unknownVersion, messageNumber: 2, byteOffset: 82, fieldID: "A03",
            translated: 2),
        .init(
            name: "unknown-transaction", code: .unknownTransaction, messageNumber: 2, byteOffset: 84, fieldID: "A04",
            translated: 2),
        .init(
            name: "count-out-of-range", code: .countOutOfRange, messageNumber: 2, byteOffset: 405, fieldID: "F06",
            translated: 2),
        .init(
            name: "letter-field-digit", code: .notLetters, messageNumber: 2, byteOffset: 390, fieldID: "D08",
            translated: 2),
        .init(
            name: "trailing-garbage", code: .unrecognisedData, messageNumber: 2, byteOffset: 444, fieldID: nil,
            translated: 1),
        .init(name: "empty", code: .emptyInput, messageNumber: 1, byteOffset: 0, fieldID: nil, translated: 0),
    ]

    @Test(arguments: cases)
    func rejectsWithPositionAndField(_ expected: Case) throws {
        let input = try Fixtures.bytes("cdanet/invalid/\(expected.name).txt")
        let run = try Translate.cdanet(input)
        #expect(run.summary.translated == expected.translated)
        let reject = try #require(run.rejects.first)
        #expect(run.rejects.count == 1)
        #expect(reject.error == BridgeError(expected.code, ""))
        #expect(reject.messageNumber == expected.messageNumber)
        #expect((reject.error.location.byteOffset ?? reject.messageOffset) == expected.byteOffset)
        #expect(reject.error.location.fieldID == expected.fieldID)
        #expect(Array(input[reject.messageOffset..<(reject.messageOffset + reject.original.count)]) == reject.original)
    }

    /// A message that cannot be decoded is still reported as a problem, with the CDAnet code a carrier would use.
    @Test(arguments: [
        ("truncated-message", "044"), ("length-mismatch", "044"), ("non-digit-in-numeric", "002"),
        ("bad-date", "036"), ("unknown-version", "003"), ("unknown-transaction", "004"),
        ("count-out-of-range", "034"), ("letter-field-digit", "053"), ("trailing-garbage", ""),
    ])
    func decoderRejectsCarryProblems(_ name: String, _ cdanetCode: String) throws {
        let run = try Translate.cdanet(try Fixtures.bytes("cdanet/invalid/\(name).txt"))
        let reject = try #require(run.rejects.first)
        #expect(reject.error.problems.count == 1)
        let problem = try #require(reject.error.problems.first)
        #expect(problem.code == reject.error.code)
        #expect(problem.cdanetCode == cdanetCode)
        #expect(problem.fieldID == (reject.error.location.fieldID ?? ""))
        #expect(String(decoding: reject.jsonLine, as: UTF8.self).contains("\"problems\":[{\"code\":"))
    }

    @Test(arguments: cases)
    func matchesTheGoldenErrorsFile(_ expected: Case) throws {
        let run = try Translate.cdanet(try Fixtures.bytes("cdanet/invalid/\(expected.name).txt"))
        let lines = run.rejects.map { String(decoding: $0.jsonLine, as: UTF8.self) + "\n" }.joined()
        let file = Fixtures.url("cdanet/invalid/\(expected.name).expected-errors.jsonl")
        if Fixtures.isRecording {
            try lines.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded \(file.lastPathComponent)")
            return
        }
        #expect(lines == (try String(contentsOf: file, encoding: .utf8)))
    }

    @Test(arguments: cases.filter { $0.name != "empty" })
    func nothingIsLost(_ expected: Case) throws {
        let input = try Fixtures.bytes("cdanet/invalid/\(expected.name).txt")
        let run = try Translate.cdanet(input)
        let translatedBytes = try Translate.json(run.output).output
        let accounted = translatedBytes.count + run.rejects.reduce(0) { $0 + $1.original.count }
        let separators = input.filter { $0 == 0x0D || $0 == 0x0A }.count
        #expect(accounted + separators == input.count)
    }

    @Test func failFastStopsAtTheFirstReject() throws {
        let run = try Translate.cdanet(try Fixtures.bytes("cdanet/invalid/bad-date.txt"), failFast: true)
        #expect(run.summary.stoppedEarly)
        #expect(run.summary.translated == 1)
        #expect(run.rejects.count == 1)
    }

    @Test func personalDataNeverAppearsInErrors() throws {
        var message = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        // C05, the patient's birth date (offset 119), becomes 1982-13-14.
        message.replaceSubrange(119..<127, with: Array("19821314".utf8))
        let run = try Translate.cdanet(message)
        let reject = try #require(run.rejects.first)
        #expect(reject.error.location.fieldID == "C05")
        let text = reject.diagnostic(inputName: "stdin") + String(decoding: reject.jsonLine, as: UTF8.self)
        #expect(!text.contains("1982"))
        #expect(!text.contains("13"))
        #expect(!text.contains("Tremblay"))
    }

    @Test func unknownCodeIsRejectedNamingTheField() throws {
        var message = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        message[118] = UInt8(ascii: "X")  // C04 sex: only M and F exist (no carrier rule covers C04 in a claim)
        let run = try Translate.cdanet(message)
        let reject = try #require(run.rejects.first)
        #expect(reject.error == BridgeError(.unknownCode, ""))
        #expect(reject.error.location.fieldID == "C04")
        #expect(reject.error.reason.contains("M, F"))
    }
}
