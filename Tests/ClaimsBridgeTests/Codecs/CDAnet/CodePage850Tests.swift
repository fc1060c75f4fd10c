import Testing

@testable import ClaimsBridge

@Suite struct CodePage850Tests {
    /// Unicode scalars of CP850 bytes 0x80–0xFF, generated from Python's `cp850` codec.
    static let reference: [UInt32] = [
        0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,  // 0x80
        0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,  // 0x88
        0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,  // 0x90
        0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192,  // 0x98
        0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,  // 0xA0
        0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,  // 0xA8
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0,  // 0xB0
        0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,  // 0xB8
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,  // 0xC0
        0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,  // 0xC8
        0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x0131, 0x00CD, 0x00CE,  // 0xD0
        0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,  // 0xD8
        0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE,  // 0xE0
        0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4,  // 0xE8
        0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,  // 0xF0
        0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,  // 0xF8
    ]

    static func utf8(_ string: String) -> [UInt8] { Array(string.utf8) }

    static func encode(_ bytes: [UInt8]) -> (output: [UInt8], failure: Int?) {
        var output: [UInt8] = []
        let failure = bytes.withUnsafeBufferPointer { CodePage850.encodeUTF8($0, into: &output) }
        return (output, failure)
    }

    @Test func upperHalfMatchesReferenceTable() {
        for byte in UInt8(0x80)...0xFF {
            let expected = Unicode.Scalar(Self.reference[Int(byte) - 0x80])!
            var output: [UInt8] = []
            CodePage850.appendUTF8(of: byte, to: &output)
            #expect(output == Self.utf8(String(Character(expected))), "byte \(byte)")
            #expect(CodePage850.scalar(for: byte) == expected, "byte \(byte)")
            #expect(CodePage850.byte(for: expected) == byte, "byte \(byte)")
        }
    }

    @Test func allBytesRoundTripThroughUTF8() {
        var utf8: [UInt8] = []
        for byte in UInt8.min...UInt8.max {
            var single: [UInt8] = []
            CodePage850.appendUTF8(of: byte, to: &single)
            let (back, failure) = Self.encode(single)
            #expect(failure == nil)
            #expect(back == [byte], "byte \(byte)")
            CodePage850.appendUTF8(of: byte, to: &utf8)
        }
        // All 256 at once: the UTF-8 is valid and converts back to 0x00…0xFF.
        #expect(String(validating: utf8, as: UTF8.self) != nil)
        var bulk: [UInt8] = [0x7A]
        Array(UInt8.min...UInt8.max).withUnsafeBufferPointer { CodePage850.appendUTF8(of: $0, to: &bulk) }
        #expect(bulk == [0x7A] + utf8)
        var ascii: [UInt8] = []
        Array("ABC 123".utf8).withUnsafeBufferPointer { CodePage850.appendUTF8(of: $0, to: &ascii) }
        #expect(ascii == Array("ABC 123".utf8))
        var empty: [UInt8] = []
        [UInt8]().withUnsafeBufferPointer { CodePage850.appendUTF8(of: $0, to: &empty) }
        #expect(empty.isEmpty)
        let (back, failure) = Self.encode(utf8)
        #expect(failure == nil)
        #expect(back == Array(UInt8.min...UInt8.max))
    }

    @Test func asciiIsIdentity() {
        for byte in UInt8(0)...0x7F {
            var output: [UInt8] = []
            CodePage850.appendUTF8(of: byte, to: &output)
            #expect(output == [byte])
            #expect(CodePage850.byte(for: Unicode.Scalar(byte)) == byte)
        }
    }

    @Test func knownLetters() {
        let expected: [(Character, UInt8)] = [
            ("é", 0x82), ("è", 0x8A), ("ê", 0x88), ("ë", 0x89), ("à", 0x85), ("â", 0x83), ("ç", 0x87),
            ("Ç", 0x80), ("É", 0x90), ("È", 0xD4), ("Ê", 0xD2), ("ô", 0x93), ("î", 0x8C), ("ï", 0x8B),
            ("û", 0x96), ("ù", 0x97), ("ß", 0xE1), ("æ", 0x91), ("ı", 0xD5), ("Ó", 0xE0),
        ]
        for (character, byte) in expected {
            let scalar = character.unicodeScalars.first!
            #expect(CodePage850.byte(for: scalar) == byte, "\(character)")
            #expect(CodePage850.isLetter(byte), "\(character)")
            let (encoded, failure) = Self.encode(Self.utf8(String(character)))
            #expect(failure == nil)
            #expect(encoded == [byte])
        }
        let (encoded, failure) = Self.encode(Self.utf8("Hélène Côté-Ouellet, Québec"))
        #expect(failure == nil)
        #expect(
            encoded == [
                0x48, 0x82, 0x6C, 0x8A, 0x6E, 0x65, 0x20, 0x43, 0x93, 0x74, 0x82, 0x2D, 0x4F, 0x75,
                0x65, 0x6C, 0x6C, 0x65, 0x74, 0x2C, 0x20, 0x51, 0x75, 0x82, 0x62, 0x65, 0x63,
            ])
    }

    @Test func letters() {
        for byte in UInt8.min...UInt8.max {
            let scalar = CodePage850.scalar(for: byte)
            // Unicode letters, except the ordinal indicators, the micro sign and the florin sign.
            let expected = scalar.properties.isAlphabetic && !["ª", "º", "µ", "ƒ"].contains(Character(scalar))
            #expect(CodePage850.isLetter(byte) == expected, "byte \(byte)")
        }
        for byte: UInt8 in [
            0x30, 0x39, 0x20, 0x2D, 0x9C, 0x9F, 0xB0, 0xC4, 0xCD, 0xDB, 0xF2, 0xFE, 0xFF, 0xBD, 0xBE, 0xCF,
        ] {
            #expect(!CodePage850.isLetter(byte), "byte \(byte)")
        }
    }

    @Test func printable() {
        for byte in UInt8.min...UInt8.max {
            let expected = (byte >= 0x20 && byte <= 0x7E) || byte >= 0x80
            #expect(CodePage850.isPrintable(byte) == expected, "byte \(byte)")
        }
    }

    @Test func unmappableScalars() {
        for value: UInt32 in [0x80, 0x85, 0x9F, 0x20AC, 0x2019, 0x0152, 0x1F600, 0x2501] {
            #expect(CodePage850.byte(for: Unicode.Scalar(value)!) == nil, "U+\(value)")
        }
    }

    @Test func encodeReportsFirstBadCharacter() {
        // € has no CP850 byte.
        var result = Self.encode(Self.utf8("ab€c"))
        #expect(result.failure == 2)
        #expect(result.output == [0x61, 0x62])
        // Emoji (4-byte UTF-8).
        result = Self.encode(Self.utf8("é😀"))
        #expect(result.failure == 2)
        #expect(result.output == [0x82])
        // Invalid UTF-8.
        let invalid: [([UInt8], Int)] = [
            ([0x41, 0xFF], 1),  // never valid
            ([0x41, 0x80, 0x41], 1),  // stray continuation byte
            ([0xC3], 0),  // truncated 2-byte sequence
            ([0x41, 0xC3, 0x41], 1),  // missing continuation
            ([0xC0, 0x80], 0),  // overlong NUL
            ([0xC1, 0xBF], 0),  // overlong
            ([0xE0, 0x80, 0x80], 0),  // overlong 3-byte
            ([0xED, 0xA0, 0x80], 0),  // surrogate
            ([0x61, 0xE2, 0x94], 1),  // truncated 3-byte sequence
            ([0xF0, 0x9F, 0x98, 0x80], 0),  // valid but beyond CP850
            ([0xF5, 0x80, 0x80, 0x80], 0),  // beyond U+10FFFF
        ]
        for (bytes, index) in invalid {
            #expect(Self.encode(bytes).failure == index, "\(bytes)")
        }
        // Box drawing (3-byte UTF-8) and the empty input.
        result = Self.encode(Self.utf8("╔═╗‗"))
        #expect(result.failure == nil)
        #expect(result.output == [0xC9, 0xCD, 0xBB, 0xF2])
        #expect(Self.encode([]).failure == nil)
    }

    @Test func appendsToExistingOutput() {
        var output: [UInt8] = [0x01]
        CodePage850.appendUTF8(of: 0xC9, to: &output)
        CodePage850.appendUTF8(of: 0x82, to: &output)
        #expect(output == [0x01, 0xE2, 0x95, 0x94, 0xC3, 0xA9])
        let failure = Self.utf8("ÿ!").withUnsafeBufferPointer { CodePage850.encodeUTF8($0, into: &output) }
        #expect(failure == nil)
        #expect(output.suffix(2) == [0x98, 0x21])
    }
}
