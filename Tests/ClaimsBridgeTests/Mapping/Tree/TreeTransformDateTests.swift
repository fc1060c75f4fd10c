import Testing

@testable import ClaimsBridge

/// Partner dates in each spelling a tree mapping accepts: the digits are taken without the dashes, and a date
/// with too few or too many digits, a letter, or a day that does not exist is refused.
@Suite struct TreeTransformDateTests {
    static let accepted: [(String, TreeTransform.DateFormat, String)] = [
        ("20240105", .yyyymmdd, "2024-01-05"), ("240105", .yymmdd, "2024-01-05"),
        ("2024-01-05", .iso, "2024-01-05"), ("202401", .yyyymm, "2024-01-01"), ("2401", .yymm, "2024-01-01"),
        ("20240229", .yyyymmdd, "2024-02-29"), ("991231", .yymmdd, "2099-12-31"), ("24-01-05", .yymmdd, "2024-01-05"),
    ]

    @Test(arguments: accepted)
    func readsEachSpelling(_ text: String, _ format: TreeTransform.DateFormat, _ iso: String) throws {
        #expect(try TreeTransform.calendarDate(text, format: format).description == iso)
    }

    static let refused: [(String, TreeTransform.DateFormat, String)] = [
        ("2024010", .yyyymmdd, "must be a date written YYYYMMDD"),
        ("202401055", .yyyymmdd, "must be a date written YYYYMMDD"),
        ("2024O105", .yyyymmdd, "must be a date written YYYYMMDD"),
        ("20240105", .iso, "must be a date written YYYY-MM-DD"),
        ("2024-01-055", .iso, "must be a date written YYYY-MM-DD"),
        ("", .yymm, "must be a date written YYMM"),
        ("20230229", .yyyymmdd, "is not a real calendar date"),
        ("241301", .yymmdd, "is not a real calendar date"),
        ("202400", .yyyymm, "is not a real calendar date"),
    ]

    @Test(arguments: refused)
    func refusesWhatIsNotADate(_ text: String, _ format: TreeTransform.DateFormat, _ reason: String) {
        #expect(throws: TransformFailure.self) { try TreeTransform.calendarDate(text, format: format) }
        do {
            _ = try TreeTransform.calendarDate(text, format: format)
        } catch {
            #expect(error.reason == reason)
        }
    }
}
