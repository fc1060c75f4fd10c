import Foundation
import Testing

@testable import ClaimsBridge

/// Dates are real calendar days written as YYYY-MM-DD.
@Suite struct ModelCalendarDateTests {
    func decode(_ text: String) throws -> CalendarDate {
        try JSONDecoder().decode(CalendarDate.self, from: Data("\"\(text)\"".utf8))
    }

    @Test(arguments: ["2028-02-29", "2000-02-29", "2026-02-28", "2026-12-31", "2026-04-30", "0001-01-01", "9999-12-31"])
    func acceptsRealDates(_ text: String) throws {
        let date = try decode(text)
        #expect(date.description == text)
        #expect(String(decoding: try JSONEncoder().encode(date), as: UTF8.self) == "\"\(text)\"")
    }

    @Test(arguments: [
        "2026-02-29", "1900-02-29", "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
        "2026-01-32", "0000-01-01", "20260101", "2026-1-01", "2026/01/01", "2026-01-01T00:00", " 2026-01-01",
        "", "abcd-ef-gh",
    ])
    func rejectsInvalidDates(_ text: String) {
        #expect(CalendarDate(text) == nil)
        #expect(throws: DecodingError.self) { try decode(text) }
    }

    @Test func componentsAndValidation() throws {
        let date = try #require(CalendarDate(year: 2028, month: 2, day: 29))
        #expect(date.year == 2028 && date.month == 2 && date.day == 29)
        #expect(CalendarDate(year: 2026, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2026, month: 6, day: 31) == nil)
        #expect(CalendarDate(year: 10_000, month: 1, day: 1) == nil)
        #expect(CalendarDate(year: 5, month: 3, day: 7)?.description == "0005-03-07")
    }

    @Test func ordersByDay() throws {
        let dates = try ["2026-03-12", "2025-12-31", "2026-03-02", "2026-01-15"].map { try #require(CalendarDate($0)) }
        #expect(dates.sorted().map(\.description) == ["2025-12-31", "2026-01-15", "2026-03-02", "2026-03-12"])
    }

    @Test func rejectsNonStrings() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CalendarDate.self, from: Data("20260312".utf8))
        }
    }
}
