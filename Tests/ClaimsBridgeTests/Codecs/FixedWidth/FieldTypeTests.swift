import ClaimsBridgeTestSupport
import Testing

@testable import ClaimsBridge

/// Field checks agree with a plain byte-by-byte definition, whatever the length and position of a bad byte.
@Suite struct FieldTypeTests {
    /// The definition of each type, one byte at a time.
    /// Money: a minus sign only, first, and before an amount that is not all zeros (`-0` cannot be written back).
    static func allowed(_ byte: UInt8, _ type: FieldType, at index: Int, in bytes: [UInt8]) -> Bool {
        switch type {
        case .numeric, .date: return byte >= 0x30 && byte <= 0x39
        case .money:
            return (byte >= 0x30 && byte <= 0x39)
                || (index == 0 && byte == 0x2D && bytes.dropFirst().contains { $0 != 0x30 })
        case .alpha: return byte.isASCIILetter || " '-,.".utf8.contains(byte)
        case .alphaExtended:
            return byte.isASCIILetter || " '-,.".utf8.contains(byte) || (byte >= 0x80 && CodePage850.isLetter(byte))
        case .alphanumeric: return byte >= 0x20 && byte <= 0x7E
        case .alphanumericExtended: return byte >= 0x20 && byte != 0x7F
        }
    }

    static func reference(_ bytes: [UInt8], _ type: FieldType) -> Int? {
        bytes.indices.first { !allowed(bytes[$0], type, at: $0, in: bytes) }
    }

    @Test(arguments: [FieldType.numeric, .money, .alpha, .alphaExtended, .alphanumeric, .alphanumericExtended])
    func agreesWithTheByteByByteDefinition(_ type: FieldType) {
        var generator = SeededRandom(for: "agreesWithTheByteByByteDefinition(\(type))")
        let good: [UInt8] =
            switch type {
            case .numeric, .money, .date: Array("0123456789".utf8)
            case .alpha, .alphaExtended: Array("ABCxyz '-,. ".utf8) + [0x82, 0x80]
            case .alphanumeric, .alphanumericExtended: Array(" AZaz09!~#".utf8)
            }
        for _ in 0..<4000 {
            let length = Int.random(in: 0...26, using: &generator)
            var bytes = (0..<length).map { _ in good.randomElement(using: &generator)! }
            if type == .alpha || type == .alphanumeric { bytes = bytes.map { $0 >= 0x80 ? 0x41 : $0 } }
            if length > 0 && Bool.random(using: &generator) {
                bytes[Int.random(in: 0..<length, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let expected: FieldCheck = Self.reference(bytes, type).map { .badByte(index: $0) } ?? .valid
            let actual = bytes.withUnsafeBufferPointer { type.check($0) }
            #expect(actual == expected, "\(type) \(bytes), seed \(generator.seed)")
        }
    }

    @Test func datesAreRealCalendarDates() {
        func check(_ text: String) -> FieldCheck {
            Array(text.utf8).withUnsafeBufferPointer { FieldType.date.check($0) }
        }
        #expect(check("20280229") == .valid)
        #expect(check("00000000") == .valid)
        #expect(check("20260229") != .valid)
        #expect(check("20261301") != .valid)
        #expect(check("2026013A") == .badByte(index: 7))
    }
}
