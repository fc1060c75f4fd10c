import Testing

@testable import ClaimsBridge

/// Whole numbers and cents written by a tree mapping: a number's own leading zeros are dropped, a width zero-fills,
/// and partner JSON gets a bare number only where JSON allows one (no leading 0), a string otherwise.
@Suite struct TreeTransformNumberTests {
    static let written: [(TreeTransform, TreeValue, String, TreeNode.Kind)] = [
        (.integer(width: nil), .number("7"), "7", .number),
        (.integer(width: nil), .string("007"), "7", .number),
        (.integer(width: nil), .string("000"), "0", .number),
        (.integer(width: 3), .number("1"), "001", .string),
        (.integer(width: 3), .string("0120"), "120", .number),
        (.cents(width: nil), .string("125.50"), "12550", .number),
        (.cents(width: 6), .string("125.50"), "012550", .string),
        (.cents(width: 6), .string("0.00"), "000000", .string),
        (.digits(width: 5), .string("42"), "00042", .string),
    ]

    @Test(arguments: written)
    func writesTheNumberAndHowJSONCarriesIt(
        _ transform: TreeTransform, _ value: TreeValue, _ text: String, _ kind: TreeNode.Kind
    ) throws {
        let (writtenText, writtenKind) = try transform.write(value)
        #expect(writtenText == text)
        #expect(writtenKind == kind)
    }

    @Test func aNumberTooWideForItsWidthIsRefused() {
        #expect(throws: TransformFailure.self) { try TreeTransform.integer(width: 2).write(.number("123")) }
        #expect(throws: TransformFailure.self) { try TreeTransform.cents(width: 4).write(.string("125.50")) }
    }
}
