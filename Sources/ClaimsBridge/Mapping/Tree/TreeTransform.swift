/// How a partner value (XML attribute, JSON member) becomes a model value and back, in a tree mapping.
///
/// Every transform has an exact inverse on canonical values. Errors name the problem, never the value.
package enum TreeTransform: Sendable {
    /// Text ↔ text; `maxLength` characters at most when writing.
    case text(maxLength: Int?)
    /// A string of digits (identifiers, leading zeros kept) ↔ digits, zero-filled on the left to `width`.
    case digits(width: Int?)
    /// A JSON number ↔ digits, zero-filled to `width`.
    case integer(width: Int?)
    /// `"125.50"` ↔ `"125.50"` (partner JSON may also carry a number; never floating point).
    case money
    /// `"125.50"` ↔ whole cents `012550`, zero-filled to `width`.
    case cents(width: Int?)
    /// `"2026-03-12"` ↔ the date in `format`.
    case date(DateFormat)
    /// A code table name ↔ its code.
    case codes(CodeTable)
    /// `"2026-03-12T14:05:00Z"` ↔ ISO 8601; reading accepts offsets and fractions and converts to UTC.
    case timestamp

    /// Date spellings on the partner side.
    package enum DateFormat: String, Sendable, CaseIterable {
        case yyyymmdd = "YYYYMMDD", yymmdd = "YYMMDD", iso = "YYYY-MM-DD", yyyymm = "YYYYMM", yymm = "YYMM"

        /// How many digits a date written this way has (the dashes left out).
        var digitCount: Int {
            switch self {
            case .yyyymmdd, .iso: return 8
            case .yymmdd, .yyyymm: return 6
            case .yymm: return 4
            }
        }
    }

    /// The name used in mapping files.
    package var name: String {
        switch self {
        case .text: return "text"
        case .digits: return "digits"
        case .integer: return "integer"
        case .money: return "money"
        case .cents: return "cents"
        case .date(let format): return "date \(format.rawValue)"
        case .codes(let table): return "codes \(table.name)"
        case .timestamp: return "timestamp"
        }
    }

    /// Partner text → model value.
    /// - Throws: a reason (without the value) when the text does not fit the transform.
    package func read(_ text: String) throws(TransformFailure) -> TreeValue {
        switch self {
        case .text: return .string(text)
        case .digits:
            guard !text.isEmpty, Self.isAllDigits(text) else { throw .init("must be digits only") }
            return .string(text)
        case .integer:
            guard !text.isEmpty, Self.isAllDigits(text) else { throw .init("must be a whole number") }
            let trimmed = text.drop(while: { $0 == "0" })
            return .number(trimmed.isEmpty ? "0" : String(trimmed))
        case .money:
            guard let cents = Money.parseCents(text) else {
                throw .init("must be an amount with at most two decimals, such as 125.50")
            }
            return .string(Money(cents: cents).description)
        case .cents:
            guard !text.isEmpty, Self.isAllDigits(text), text.utf8.count <= 15, let cents = Int64(text)
            else { throw .init("must be an amount in whole cents (digits only, such as 012550 for 125.50)") }
            return .string(Money(cents: cents).description)
        case .date(let format): return .string(try Self.readDate(text, format: format))
        case .timestamp:
            guard let stamp = UTCTimestamp(text) else {
                throw .init("must be a timestamp written YYYY-MM-DDTHH:MM:SS with Z or an offset such as -05:00")
            }
            return .string(stamp.description)
        case .codes(let table):
            guard let index = text.withUTF8Bytes({ table.entry(forCode: $0) }) else {
                throw .init("is not a code of table \(table.name) (expected one of \(table.codeList))")
            }
            return .string(String(decoding: table.entries[index].name, as: UTF8.self))
        }
    }

    /// Model value → partner text and its JSON kind.
    /// - Throws: a reason (without the value) when the model value cannot be written.
    package func write(_ value: TreeValue) throws(TransformFailure) -> (String, TreeNode.Kind) {
        switch self {
        case .text(let maxLength):
            guard let text = value.scalarText else { throw .init("must be text but is \(value.kindName)") }
            // Characters are never more than bytes, so the byte count settles most texts without counting.
            if let maxLength, text.utf8.count > maxLength, text.count > maxLength {
                throw .init("is \(text.count) characters long; at most \(maxLength) fit")
            }
            return (text, .string)
        case .digits(let width):
            guard let text = value.scalarText, !text.isEmpty, Self.isAllDigits(text) else {
                throw .init("must be a string of digits")
            }
            return (try Self.pad(text, width), .string)
        case .integer(let width):
            guard let text = value.scalarText, !text.isEmpty, Self.isAllDigits(text) else {
                throw .init("must be a whole number")
            }
            // The number itself, leading zeros dropped (`"007"` is 7), then zero-filled to the width if any.
            let trimmed = text.drop(while: { $0 == "0" })
            let written = try Self.pad(trimmed.isEmpty ? "0" : String(trimmed), width)
            return (written, Self.numberKind(written))
        case .money:
            guard let text = value.scalarText, let cents = Money.parseCents(text) else {
                throw .init("must be an amount with at most two decimals, such as \"125.50\"")
            }
            return (Money(cents: cents).description, .string)
        case .cents(let width):
            guard let text = value.scalarText, let cents = Money.parseCents(text) else {
                throw .init("must be an amount with at most two decimals, such as \"125.50\"")
            }
            guard cents >= 0 else { throw .init("must not be negative") }
            let written = try Self.pad(String(cents), width)
            return (written, Self.numberKind(written))
        case .date(let format):
            guard case .string(let text) = value, let date = CalendarDate(text) else {
                throw .init("must be a real date written YYYY-MM-DD")
            }
            return (try Self.writeDate(date, format: format), .string)
        case .timestamp:
            guard case .string(let text) = value, let stamp = UTCTimestamp(text) else {
                throw .init("must be a UTC timestamp written YYYY-MM-DDTHH:MM:SSZ")
            }
            return (stamp.description, .string)
        case .codes(let table):
            guard let text = value.scalarText else { throw .init("must be a name but is \(value.kindName)") }
            guard let index = text.withUTF8Bytes({ table.entry(forName: $0) }) else {
                throw .init("is not a name of table \(table.name) (expected one of \(table.nameList))")
            }
            return (String(decoding: table.entries[index].code, as: UTF8.self), .string)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Whether every byte of `text` is an ASCII digit (true for empty text), read from the string's own bytes.
    static func isAllDigits(_ text: String) -> Bool {
        text.withUTF8Bytes { $0.allSatisfy(isDigit) }
    }

    /// How partner JSON carries digits written as a number: bare, unless zero-filled (`012550`), which JSON
    /// allows only in a string.
    private static func numberKind(_ digits: String) -> TreeNode.Kind {
        digits.utf8.count > 1 && digits.utf8.first == UInt8(ascii: "0") ? .string : .number
    }

    /// Digits (ASCII, so one byte each) zero-filled on the left to `width`.
    private static func pad(_ text: String, _ width: Int?) throws(TransformFailure) -> String {
        guard let width else { return text }
        let count = text.utf8.count
        guard count <= width else { throw .init("has \(count) digits; at most \(width) fit") }
        if count == width { return text }
        return String(unsafeUninitializedCapacity: width) { buffer in
            let zeros = width - count
            for index in 0..<zeros { buffer[index] = UInt8(ascii: "0") }
            _ = UnsafeMutableBufferPointer(rebasing: buffer[zeros...]).initialize(from: text.utf8)
            return width
        }
    }

    private static func readDate(_ text: String, format: DateFormat) throws(TransformFailure) -> String {
        try calendarDate(text, format: format).description
    }

    /// Partner text written in `format` as a calendar date (what ``read(_:)`` gives for a `date` transform).
    package static func calendarDate(_ text: String, format: DateFormat) throws(TransformFailure) -> CalendarDate {
        // The digits without the dashes, four bits each (at most eight of them), first digit highest: read
        // without building any string or array, since every date of every record passes here.
        let expected = format.digitCount
        var digits: UInt64 = 0
        var count = 0
        var allDigits = true
        for byte in text.utf8 where byte != UInt8(ascii: "-") {
            count += 1
            if count > expected { break }
            if !isDigit(byte) { allDigits = false }
            digits = digits << 4 | UInt64((byte &- 48) & 0xF)
        }
        guard count == expected, allDigits, format != .iso || text.utf8.count == 10
        else { throw .init("must be a date written \(format.rawValue)") }
        func number(_ range: Range<Int>) -> Int {
            range.reduce(0) { $0 * 10 + Int((digits >> UInt64(4 * (expected - 1 - $1))) & 0xF) }
        }
        let year: Int
        let rest: Int
        switch format {
        case .yymmdd, .yymm:
            year = 2000 + number(0..<2)
            rest = 2
        default:
            year = number(0..<4)
            rest = 4
        }
        let month = number(rest..<(rest + 2))
        let day = format == .yyyymm || format == .yymm ? 1 : number((rest + 2)..<(rest + 4))
        guard let date = CalendarDate(year: year, month: month, day: day) else {
            throw .init("is not a real calendar date")
        }
        return date
    }

    private static func writeDate(_ date: CalendarDate, format: DateFormat) throws(TransformFailure) -> String {
        if format == .iso { return date.description }
        let shortYear = format == .yymmdd || format == .yymm
        if shortYear && !(2000...2099).contains(date.year) {
            throw .init("only dates in 2000–2099 can be written YYMMDD")
        }
        // The digits written straight into the string: every date of every record written passes here.
        return String(unsafeUninitializedCapacity: format.digitCount) { buffer in
            var end = 0
            func put(_ value: Int, digits: Int) {
                var rest = value
                for index in stride(from: end + digits - 1, through: end, by: -1) {
                    buffer[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                    rest /= 10
                }
                end += digits
            }
            put(shortYear ? date.year % 100 : date.year, digits: shortYear ? 2 : 4)
            put(date.month, digits: 2)
            if format == .yyyymmdd || format == .yymmdd { put(date.day, digits: 2) }
            return end
        }
    }
}

/// Why a value does not fit its transform; becomes a ``BridgeError`` with the rule's location.
package struct TransformFailure: Error {
    package var reason: String
    package init(_ reason: String) { self.reason = reason }
}
