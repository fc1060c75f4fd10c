import ClaimsBridgeTestSupport
import Testing

@testable import ClaimsBridge

/// The plan (the checks laid out for one pass) finds exactly the problems the general walk finds, field by
/// field, on every CDAnet fixture and on each of them with one field changed at a time.
@Suite struct CarrierRulePlanTests {
    /// Values a changed field is filled with: blanks, zeros, digits, letters, small letters, and for fields of
    /// two or eight bytes some codes and dates.
    static func variants(length: Int) -> [[UInt8]] {
        var fills: [[UInt8]] = (Array(" 0192ANOYXaz".utf8) + [0x82]).map { [UInt8](repeating: $0, count: length) }
        fills.append([UInt8](repeating: UInt8(ascii: " "), count: max(length - 1, 0)) + [UInt8(ascii: "1")])
        if length > 1 { fills.append([UInt8(ascii: "1")] + [UInt8](repeating: UInt8(ascii: " "), count: length - 1)) }
        let words: [String] =
            switch length {
            case 2: ["19", "11", "00", "QC", "NY", "ZZ", "A ", "01", "10", "99"]
            case 3: ["MOD", "XQZ", "MMO", "M O", "ABC", "JPG"]
            case 6: ["H2X1Y4", "12345 ", "h2x1y4", "000100"]
            case 8: ["20991231", "19000101", "20260601", "20260602", "00000000", "2026061 "]
            case 9: ["123456789", "12345    "]
            default: []
            }
        return fills + words.map { Array($0.utf8) }
    }

    @Test func thePlanFindsWhatTheGeneralWalkFinds() throws {
        let files = ["cdanet/v04", "cdanet/v02", "cdanet/invalid"].flatMap {
            Fixtures.files(in: $0, withExtension: "txt")
        }
        let mappings = Fixtures.catalog.mappings.filter { $0.carrierRules != nil }
        let context = CarrierRuleContext(fixedToday: 2026_06_01)
        var compared = 0
        var withProblems = 0
        let record = DecodedRecord()
        for file in files {
            let original = try Fixtures.bytes(file)
            for mapping in mappings {
                let decoder = FixedWidthDecoder(layout: mapping.layout)
                func compare(_ message: [UInt8], _ what: String) {
                    message.withUnsafeBufferPointer { bytes in
                        guard (try? decoder.decode(bytes, baseOffset: 0, into: record)) != nil else { return }
                        let planned = mapping.carrierProblems(
                            of: record.view, message: bytes, baseOffset: 0, context: context)
                        let walked = mapping.carrierProblems(
                            of: record.view, message: bytes, baseOffset: 0, context: context, generalWalk: true)
                        #expect(planned == walked, "\(file), \(mapping.name), \(what)")
                        compared += 1
                        if !walked.isEmpty { withProblems += 1 }
                    }
                }
                compare(original, "as is")
                guard (try? original.withUnsafeBufferPointer { try decoder.decode($0, baseOffset: 0, into: record) })
                    != nil
                else { continue }
                let spans = (0..<record.spanCount).map {
                    (Int(record.spanOffset[$0]), Int(record.spanLength[$0]))
                }
                for (offset, length) in spans where length > 0 {
                    for fill in Self.variants(length: length) where fill.count == length {
                        var changed = original
                        changed.replaceSubrange(offset..<offset + length, with: fill)
                        compare(changed, "bytes \(offset)..<\(offset + length) = \(fill)")
                    }
                }
            }
        }
        #expect(compared > 5_000)
        #expect(withProblems > 1_000)
    }
}
