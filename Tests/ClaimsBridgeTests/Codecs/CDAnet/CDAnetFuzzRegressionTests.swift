import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// The fuzz targets' invariants hold on their seed corpus (the fixtures) and on every crasher the fuzzer
/// ever found, kept in `Fuzz/Regressions/<target>/`.
@Suite struct CDAnetFuzzRegressionTests {
    static func inputs(_ target: String) -> [String] {
        let folder = Fixtures.root.appendingPathComponent("Fuzz/Regressions/\(target)").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { folder + "/" + $0 }
    }

    static let seeds: [String] = ["cdanet/v04", "cdanet/v02", "cdanet/invalid"].flatMap {
        Fixtures.files(in: $0, withExtension: "txt")
    }

    @Test(arguments: seeds)
    func seedsKeepTheInvariants(_ name: String) throws {
        let input = try Fixtures.bytes(name)
        #expect(CDAnetFuzzChecks.framing(input, catalog: Fixtures.catalog) == nil)
        #expect(CDAnetFuzzChecks.roundTrip(input, catalog: Fixtures.catalog) == nil)
    }

    @Test func framingCrashersStayFixed() throws {
        for path in Self.inputs("cdanet-framer") {
            let input = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(CDAnetFuzzChecks.framing(input, catalog: Fixtures.catalog) == nil, "\(path)")
        }
    }

    @Test func roundTripCrashersStayFixed() throws {
        for path in Self.inputs("cdanet-roundtrip") {
            let input = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(CDAnetFuzzChecks.roundTrip(input, catalog: Fixtures.catalog) == nil, "\(path)")
        }
    }

    @Test func attachmentDataEndingInSpacesRoundTripsByteForByte() throws {
        var attachment = try Fixtures.bytes("cdanet/v04/09-attachment.txt")
        let end = attachment.count
        attachment.replaceSubrange((end - 3)..<end, with: Array("   ".utf8))
        #expect(CDAnetFuzzChecks.roundTrip(attachment, catalog: Fixtures.catalog) == nil)
        let json = try Translate.cdanet(attachment).output
        #expect(try Translate.json(json).output == attachment)
    }

    /// A blank plan record where C18 says one is included is never dropped or changed: the carrier would refuse
    /// it (error 131), so reading refuses it with its bytes kept.
    @Test func aBlankPlanRecordIsRefusedNotDropped() throws {
        var request = try Fixtures.bytes("cdanet/v04/08-eligibility-plan-record.txt")
        request.replaceSubrange(214..<244, with: [UInt8](repeating: UInt8(ascii: " "), count: 30))
        let run = try Translate.cdanet(request)
        #expect(run.output.isEmpty)
        #expect(run.rejects.map(\.original) == [request])
        #expect(run.rejects.first?.error.problems.contains { $0.fieldID == "C19" && $0.cdanetCode == "131" } == true)
    }
}
