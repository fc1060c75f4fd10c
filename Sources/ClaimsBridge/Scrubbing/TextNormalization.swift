/// A change the spec asks for before a text value is written (`normalize:` on a mapping rule), e.g. postal
/// codes without spaces or dashes. Declared per rule, applied only when writing, shown by `--explain`.
package struct TextNormalization: OptionSet, Sendable, BitwiseCopyable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `a`–`z` and the accented small letters of code page 850 become capitals.
    package static let upperCase = TextNormalization(rawValue: 1)
    /// Spaces and `-` are dropped.
    package static let removeSpacesAndDashes = TextNormalization(rawValue: 2)

    /// The names used in mapping files, in the order they are applied.
    package static let names: [(String, TextNormalization)] = [
        ("removeSpacesAndDashes", .removeSpacesAndDashes), ("upperCase", .upperCase),
    ]

    /// The names of the normalisations set, for `--explain`.
    package var nameList: [String] { Self.names.filter { contains($0.1) }.map(\.0) }

    /// The normalised UTF-8 text.
    func apply(to utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            index += 1
            if contains(.removeSpacesAndDashes) && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")) {
                continue
            }
            guard contains(.upperCase) else {
                out.append(byte)
                continue
            }
            if byte &- UInt8(ascii: "a") < 26 {
                out.append(byte &- 32)
            } else if byte == 0xC3, index < utf8.count, utf8[index] >= 0xA0, utf8[index] <= 0xBE, utf8[index] != 0xB7 {
                // U+00E0…U+00FE (à…þ, not ÷) → U+00C0…U+00DE.
                out.append(byte)
                out.append(utf8[index] &- 0x20)
                index += 1
            } else {
                out.append(byte)
            }
        }
        return out
    }
}
