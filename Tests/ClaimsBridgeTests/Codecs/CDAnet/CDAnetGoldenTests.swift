import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Every good fixture reads into its golden JSON, and writes back to the same bytes.
@Suite struct CDAnetGoldenTests {
    static let fixtures =
        Fixtures.files(in: "cdanet/v04", withExtension: "txt")
        + Fixtures.files(in: "cdanet/v02", withExtension: "txt")

    @Test func everyTransactionHasAFixture() {
        let transactions = Set(
            Self.fixtures.map {
                String($0.split(separator: "/")[1]) + "-" + String($0.split(separator: "/")[2].prefix(2))
            })
        for mapping in Fixtures.catalog.mappings {
            let key = "v\(mapping.layout.version)-\(mapping.layout.transaction)"
            #expect(transactions.contains(key), "no fixture for \(mapping.name)")
        }
        #expect(Fixtures.catalog.mappings.count == 30)
    }

    @Test(arguments: fixtures)
    func readsIntoGoldenJSON(_ fixture: String) throws {
        let run = try Translate.cdanet(try Fixtures.bytes(fixture))
        #expect(run.rejects.isEmpty, "\(run.rejects.map { $0.error.description })")
        let expectedFile = Fixtures.url(fixture.replacingOccurrences(of: ".txt", with: ".expected.json"))
        if Fixtures.isRecording {
            try Data(run.output).write(to: expectedFile)
            Issue.record("recorded \(expectedFile.lastPathComponent); review it and run again without RECORD_SNAPSHOTS")
            return
        }
        let expected = Array(try Data(contentsOf: expectedFile))
        #expect(run.output == expected)
    }

    @Test(arguments: fixtures)
    func writesBackTheSameBytes(_ fixture: String) throws {
        let original = try Fixtures.bytes(fixture)
        let json = try Translate.cdanet(original)
        let back = try Translate.json(json.output)
        #expect(back.rejects.isEmpty, "\(back.rejects.map { $0.error.description })")
        #expect(back.output == original)
    }

    @Test(arguments: fixtures)
    func modelSurvivesWritingAndReading(_ fixture: String) throws {
        let json = try Translate.cdanet(try Fixtures.bytes(fixture)).output
        let again = try Translate.cdanet(try Translate.json(json).output).output
        #expect(again == json)
    }

    @Test func wholeBatchRoundTripsForEachVersion() throws {
        for folder in ["cdanet/v04", "cdanet/v02"] {
            let batch = try Fixtures.files(in: folder, withExtension: "txt").flatMap { try Fixtures.bytes($0) }
            let json = try Translate.cdanet(batch)
            #expect(json.summary.translated == Fixtures.files(in: folder, withExtension: "txt").count)
            #expect(try Translate.json(json.output).output == batch)
        }
    }

    @Test func accentedNamesAreDecodedFromCodePage850() throws {
        let json = String(
            decoding: try Translate.cdanet(try Fixtures.bytes("cdanet/v04/01-claim-maximal.txt")).output, as: UTF8.self)
        #expect(json.contains("\"lastName\":\"Côté\""))
        #expect(json.range(of: "[éêÇçèà]", options: .regularExpression) != nil)
    }

    @Test func embeddedEOBIsReadAsAModelObject() throws {
        let json = String(
            decoding: try Translate.cdanet(try Fixtures.bytes("cdanet/v04/07-cob-claim.txt")).output, as: UTF8.self)
        #expect(json.contains("\"primaryEOB\":{\"schemaVersion\":1,\"type\":\"explanationOfBenefits\""))
    }
}
