import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Writing CDAnet from model JSON refuses bad values with the model path and field, and keeps going.
@Suite struct ModelWriteErrorTests {
    static let claimJSON: String = {
        let bytes = (try? Translate.cdanet(try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")).output) ?? []
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
    }()

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var replace: String
        var with: String
        var code: BridgeError.Code
        var path: String?
        var fieldID: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(
            name: "name too long", replace: "\"lastName\":\"Tremblay\"",
            with: "\"lastName\":\"Tremblay-Gauthier-Bouchard-Lefebvre\"", code: .valueTooLong, path: "patient.lastName",
            fieldID: "C06"),
        .init(
            name: "digit in a name", replace: "\"firstName\":\"Marc\"", with: "\"firstName\":\"Marc2\"",
            code: .notLetters, path: "patient.firstName", fieldID: "C07"),
        .init(
            name: "character outside code page 850", replace: "\"firstName\":\"Marc\"",
            with: "\"firstName\":\"Ma\\u4e00c\"", code: .notEncodable, path: "patient.firstName", fieldID: "C07"),
        .init(
            name: "impossible date", replace: "\"birthDate\":\"1982-06-14\"", with: "\"birthDate\":\"1982-02-30\"",
            code: .invalidDate, path: "patient.birthDate", fieldID: "C05"),
        .init(
            name: "unknown code name", replace: "\"relationship\":\"self\"", with: "\"relationship\":\"cousin\"",
            code: .unknownCode, path: "coverage.primary.relationship", fieldID: "C03"),
        .init(
            name: "money with three decimals", replace: "\"fee\":\"48.50\"", with: "\"fee\":\"48.505\"",
            code: .invalidMoney, path: "procedures[0].fee", fieldID: "F12"),
        .init(
            name: "money too large", replace: "\"fee\":\"48.50\"", with: "\"fee\":\"10000.00\"", code: .valueTooLong,
            path: "procedures[0].fee", fieldID: "F12"),
        .init(
            name: "number where text is expected", replace: "\"lastName\":\"Tremblay\"", with: "\"lastName\":42",
            code: .wrongValueType, path: "patient.lastName", fieldID: "C06"),
        .init(
            name: "unknown type", replace: "\"type\":\"claim\"", with: "\"type\":\"invoice\"", code: .unknownModelType,
            path: "type", fieldID: nil),
        .init(
            name: "misspelt key", replace: "\"lastName\":\"Tremblay\"", with: "\"lastname\":\"Tremblay\"",
            code: .unknownKey, path: "patient.lastname", fieldID: nil),
        .init(
            name: "no procedures", replace: "\"procedures\":[", with: "\"ignored\":[", code: .unknownKey,
            path: "ignored", fieldID: nil),
        .init(
            name: "version without a layout", replace: "\"version\":\"04\"", with: "\"version\":\"03\"",
            code: .unknownModelType, path: "routing.version", fieldID: nil),
    ]

    @Test(arguments: cases)
    func rejectsWithPathAndField(_ expected: Case) throws {
        #expect(Self.claimJSON.contains(expected.replace))
        let bad = Self.claimJSON.replacingOccurrences(of: expected.replace, with: expected.with)
        let input = Array((Self.claimJSON + "\n" + bad + "\n" + Self.claimJSON + "\n").utf8)
        let run = try Translate.json(input)
        #expect(run.summary.translated == 2)
        let reject = try #require(run.rejects.first)
        #expect(reject.error == BridgeError(expected.code, ""), "\(reject.error)")
        #expect(reject.messageNumber == 2)
        #expect(reject.error.location.modelPath == expected.path)
        #expect(reject.error.location.fieldID == expected.fieldID)
        #expect(reject.original == Array(bad.utf8))
        #expect(!reject.error.reason.contains("Tremblay"))
    }

    @Test func eightProceduresDoNotFitOneMessage() throws {
        let procedure = try #require(Self.claimJSON.range(of: "\\{\"lineNumber\":1.*?\\}", options: .regularExpression))
        let one = String(Self.claimJSON[procedure])
        let eight = Array(repeating: one, count: 8).joined(separator: ",")
        let bad = Self.claimJSON.replacingOccurrences(of: one, with: eight)
        let run = try Translate.json(Array(bad.utf8))
        let reject = try #require(run.rejects.first)
        #expect(reject.error == BridgeError(.tooManyItems, ""))
        #expect(reject.error.location.fieldID == "F06")
    }

    @Test func invalidJSONIsRejectedWithItsOffset() throws {
        let run = try Translate.json(Array("{\"type\": \"claim\",}\n".utf8))
        let reject = try #require(run.rejects.first)
        #expect(reject.error == BridgeError(.invalidJSON, ""))
        #expect(reject.error.location.byteOffset == 17)
    }

    @Test func moneyAcceptsNumbersAndShortForms() throws {
        for (written, wire) in [("\"48.5\"", "004850"), ("48.5", "004850"), ("48", "004800"), ("\"0\"", "000000")] {
            let json = Self.claimJSON.replacingOccurrences(of: "\"fee\":\"48.50\"", with: "\"fee\":\(written)")
            let run = try Translate.json(Array(json.utf8))
            #expect(run.rejects.isEmpty, "\(written)")
            #expect(String(decoding: run.output, as: UTF8.self).contains("01202" + "20260312" + "00" + "     " + wire))
        }
    }

    @Test func blankLinesAreSkippedAndCRLFAccepted() throws {
        let input = Array(("\n" + Self.claimJSON + "\r\n\r\n" + Self.claimJSON + "\n").utf8)
        let run = try Translate.json(input, chunkSize: 7, readSize: 7)
        #expect(run.rejects.isEmpty)
        #expect(run.summary.translated == 2)
    }

    @Test func sparseModelWritesBlanksThatReadBack() throws {
        let json =
            #"{"schemaVersion":1,"type":"claimReversal","routing":{"version":"04","officeSequenceNumber":"000101","carrierId":"000125","softwareSystemId":"CB1"},"#
            + #""providers":{"treating":{"cdaNumber":"123456789","officeNumber":"0001"}},"#
            + #""coverage":{"primary":{"policyNumber":"GRP4471","certificateNumber":"TR8830021"}},"#
            + #""originalTransactionReference":"A\"B\\C"}"#
        let written = try Translate.json(Array((json + "\n").utf8))
        #expect(written.rejects.isEmpty)
        #expect(written.output.count == 164)
        let read = try Translate.cdanet(written.output)
        #expect(read.rejects.isEmpty, "\(read.rejects.map(\.error.description))")
        let text = String(decoding: read.output, as: UTF8.self)
        #expect(text.contains(#""originalTransactionReference":"A\"B\\C""#))
        #expect(!text.contains("relationship"))
    }
}
