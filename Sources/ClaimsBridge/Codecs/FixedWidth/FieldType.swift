/// The data type of a fixed-width field, which decides its padding and which bytes it may hold.
///
/// | type | bytes | padding |
/// |---|---|---|
/// | N | digits | right, zeros |
/// | A | ASCII letters, space, `'` `-` `,` `.` | left, spaces |
/// | AN | printable ASCII | left, spaces |
/// | AE | A plus accented letters (code page 850) | left, spaces |
/// | AEN | printable ASCII and code page 850 | left, spaces |
/// | money | whole cents, optional leading minus sign | right, zeros |
/// | date | `YYYYMMDD`, zeros = none | — |
package enum FieldType: String, Sendable, CaseIterable, BitwiseCopyable {
    case numeric = "N"
    case alpha = "A"
    case alphanumeric = "AN"
    case alphaExtended = "AE"
    case alphanumericExtended = "AEN"
    case money
    case date

    /// Whether values are text (left-justified, space-padded).
    package var isText: Bool {
        switch self {
        case .alpha, .alphanumeric, .alphaExtended, .alphanumericExtended: return true
        case .numeric, .money, .date: return false
        }
    }

    /// The byte an empty field is filled with.
    package var padByte: UInt8 { isText ? UInt8(ascii: " ") : UInt8(ascii: "0") }

    /// Plain words for the kind of content, used in error messages.
    package var expectation: String {
        switch self {
        case .numeric: return "digits only"
        case .alpha: return "letters only (no digits or accents)"
        case .alphaExtended: return "letters only (accents allowed, no digits)"
        case .alphanumeric: return "letters, digits and common punctuation (no accents)"
        case .alphanumericExtended: return "printable characters"
        case .money: return "an amount in cents (digits, optionally a leading minus sign before an amount that is not zero)"
        case .date: return "a date written YYYYMMDD"
        }
    }
}

/// The result of checking one field's bytes against its type.
package enum FieldCheck: Equatable {
    case valid
    /// The byte at `index` (0-based, inside the field) is not allowed.
    case badByte(index: Int)
    /// The field is not a calendar date; the reason is in plain words.
    case badDate(String)
}

extension FieldType {
    /// Checks a field's bytes without allocating.
    package func check(_ bytes: UnsafeBufferPointer<UInt8>) -> FieldCheck {
        check(bytes, allowed: Self.allowedBytes.base)
    }

    /// Checks a field's bytes with the byte table taken once by the caller (see ``allowedBytes``).
    @inline(__always)
    package func check(_ bytes: UnsafeBufferPointer<UInt8>, allowed table: UnsafeMutablePointer<UInt8>) -> FieldCheck {
        let mask: UInt8 = 1 &<< Self.index(of: self)
        var index = Self.validPrefix(bytes, of: self)
        while index < bytes.count {
            let i = index
            index &+= 1
            if table[Int(bytes[i])] & mask != 0 { continue }
            // A minus sign only, before an amount that is not zero: a positive amount or zero is written without
            // one, so a `+` or a `-0` could not be written back.
            if self == .money && i == 0 && bytes[i] == UInt8(ascii: "-")
                && bytes.dropFirst().contains(where: { $0 != UInt8(ascii: "0") })
            {
                continue
            }
            return .badByte(index: i)
        }
        return self == .date ? Self.checkDate(bytes) : .valid
    }

    /// How many leading bytes are valid for `type`, checked eight at a time (a multiple of 8; the rest, and
    /// any word with a doubtful byte, are left to the byte-by-byte check).
    @inline(__always)
    private static func validPrefix(_ bytes: UnsafeBufferPointer<UInt8>, of type: FieldType) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index &+ 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let valid: Bool
            switch type {
            case .numeric, .date, .money:
                // Every byte 0x30–0x39: high nibble 3, and adding 6 keeps it 3.
                valid = word & (ones &* 0xF0) == ones &* 0x30 && (word &+ ones &* 0x06) & (ones &* 0xF0) == ones &* 0x30
            case .alphanumeric:
                // Every byte 0x20–0x7E: no high bit, none below 0x20, none equal to 0x7F.
                valid = word & highs == 0 && (word &- ones &* 0x20) & highs == 0 && (word &+ ones) & highs == 0
            case .alphanumericExtended:
                // No byte below 0x20 and none equal to 0x7F (bytes 0x80–0xFF are printable in code page 850).
                let low = (word &- ones &* 0x20) & ~word & highs
                let delete = word ^ (ones &* 0x7F)
                valid = low == 0 && ((delete &- ones) & ~delete & highs) == 0
            case .alpha, .alphaExtended:
                // Only the common case is taken in bulk: a word of spaces.
                valid = word == ones &* 0x20
            }
            if !valid { break }
            index &+= 8
        }
        return index
    }

    @inline(__always)
    private static func index(of type: FieldType) -> UInt8 {
        switch type {
        case .numeric, .money, .date: return 0
        case .alpha: return 1
        case .alphaExtended: return 2
        case .alphanumeric: return 3
        case .alphanumericExtended: return 4
        }
    }

    /// For each byte, a bit per kind of field that may hold it (digits, A, AE, AN, AEN).
    package static let allowedBytes: FlatTable<UInt8> = FlatTable(
        (0...255).map { (value: Int) -> UInt8 in
            let byte = UInt8(value)
            var bits: UInt8 = 0
            if byte.isDigit { bits |= 1 }
            if byte.isNameCharacter { bits |= 2 }
            if byte.isNameCharacter || (byte >= 0x80 && CodePage850.isLetter(byte)) { bits |= 4 }
            if byte >= 0x20 && byte <= 0x7E { bits |= 8 }
            if CodePage850.isPrintable(byte) { bits |= 16 }
            return bits
        })

    private static func checkDate(_ bytes: UnsafeBufferPointer<UInt8>) -> FieldCheck {
        guard bytes.count == 8 else { return .badDate("a date needs 8 digits") }
        if bytes.allSatisfy({ $0 == UInt8(ascii: "0") }) { return .valid }
        let year = Int(digits: bytes, 0, 4)
        let month = Int(digits: bytes, 4, 2)
        let day = Int(digits: bytes, 6, 2)
        guard (1...12).contains(month) else { return .badDate("the month is \(month); it must be 01 to 12") }
        let days = daysIn(month: month, year: year)
        guard (1...days).contains(day) else {
            return .badDate("day \(day) does not exist in month \(month) of \(year)")
        }
        guard year >= 1800 else { return .badDate("the year \(year) is not plausible") }
        return .valid
    }

    /// The number of days in a month of the Gregorian calendar.
    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension UInt8 {
    @inline(__always) package var isDigit: Bool { self &- UInt8(ascii: "0") < 10 }
    @inline(__always) package var isASCIILetter: Bool { (self | 0x20) &- UInt8(ascii: "a") < 26 }
    /// Letters and the punctuation that occurs in names: space, apostrophe, hyphen, comma, period.
    @inline(__always) package var isNameCharacter: Bool {
        isASCIILetter || self == 0x20 || self == UInt8(ascii: "'") || self == UInt8(ascii: "-")
            || self == UInt8(ascii: ",") || self == UInt8(ascii: ".")
    }
}

extension Int {
    /// Parses `length` ASCII digits at `start`; the caller has checked they are digits.
    @inline(__always) package init(digits bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) {
        var value = 0
        for i in start..<(start + length) { value = value &* 10 &+ Int(bytes[i] &- UInt8(ascii: "0")) }
        self = value
    }
}
