import Foundation
import Testing

@testable import ClaimsBridge

/// Money is exact whole cents: parsed and formatted as decimal text, never through floating point.
@Suite struct ModelMoneyTests {
    /// Decodes one JSON value (the text of a JSON document) as Money.
    func decode(_ json: String) throws -> Money {
        try JSONDecoder().decode(Money.self, from: Data(json.utf8))
    }

    func encode(_ money: Money) throws -> String {
        String(decoding: try JSONEncoder().encode(money), as: UTF8.self)
    }

    @Test(arguments: [
        ("125.50", Int64(12550)), ("125.5", 12550), ("125", 12500), ("0.00", 0), ("0", 0), ("-5.00", -500),
        ("-5", -500), ("-0.01", -1), ("-0.00", 0), (".5", 50), ("007.07", 707), ("4683.48", 468348),
        ("92233720368547758.07", Int64.max), ("-92233720368547758.07", -Int64.max),
    ])
    func parsesText(_ text: String, _ cents: Int64) {
        #expect(Money(text)?.cents == cents)
    }

    @Test(arguments: [
        "", "-", ".", "5.", "1.005", "0.001", "12.345", "+5", " 5", "5 ", "1,50", "1.5.0", "--5", "1e2", "abc",
        "92233720368547758.08", "99999999999999999999", "-92233720368547758.09",
    ])
    func rejectsMalformedText(_ text: String) {
        #expect(Money(text) == nil)
    }

    @Test(arguments: [
        (Int64(12550), "125.50"), (0, "0.00"), (-500, "-5.00"), (-1, "-0.01"), (5, "0.05"), (100, "1.00"),
        (Int64.max, "92233720368547758.07"), (Int64.min, "-92233720368547758.08"),
    ])
    func formatsWithTwoDecimals(_ cents: Int64, _ text: String) {
        #expect(Money(cents: cents).description == text)
    }

    @Test func encodesAsAString() throws {
        #expect(try encode(Money(cents: 12550)) == "\"125.50\"")
        #expect(try encode(Money(cents: -500)) == "\"-5.00\"")
        #expect(try encode(.zero) == "\"0.00\"")
    }

    @Test func decodesStrings() throws {
        #expect(try decode("\"125.50\"") == Money(cents: 12550))
        #expect(try decode("\"125.5\"") == Money(cents: 12550))
        #expect(try decode("\"-5.00\"") == Money(cents: -500))
    }

    /// JSON numbers are read from their decimal digits: 0.1, 1.15 and 4683.48 are not binary-rounded.
    @Test func decodesNumbersExactly() throws {
        #expect(try decode("125.5") == Money(cents: 12550))
        #expect(try decode("125") == Money(cents: 12500))
        #expect(try decode("-5") == Money(cents: -500))
        #expect(try decode("0.1") == Money(cents: 10))
        #expect(try decode("1.15") == Money(cents: 115))
        #expect(try decode("4683.48") == Money(cents: 468348))
        #expect(try decode("12345678901234.56") == Money(cents: 1_234_567_890_123_456))
        #expect(try decode("1e2") == Money(cents: 10000))
    }

    @Test func rejectsMoreThanTwoDecimals() {
        #expect(throws: DecodingError.self) { try decode("\"1.005\"") }
        #expect(throws: DecodingError.self) { try decode("1.005") }
        #expect(throws: DecodingError.self) { try decode("0.001") }
    }

    @Test func rejectsOtherJSON() {
        #expect(throws: DecodingError.self) { try decode("\"12,50\"") }
        #expect(throws: DecodingError.self) { try decode("true") }
        #expect(throws: DecodingError.self) { try decode("null") }
        #expect(throws: DecodingError.self) { try decode("[1]") }
        #expect(throws: DecodingError.self) { try decode("99999999999999999999") }
    }

    @Test func roundTripsEveryCentNearZeroAndLargeValues() throws {
        for cents in Array(Int64(-1_000)...1_000) + [Int64.max, Int64.min + 1, 999_999_999_99, -999_999_999_99] {
            let money = Money(cents: cents)
            #expect(Money(money.description) == money)
            #expect(try decode(try encode(money)) == money)
        }
    }

    @Test func arithmeticAndOrder() {
        let fee = Money("1050.00")!
        let lab = Money("45.50")!
        #expect(fee + lab == Money(cents: 109_550))
        #expect(fee - lab == Money(cents: 100_450))
        #expect(lab < fee)
        #expect(Money.zero == Money(cents: 0))
    }
}
