/// `bytea` values as text: PostgreSQL's hex format (`\x0a1b…`), the form libpq's text parameters and results use.
public enum PostgreSQLBytes {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as a text parameter for a `$n::bytea` placeholder.
    public static func parameter(_ bytes: [UInt8]) -> String {
        var text = [UInt8](repeating: 0, count: 2 + bytes.count * 2)
        text[0] = UInt8(ascii: "\\")
        text[1] = UInt8(ascii: "x")
        var index = 2
        for byte in bytes {
            text[index] = digits[Int(byte >> 4)]
            text[index + 1] = digits[Int(byte & 0x0F)]
            index += 2
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of a `bytea` column read as text (`\x…`); nil when the text is not in the hex format.
    public static func decode(_ text: String) -> [UInt8]? {
        var utf8 = text.utf8[...]
        guard utf8.starts(with: "\\x".utf8) else { return nil }
        utf8 = utf8.dropFirst(2)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for character in utf8 {
            guard let value = nibble(character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
