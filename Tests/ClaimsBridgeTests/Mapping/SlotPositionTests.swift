import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Fixed slots (an EOB line's two labs, a claim line's two lab fees) keep their positions: a second slot
/// filled after an empty first one is read as the second element and written back into the second slot.
@Suite struct SlotPositionTests {
    /// `json` with the first occurrence of `old` replaced by `new`.
    static func replacingFirst(_ old: String, with new: String, in json: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: json, as: UTF8.self)
        let range = try #require(text.range(of: old))
        return Array(text.replacingCharacters(in: range, with: new).utf8)
    }

    /// The first procedure's slots array (`key`) of the single message in `json`.
    static func firstSlots(_ key: String, in json: [UInt8]) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        let procedures = try #require(object["procedures"] as? [[String: Any]])
        return try #require(procedures.first?[key] as? [[String: Any]])
    }

    /// The first byte where `written` differs from `message`, or nil when they are the same.
    static func firstDifference(_ written: [UInt8], _ message: [UInt8]) -> Int? {
        guard written != message else { return nil }
        return (0..<min(written.count, message.count)).first { written[$0] != message[$0] } ?? min(written.count, message.count)
    }

    /// CDAnet bytes for `json`, then read and written back: the bytes must come back unchanged.
    static func roundTrip(_ json: [UInt8]) throws -> (message: [UInt8], read: [UInt8], written: [UInt8]) {
        let message = try Translate.json(json).output
        let read = try Translate.cdanet(message)
        #expect(read.rejects.isEmpty)
        return (message, read.output, try Translate.json(read.output).output)
    }

    @Test func anEOBLabTwoAfterAnEmptyLabOneStaysLabTwo() throws {
        let eob = try Fixtures.bytes("cdanet/v04/21-eob-maximal.expected.json")
        let json = try Self.replacingFirst(
            #""labs":[{"eligibleAmount":"350.00","deductible":"0.00","percentage":50,"benefit":"175.00"},"#,
            with: #""labs":[{"eligibleAmount":"0.00","deductible":"0.00","percentage":0,"benefit":"0.00"},"#, in: eob)
        let run = try Self.roundTrip(json)
        #expect(Self.firstDifference(run.written, run.message) == nil)
        let labs = try Self.firstSlots("labs", in: run.read)
        #expect(labs.count == 2)
        #expect(labs.first?["eligibleAmount"] as? String == "0.00")
        #expect(labs.last?["eligibleAmount"] as? String == "45.50")
    }

    @Test func aClaimLabFeeTwoAfterAnEmptyLabFeeOneStaysLabFeeTwo() throws {
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-maximal.expected.json")
        let json = try Self.replacingFirst(
            #""labFees":[{"code":"99111","fee":"350.00"},"#, with: #""labFees":[{"fee":"0.00"},"#, in: claim)
        let run = try Self.roundTrip(json)
        #expect(Self.firstDifference(run.written, run.message) == nil)
        let fees = try Self.firstSlots("labFees", in: run.read)
        #expect(fees.count == 2)
        #expect(fees.last?["code"] as? String == "99222")
    }

    @Test func emptySlotsAtTheEndAreLeftOut() throws {
        let eob = try Fixtures.bytes("cdanet/v04/21-eob-maximal.expected.json")
        let json = try Self.replacingFirst(
            #",{"eligibleAmount":"45.50","deductible":"0.00","percentage":50,"benefit":"22.75"}],"note1":1"#,
            with: #"],"note1":1"#, in: eob)
        let run = try Self.roundTrip(json)
        #expect(Self.firstDifference(run.written, run.message) == nil)
        #expect(try Self.firstSlots("labs", in: run.read).count == 1)
    }

    /// The fuzz finding: an EOB line with lab #1 all zeros and lab #2 filled.
    @Test func theFuzzFindingWritesBackByteForByte() throws {
        let path = "Fuzz/Regressions/cdanet-roundtrip/crash-beb0438e390861d9b345022d55534b6610adc444"
        let input = Array(try Data(contentsOf: Fixtures.root.appendingPathComponent(path)))
        #expect(CDAnetFuzzChecks.roundTrip(input, catalog: Fixtures.catalog) == nil)
    }
}
