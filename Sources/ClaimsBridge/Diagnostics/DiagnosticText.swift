/// Bounded, printable renderings of input text for error messages, so that a diagnostic line never grows
/// with the input (a 1 MB value gives a short line) and never carries raw control bytes to a terminal.
package enum DiagnosticText {
    /// The most characters of an input value a message quotes.
    package static let maximumQuotedCharacters = 40

    /// `"value"` in double quotes, control characters as `\u{..}`, cut after `limit` characters with
    /// `…" (N bytes)` so the reader knows it was shortened.
    package static func quoted(_ text: String, limit: Int = maximumQuotedCharacters) -> String {
        quoted(text.unicodeScalars, totalBytes: text.utf8.count, limit: limit)
    }

    /// The same for UTF-8 bytes (invalid sequences shown as U+FFFD).
    package static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = maximumQuotedCharacters) -> String {
        let shown = String(decoding: bytes.prefix(limit * 4), as: UTF8.self)
        return quoted(shown.unicodeScalars, totalBytes: bytes.count, limit: limit, cut: bytes.count > limit * 4)
    }

    private static func quoted(
        _ scalars: String.UnicodeScalarView, totalBytes: Int, limit: Int, cut: Bool = false
    ) -> String {
        var out = "\""
        var count = 0
        for scalar in scalars {
            if count == limit { return out + "…\" (\(totalBytes) bytes)" }
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0..<0x20, 0x7F..<0xA0: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return cut ? out + "…\" (\(totalBytes) bytes)" : out + "\""
    }
}

extension BridgeError {
    /// The longest reason a diagnostic carries; longer ones (a parser message naming a huge element) are cut.
    package static let maximumReasonCharacters = 600

    /// A copy whose reason is at most ``maximumReasonCharacters`` characters and whose field ID (an element
    /// path, which can hold a very long element name) at most 200, each marked when it was cut.
    package func clipped() -> BridgeError {
        var copy = self
        if reason.count > Self.maximumReasonCharacters {
            copy.reason = String(reason.prefix(Self.maximumReasonCharacters)) + "… (message shortened)"
        }
        if let field = location.fieldID, field.count > 200 {
            copy.location.fieldID = String(field.prefix(200)) + "…"
        }
        return copy
    }
}
