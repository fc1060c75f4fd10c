import CLibXML2

/// Collects what libxml2 reports through a structured error handler (per reader or validator, never global).
final class LibXML2ErrorSink {
    struct Issue {
        var message: String
        var line: Int
        var isError: Bool
        /// A well-formedness error (libxml2 level "fatal"), after which the parser stops.
        var isFatal = false
    }

    var issues: [Issue] = []
    /// The first error, for parse failures.
    var firstError: Issue? { issues.first(where: \.isError) }

    /// The C callback; `context` is an unretained ``LibXML2ErrorSink``.
    static let handler: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        let sink = Unmanaged<LibXML2ErrorSink>.fromOpaque(context).takeUnretainedValue()
        var message = error.pointee.message.map { String(cString: $0) } ?? "unknown problem"
        while message.last == "\n" || message.last == " " { message.removeLast() }
        guard sink.issues.count < 100 else { return }
        sink.issues.append(
            Issue(
                message: message, line: Int(error.pointee.line),
                isError: error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue,
                isFatal: error.pointee.level.rawValue >= XML_ERR_FATAL.rawValue))
    }
}

/// Process-wide libxml2 safety settings, applied once before any document is read.
enum LibXML2Setup {
    /// Turns off loading of any external entity or DTD: every request gets nothing.
    static let once: Void = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
    }()

    /// Parser options: no network, and nothing that loads DTDs or substitutes entities.
    static let readerOptions = Int32(XML_PARSE_NONET.rawValue)

    /// Removes the quoted values libxml2 puts in schema messages (they can be names or health numbers):
    /// a quoted part right after "value " or ": " becomes "(hidden)"; names of elements, facets and types stay.
    static func redactValues(_ message: String) -> String {
        let characters = Array(message)
        var out = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "'" {
                let before = String(out.suffix(6))
                if before.hasSuffix("value ") || before.hasSuffix(": "),
                    let close = characters[(index + 1)...].firstIndex(of: "'")
                {
                    out += "(hidden)"
                    index = close + 1
                    continue
                }
            }
            out.append(character)
            index += 1
        }
        return out
    }
}
