/// IBM code page 850 ("DOS Latin-1", "multilingual Latin-1"), the character set of CDAnet messages.
///
/// Bytes 0x00–0x7F are ASCII. Bytes 0x80–0xFF hold every character of ISO 8859-1 0xA0–0xFF (accented
/// letters, currency and other symbols, the no-break space at 0xFF) plus box-drawing and block characters,
/// `ƒ`, `ı` and `‗`. Every byte maps to exactly one Unicode scalar, so decoding never fails.
///
/// The conversions are table-driven and allocate nothing beyond growing the caller's output array.
package enum CodePage850 {
    /// Appends the UTF-8 encoding of one CP850 byte to `output`. Bytes 0x00–0x7F are ASCII and are appended as is.
    @inline(__always)
    package static func appendUTF8(of byte: UInt8, to output: inout [UInt8]) {
        if byte < 0x80 {
            output.append(byte)
            return
        }
        let entry = utf8Table[Int(byte &- 0x80)]
        output.append(UInt8(truncatingIfNeeded: entry))
        output.append(UInt8(truncatingIfNeeded: entry &>> 8))
        if entry &>> 24 == 3 {
            output.append(UInt8(truncatingIfNeeded: entry &>> 16))
        }
    }

    /// Appends the UTF-8 encoding of one CP850 byte at or above 0x80.
    @inline(__always)
    package static func appendUTF8(of byte: UInt8, to output: inout OutputBuffer) {
        let entry = flatUTF8Table.base[Int(byte &- 0x80)]
        output.append(UInt8(truncatingIfNeeded: entry))
        output.append(UInt8(truncatingIfNeeded: entry &>> 8))
        if entry &>> 24 == 3 {
            output.append(UInt8(truncatingIfNeeded: entry &>> 16))
        }
    }

    /// Appends the UTF-8 encoding of CP850 `bytes` to `output` (e.g. a whole fixed-width field), growing
    /// `output` once.
    package static func appendUTF8(of bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var extra = 0
        for byte in bytes where byte >= 0x80 {
            extra &+= Int(utf8Table[Int(byte &- 0x80)] &>> 24) &- 1
        }
        if extra == 0 {
            output.append(contentsOf: bytes)
            return
        }
        var o = output.count
        output.append(contentsOf: repeatElement(0, count: bytes.count &+ extra))
        output.withUnsafeMutableBufferPointer { out in
            for byte in bytes {
                if byte < 0x80 {
                    out[o] = byte
                    o &+= 1
                    continue
                }
                let entry = utf8Table[Int(byte &- 0x80)]
                out[o] = UInt8(truncatingIfNeeded: entry)
                out[o &+ 1] = UInt8(truncatingIfNeeded: entry &>> 8)
                if entry &>> 24 == 3 {
                    out[o &+ 2] = UInt8(truncatingIfNeeded: entry &>> 16)
                    o &+= 3
                } else {
                    o &+= 2
                }
            }
        }
    }

    /// The Unicode scalar of a CP850 byte.
    package static func scalar(for byte: UInt8) -> Unicode.Scalar {
        if byte < 0x80 { return Unicode.Scalar(byte) }
        let entry = utf8Table[Int(byte &- 0x80)]
        let b0 = entry & 0xFF, b1 = (entry &>> 8) & 0xFF, b2 = (entry &>> 16) & 0xFF
        let value =
            entry &>> 24 == 3
            ? (b0 & 0x0F) &<< 12 | (b1 & 0x3F) &<< 6 | (b2 & 0x3F)
            : (b0 & 0x1F) &<< 6 | (b1 & 0x3F)
        return Unicode.Scalar(value)!
    }

    /// The CP850 byte for a Unicode scalar, or nil when CP850 has no such character.
    @inline(__always)
    package static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        byte(forScalarValue: scalar.value)
    }

    /// Whether a CP850 byte is a letter: ASCII A–Z a–z, or one of the accented and other Latin letters of the
    /// upper half (é 0x82, Ç 0x80, ß 0xE1, æ 0x91, ø 0x9B, ı 0xD5, þ 0xE7 …).
    ///
    /// Box drawing, currency signs (including ƒ 0x9F, the florin sign), symbols, digits and punctuation are
    /// not letters, nor are the ordinal indicators ª 0xA6 / º 0xA7 and the micro sign µ 0xE6.
    @inline(__always)
    package static func isLetter(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) &<< UInt64(byte & 63)
        switch byte &>> 6 {
        case 0: return false
        case 1: return letterMask40 & bit != 0
        case 2: return letterMask80 & bit != 0
        default: return letterMaskC0 & bit != 0
        }
    }

    /// Whether a CP850 byte is printable text: 0x20–0x7E, or any byte of 0x80–0xFF (all of them are
    /// graphic characters in CP850; 0xFF is the no-break space). Control bytes 0x00–0x1F and 0x7F are not.
    @inline(__always)
    package static func isPrintable(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte != 0x7F
    }

    /// Decodes UTF-8 `bytes` into CP850, appending to `output`.
    ///
    /// Returns nil on success, or the index (into `bytes`) of the first character that is invalid UTF-8
    /// (including overlong forms, surrogates and truncated sequences) or has no CP850 byte. On failure,
    /// the bytes before that character have already been appended.
    package static func encodeUTF8<Output: ByteAppending & ~Copyable>(
        _ bytes: UnsafeBufferPointer<UInt8>, into output: inout Output
    ) -> Int? {
        guard let p = bytes.baseAddress else { return nil }
        let n = bytes.count
        var i = 0
        while i < n {
            // ASCII run: copy it in one go.
            if p[i] < 0x80 {
                var j = i &+ 1
                while j < n && p[j] < 0x80 { j &+= 1 }
                output.append(UnsafeBufferPointer(start: p + i, count: j &- i))
                i = j
                continue
            }
            let b0 = p[i]
            let value: UInt32
            let length: Int
            switch b0 {
            case 0xC2...0xDF:
                guard i &+ 1 < n else { return i }
                let b1 = p[i &+ 1]
                guard b1 & 0xC0 == 0x80 else { return i }
                value = UInt32(b0 & 0x1F) &<< 6 | UInt32(b1 & 0x3F)
                length = 2
            case 0xE0...0xEF:
                guard i &+ 2 < n else { return i }
                let b1 = p[i &+ 1], b2 = p[i &+ 2]
                let lower: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80  // no overlong forms
                let upper: UInt8 = b0 == 0xED ? 0x9F : 0xBF  // no surrogates
                guard b1 >= lower, b1 <= upper, b2 & 0xC0 == 0x80 else { return i }
                value = UInt32(b0 & 0x0F) &<< 12 | UInt32(b1 & 0x3F) &<< 6 | UInt32(b2 & 0x3F)
                length = 3
            default:
                // Stray continuation bytes, C0/C1, F5–FF are invalid; 4-byte sequences (U+10000 and up)
                // have no CP850 byte.
                return i
            }
            guard let encoded = byte(forScalarValue: value) else { return i }
            output.append(encoded)
            i &+= length
        }
        return nil
    }

    // MARK: - Tables

    @inline(__always)
    static func byte(forScalarValue value: UInt32) -> UInt8? {
        if value < 0x80 { return UInt8(truncatingIfNeeded: value) }
        if value < 0xA0 { return nil }
        if value <= 0xFF { return latin1Table[Int(value &- 0xA0)] }
        switch value {
        case 0x0131: return 0xD5  // ı
        case 0x0192: return 0x9F  // ƒ
        case 0x2017: return 0xF2  // ‗
        case 0x2500: return 0xC4  // ─
        case 0x2502: return 0xB3  // │
        case 0x250C: return 0xDA  // ┌
        case 0x2510: return 0xBF  // ┐
        case 0x2514: return 0xC0  // └
        case 0x2518: return 0xD9  // ┘
        case 0x251C: return 0xC3  // ├
        case 0x2524: return 0xB4  // ┤
        case 0x252C: return 0xC2  // ┬
        case 0x2534: return 0xC1  // ┴
        case 0x253C: return 0xC5  // ┼
        case 0x2550: return 0xCD  // ═
        case 0x2551: return 0xBA  // ║
        case 0x2554: return 0xC9  // ╔
        case 0x2557: return 0xBB  // ╗
        case 0x255A: return 0xC8  // ╚
        case 0x255D: return 0xBC  // ╝
        case 0x2560: return 0xCC  // ╠
        case 0x2563: return 0xB9  // ╣
        case 0x2566: return 0xCB  // ╦
        case 0x2569: return 0xCA  // ╩
        case 0x256C: return 0xCE  // ╬
        case 0x2580: return 0xDF  // ▀
        case 0x2584: return 0xDC  // ▄
        case 0x2588: return 0xDB  // █
        case 0x2591: return 0xB0  // ░
        case 0x2592: return 0xB1  // ▒
        case 0x2593: return 0xB2  // ▓
        case 0x25A0: return 0xFE  // ■
        default: return nil
        }
    }

    /// Letter bits for bytes 0x40–0x7F, 0x80–0xBF and 0xC0–0xFF (bit n = byte base + n).
    static let letterMask40: UInt64 = 0x07FF_FFFE_07FF_FFFE
    static let letterMask80: UInt64 = 0x00E0_003F_2FFF_FFFF
    static let letterMaskC0: UInt64 = 0x0000_3FBF_41FF_00C0

    /// UTF-8 of bytes 0x80–0xFF, one entry per byte: bits 0–7, 8–15, 16–23 are the UTF-8 bytes in order
    /// (the third is 0 for 2-byte sequences), bits 24–31 the sequence length (2 or 3).
    /// ``utf8Table`` behind a plain pointer, for the JSON writer's inner loop.
    static let flatUTF8Table = FlatTable(utf8Table)

    static let utf8Table: [UInt32] = [
        0x0200_87C3, 0x0200_BCC3, 0x0200_A9C3, 0x0200_A2C3, 0x0200_A4C3, 0x0200_A0C3, 0x0200_A5C3, 0x0200_A7C3,  // 0x80 Ç ü é â ä à å ç
        0x0200_AAC3, 0x0200_ABC3, 0x0200_A8C3, 0x0200_AFC3, 0x0200_AEC3, 0x0200_ACC3, 0x0200_84C3, 0x0200_85C3,  // 0x88 ê ë è ï î ì Ä Å
        0x0200_89C3, 0x0200_A6C3, 0x0200_86C3, 0x0200_B4C3, 0x0200_B6C3, 0x0200_B2C3, 0x0200_BBC3, 0x0200_B9C3,  // 0x90 É æ Æ ô ö ò û ù
        0x0200_BFC3, 0x0200_96C3, 0x0200_9CC3, 0x0200_B8C3, 0x0200_A3C2, 0x0200_98C3, 0x0200_97C3, 0x0200_92C6,  // 0x98 ÿ Ö Ü ø £ Ø × ƒ
        0x0200_A1C3, 0x0200_ADC3, 0x0200_B3C3, 0x0200_BAC3, 0x0200_B1C3, 0x0200_91C3, 0x0200_AAC2, 0x0200_BAC2,  // 0xA0 á í ó ú ñ Ñ ª º
        0x0200_BFC2, 0x0200_AEC2, 0x0200_ACC2, 0x0200_BDC2, 0x0200_BCC2, 0x0200_A1C2, 0x0200_ABC2, 0x0200_BBC2,  // 0xA8 ¿ ® ¬ ½ ¼ ¡ « »
        0x0391_96E2, 0x0392_96E2, 0x0393_96E2, 0x0382_94E2, 0x03A4_94E2, 0x0200_81C3, 0x0200_82C3, 0x0200_80C3,  // 0xB0 ░ ▒ ▓ │ ┤ Á Â À
        0x0200_A9C2, 0x03A3_95E2, 0x0391_95E2, 0x0397_95E2, 0x039D_95E2, 0x0200_A2C2, 0x0200_A5C2, 0x0390_94E2,  // 0xB8 © ╣ ║ ╗ ╝ ¢ ¥ ┐
        0x0394_94E2, 0x03B4_94E2, 0x03AC_94E2, 0x039C_94E2, 0x0380_94E2, 0x03BC_94E2, 0x0200_A3C3, 0x0200_83C3,  // 0xC0 └ ┴ ┬ ├ ─ ┼ ã Ã
        0x039A_95E2, 0x0394_95E2, 0x03A9_95E2, 0x03A6_95E2, 0x03A0_95E2, 0x0390_95E2, 0x03AC_95E2, 0x0200_A4C2,  // 0xC8 ╚ ╔ ╩ ╦ ╠ ═ ╬ ¤
        0x0200_B0C3, 0x0200_90C3, 0x0200_8AC3, 0x0200_8BC3, 0x0200_88C3, 0x0200_B1C4, 0x0200_8DC3, 0x0200_8EC3,  // 0xD0 ð Ð Ê Ë È ı Í Î
        0x0200_8FC3, 0x0398_94E2, 0x038C_94E2, 0x0388_96E2, 0x0384_96E2, 0x0200_A6C2, 0x0200_8CC3, 0x0380_96E2,  // 0xD8 Ï ┘ ┌ █ ▄ ¦ Ì ▀
        0x0200_93C3, 0x0200_9FC3, 0x0200_94C3, 0x0200_92C3, 0x0200_B5C3, 0x0200_95C3, 0x0200_B5C2, 0x0200_BEC3,  // 0xE0 Ó ß Ô Ò õ Õ µ þ
        0x0200_9EC3, 0x0200_9AC3, 0x0200_9BC3, 0x0200_99C3, 0x0200_BDC3, 0x0200_9DC3, 0x0200_AFC2, 0x0200_B4C2,  // 0xE8 Þ Ú Û Ù ý Ý ¯ ´
        0x0200_ADC2, 0x0200_B1C2, 0x0397_80E2, 0x0200_BEC2, 0x0200_B6C2, 0x0200_A7C2, 0x0200_B7C3, 0x0200_B8C2,  // 0xF0 SHY ± ‗ ¾ ¶ § ÷ ¸
        0x0200_B0C2, 0x0200_A8C2, 0x0200_B7C2, 0x0200_B9C2, 0x0200_B3C2, 0x0200_B2C2, 0x03A0_96E2, 0x0200_A0C2,  // 0xF8 ° ¨ · ¹ ³ ² ■ NBSP
    ]

    /// CP850 bytes for U+00A0–U+00FF (all of them exist in CP850).
    static let latin1Table: [UInt8] = [
        0xFF, 0xAD, 0xBD, 0x9C, 0xCF, 0xBE, 0xDD, 0xF5, 0xF9, 0xB8, 0xA6, 0xAE, 0xAA, 0xF0, 0xA9, 0xEE,  // U+00A0
        0xF8, 0xF1, 0xFD, 0xFC, 0xEF, 0xE6, 0xF4, 0xFA, 0xF7, 0xFB, 0xA7, 0xAF, 0xAC, 0xAB, 0xF3, 0xA8,  // U+00B0
        0xB7, 0xB5, 0xB6, 0xC7, 0x8E, 0x8F, 0x92, 0x80, 0xD4, 0x90, 0xD2, 0xD3, 0xDE, 0xD6, 0xD7, 0xD8,  // U+00C0
        0xD1, 0xA5, 0xE3, 0xE0, 0xE2, 0xE5, 0x99, 0x9E, 0x9D, 0xEB, 0xE9, 0xEA, 0x9A, 0xED, 0xE8, 0xE1,  // U+00D0
        0x85, 0xA0, 0x83, 0xC6, 0x84, 0x86, 0x91, 0x87, 0x8A, 0x82, 0x88, 0x89, 0x8D, 0xA1, 0x8C, 0x8B,  // U+00E0
        0xD0, 0xA4, 0x95, 0xA2, 0x93, 0xE4, 0x94, 0xF6, 0x9B, 0x97, 0xA3, 0x96, 0x81, 0xEC, 0xE7, 0x98,  // U+00F0
    ]
}
