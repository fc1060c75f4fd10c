/// Appends JSON text to a byte buffer: strings with escapes, keys, and text converted from code page 850.
///
/// A hand-written writer: bulk output is several times faster than `JSONEncoder`, and key order is the
/// order of the mapping, so output is stable for golden files.
package enum JSONWriter {
    /// `"key":` as bytes.
    package static func keyBytes(_ key: String) -> [UInt8] {
        var bytes: [UInt8] = []
        appendString(Array(key.utf8)[...], to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        return bytes
    }

    /// Appends a JSON string from UTF-8 bytes.
    @inline(__always)
    package static func appendString(_ utf8: ArraySlice<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in utf8 { appendEscaped(byte, to: &output) }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends a JSON string from a Swift string, reading its UTF-8 in place (no copy into an array).
    @inline(__always)
    package static func appendString<Output: ByteAppending & ~Copyable>(_ text: String, to output: inout Output) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Plain text (the usual case) is copied in one piece; anything else byte by byte.
            if utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                output.append(utf8)
            } else {
                for byte in utf8 { appendEscaped(byte, to: &output) }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends one ASCII byte, escaped as JSON requires.
    @inline(__always)
    private static func appendEscaped<Output: ByteAppending & ~Copyable>(_ byte: UInt8, to output: inout Output) {
        let escape: UInt8
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape = byte
        case 0x0A: escape = UInt8(ascii: "n")
        case 0x0D: escape = UInt8(ascii: "r")
        case 0x09: escape = UInt8(ascii: "t")
        case 0..<0x20, 0x7F:
            let hex: StaticString = "0123456789abcdef"
            for character in [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")] {
                output.append(character)
            }
            output.append(hex.utf8Start[Int(byte >> 4)])
            output.append(hex.utf8Start[Int(byte & 0xF)])
            return
        default:
            output.append(byte)
            return
        }
        output.append(UInt8(ascii: "\\"))
        output.append(escape)
    }

}

extension JSONWriter {
    /// Appends a JSON string from code page 850 bytes.
    @inline(__always)
    package static func appendCodePage850String(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout OutputBuffer) {
        output.reserve(bytes.count &* 6 &+ 2)
        output.append(UInt8(ascii: "\""))
        var plainStart = 0
        var index = 0
        guard let base = bytes.baseAddress else {
            output.append(UInt8(ascii: "\""))
            return
        }
        // Eight bytes at a time while none needs escaping or converting (ASCII 0x20–0x7F except " and \),
        // then one byte by hand, and again.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index < bytes.count {
            while index &+ 8 <= bytes.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let control = (word &- ones &* 0x20) & ~word & highs
                let quote = ((word ^ (ones &* 0x22)) &- ones) & ~(word ^ (ones &* 0x22)) & highs
                let backslash = ((word ^ (ones &* 0x5C)) &- ones) & ~(word ^ (ones &* 0x5C)) & highs
                if (word & highs) | control | quote | backslash != 0 { break }
                index &+= 8
            }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            index &+= 1
            if byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") { continue }
            if index &- 1 > plainStart {
                output.append(base + plainStart, count: index &- 1 &- plainStart)
            }
            plainStart = index
            if byte >= 0x80 {
                CodePage850.appendUTF8(of: byte, to: &output)
            } else {
                appendEscaped(byte, to: &output)
            }
        }
        if bytes.count > plainStart { output.append(bytes.baseAddress! + plainStart, count: bytes.count &- plainStart) }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends a whole number given as ASCII digits, without leading zeros.
    @inline(__always)
    package static func appendInteger(digits bytes: UnsafeBufferPointer<UInt8>, to output: inout OutputBuffer) {
        var start = 0
        while start < bytes.count - 1 && bytes[start] == UInt8(ascii: "0") { start += 1 }
        output.append(UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    /// Appends `"125.50"` for a money field `012550` (optional leading sign).
    @inline(__always)
    package static func appendMoney(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout OutputBuffer) {
        output.reserve(bytes.count + 4)
        output.append(UInt8(ascii: "\""))
        var start = 0
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            if first == UInt8(ascii: "-") { output.append(first) }
            start = 1
        }
        let end = bytes.count
        let units = end - 2
        var i = start
        while i < units - 1 && bytes[i] == UInt8(ascii: "0") { i += 1 }
        if i >= units {
            output.append(UInt8(ascii: "0"))
        } else {
            output.append(UnsafeBufferPointer(rebasing: bytes[i..<units]))
        }
        output.append(UInt8(ascii: "."))
        if end - start >= 2 {
            output.append(bytes[end - 2])
            output.append(bytes[end - 1])
        } else {
            output.append(UInt8(ascii: "0"))
            output.append(end - start == 1 ? bytes[end - 1] : UInt8(ascii: "0"))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `"2026-11-25"` for `20261125`.
    @inline(__always)
    package static func appendDate(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout OutputBuffer) {
        output.reserve(12)
        output.append(UInt8(ascii: "\""))
        output.append(UnsafeBufferPointer(rebasing: bytes[0..<4]))
        output.append(UInt8(ascii: "-"))
        output.append(UnsafeBufferPointer(rebasing: bytes[4..<6]))
        output.append(UInt8(ascii: "-"))
        output.append(UnsafeBufferPointer(rebasing: bytes[6..<8]))
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONWriter {
    /// The length of `bytes` without its trailing spaces, testing eight bytes at a time.
    @inline(__always)
    package static func lengthWithoutTrailingSpaces(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var end = bytes.count
        guard let base = bytes.baseAddress else { return 0 }
        let spaces: UInt64 = 0x2020_2020_2020_2020
        while end >= 8 {
            let word = UnsafeRawPointer(base + (end &- 8)).loadUnaligned(as: UInt64.self)
            if word != spaces {
                // Little-endian: the last byte in memory is the most significant; count its trailing spaces.
                return end &- (word ^ spaces).bigEndian.trailingZeroBitCount &>> 3
            }
            end &-= 8
        }
        while end > 0 && base[end &- 1] == 0x20 { end &-= 1 }
        return end
    }
}
