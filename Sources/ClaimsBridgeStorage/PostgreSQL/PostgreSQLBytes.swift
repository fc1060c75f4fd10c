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
        let utf8 = text.utf8[...]
        guard utf8.starts(with: "\\x".utf8) else { return nil }
        return HexDigits.decode(utf8.dropFirst(2))
    }
}
