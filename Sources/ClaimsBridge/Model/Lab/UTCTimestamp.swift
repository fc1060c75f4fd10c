/// A moment in time as the model writes it: ISO 8601 in UTC, `2026-03-12T14:05:00Z`.
///
/// ``init(_:)`` also reads fractions of a second (dropped) and offsets such as `-05:00` (converted to UTC),
/// so partner timestamps become the canonical form.
public struct UTCTimestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The calendar day in UTC.
    public let date: CalendarDate
    /// Seconds since midnight UTC, 0–86399.
    public let secondOfDay: Int

    /// A timestamp from its parts, or nil when they are out of range.
    public init?(date: CalendarDate, hour: Int, minute: Int, second: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        self.date = date
        secondOfDay = hour * 3600 + minute * 60 + second
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `±HH:MM`, with optional fractional seconds.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 32,
            bytes[13] == 58, bytes[16] == 58,
            let date = CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self))
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 48 && bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else {
            return nil
        }
        var index = 19
        if bytes[index] == 46 {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 { index += 1 }
            guard index > start else { return nil }
        }
        var offset = 0
        if index == bytes.count - 1, bytes[index] == 90 {
            offset = 0
        } else if index == bytes.count - 6, bytes[index] == 43 || bytes[index] == 45, bytes[index + 3] == 58,
            let oh = number((index + 1)..<(index + 3)), let om = number((index + 4)..<(index + 6)), oh <= 23, om <= 59
        {
            offset = (oh * 3600 + om * 60) * (bytes[index] == 45 ? -1 : 1)
        } else {
            return nil
        }
        guard let local = UTCTimestamp(date: date, hour: hour, minute: minute, second: second) else { return nil }
        self = local.adding(seconds: -offset)
    }

    private init(date: CalendarDate, secondOfDay: Int) {
        self.date = date
        self.secondOfDay = secondOfDay
    }

    /// This moment moved by `seconds` (less than a day either way).
    func adding(seconds: Int) -> UTCTimestamp {
        var second = secondOfDay + seconds
        var day = date
        if second < 0 {
            second += 86_400
            day = day.previousDay
        } else if second >= 86_400 {
            second -= 86_400
            day = day.nextDay
        }
        return UTCTimestamp(date: day, secondOfDay: second)
    }

    /// `2026-03-12T14:05:00Z`.
    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date)T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    public static func < (lhs: UTCTimestamp, rhs: UTCTimestamp) -> Bool {
        (lhs.date, lhs.secondOfDay) < (rhs.date, rhs.secondOfDay)
    }

    /// Decodes a timestamp from a JSON string; it must already be in the canonical UTC form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = UTCTimestamp(text), value.description == text else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be a UTC timestamp written YYYY-MM-DDTHH:MM:SSZ")
        }
        self = value
    }

    /// Encodes the canonical form as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension CalendarDate {
    /// The day before.
    var previousDay: CalendarDate {
        if day > 1 { return CalendarDate(year: year, month: month, day: day - 1)! }
        if month > 1 {
            return CalendarDate(year: year, month: month - 1, day: CalendarDate.daysIn(month: month - 1, year: year))!
        }
        return CalendarDate(year: year - 1, month: 12, day: 31)!
    }

    /// The day after.
    var nextDay: CalendarDate {
        if day < CalendarDate.daysIn(month: month, year: year) {
            return CalendarDate(year: year, month: month, day: day + 1)!
        }
        if month < 12 { return CalendarDate(year: year, month: month + 1, day: 1)! }
        return CalendarDate(year: year + 1, month: 1, day: 1)!
    }
}
