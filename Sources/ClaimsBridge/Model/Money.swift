import Foundation

/// An amount of money in whole cents, exactly as CDAnet carries it: fees, benefits, payments.
///
/// The JSON form is a string with two decimals (`"125.50"`, `"-5.00"`, `"0.00"`). Decoding also accepts
/// `"125.5"`, `"125"` and JSON numbers such as `125.5`; more than two decimals is an error, never rounded.
/// Amounts are never held or converted as floating point.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, LosslessStringConvertible,
    AdditiveArithmetic
{
    /// The amount in cents; negative for a negative amount.
    public var cents: Int64

    /// An amount of `cents` cents.
    public init(cents: Int64) { self.cents = cents }

    /// Parses `"125.50"`, `"125.5"`, `"125"`, `"-5.00"` or `".5"`; nil for anything else, for more than two
    /// decimals, or for an amount beyond the range of `Int64` cents.
    public init?(_ description: String) {
        guard let cents = Money.parseCents(description) else { return nil }
        self.cents = cents
    }

    /// Zero dollars.
    public static let zero = Money(cents: 0)

    /// The amount with two decimals and a leading `-` when negative: `"125.50"`, `"-5.00"`, `"0.00"`.
    public var description: String {
        // Written byte by byte into the string's own storage, from the last digit back: every amount of every
        // record passes here.
        let magnitude = cents.magnitude
        var digits = 1
        var probe = magnitude / 10
        while probe > 0 {
            digits += 1
            probe /= 10
        }
        let shown = max(digits, 3)  // at least one unit digit and two decimals: 0.05
        let length = (cents < 0 ? 1 : 0) + shown + 1
        return String(unsafeUninitializedCapacity: length) { buffer in
            var rest = magnitude
            var index = length - 1
            for position in 0..<shown {
                if position == 2 {
                    buffer[index] = UInt8(ascii: ".")
                    index -= 1
                }
                buffer[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                rest /= 10
                index -= 1
            }
            if cents < 0 { buffer[0] = UInt8(ascii: "-") }
            return length
        }
    }

    /// Whether `lhs` is the smaller amount.
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }

    /// The sum of two amounts.
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents + rhs.cents) }

    /// The difference of two amounts.
    public static func - (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents - rhs.cents) }

    /// Decodes a string such as `"125.50"`, or a JSON number with at most two decimals.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) {
            text = string
        } else if let number = try? container.decode(Decimal.self) {
            // The number's exact decimal digits, never a binary floating-point approximation.
            text = number.description
        } else {
            throw DecodingError.typeMismatch(
                Money.self,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "an amount must be a string such as \"125.50\" or a number"))
        }
        guard let cents = Money.parseCents(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription:
                    "\"\(text)\" is not an amount in whole cents such as \"125.50\" (at most two decimals)")
        }
        self.cents = cents
    }

    /// Encodes the amount as a string with two decimals.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// `[-]digits[.d[d]]` → cents, with the same rules as the CDAnet writer; nil when invalid or out of range.
    package static func parseCents(_ text: String) -> Int64? {
        var utf8 = text.utf8[...]
        var negative = false
        if utf8.first == UInt8(ascii: "-") {
            negative = true
            utf8 = utf8.dropFirst()
        }
        var value: Int64 = 0
        var digits = 0
        var decimals = -1
        for byte in utf8 {
            if byte == UInt8(ascii: "."), decimals < 0 {
                decimals = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            if decimals >= 0 { decimals += 1 }
            guard decimals <= 2 else { return nil }
            digits += 1
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        guard digits > 0, decimals != 0 else { return nil }
        for _ in 0..<(2 - max(decimals, 0)) {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = times10
        }
        return negative ? -value : value
    }
}
