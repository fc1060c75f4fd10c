import Testing

@testable import ClaimsBridge

/// Timestamps: canonical UTC form, offsets converted, fractions dropped, nonsense refused.
@Suite struct UTCTimestampTests {
    @Test(arguments: [
        ("2026-03-12T14:05:00Z", "2026-03-12T14:05:00Z"),
        ("2026-03-12T14:05:00.250Z", "2026-03-12T14:05:00Z"),
        ("2026-03-12T09:05:00-05:00", "2026-03-12T14:05:00Z"),
        ("2026-03-01T00:30:00+01:00", "2026-02-28T23:30:00Z"),
        ("2024-02-28T23:30:00-01:00", "2024-02-29T00:30:00Z"),
        ("2026-12-31T23:00:00-02:00", "2027-01-01T01:00:00Z"),
    ])
    func canonicalForm(_ input: String, _ expected: String) throws {
        #expect(try #require(UTCTimestamp(input)).description == expected)
    }

    @Test(arguments: [
        "2026-03-12", "2026-03-12T14:05Z", "2026-02-30T10:00:00Z", "2026-03-12T24:00:00Z", "2026-03-12T14:05:00",
        "2026-03-12T14:05:00+0500", "2026-03-12T14:05:00.Z", "2026-03-12T14:05:60Z",
    ])
    func refused(_ input: String) {
        #expect(UTCTimestamp(input) == nil)
    }
}
