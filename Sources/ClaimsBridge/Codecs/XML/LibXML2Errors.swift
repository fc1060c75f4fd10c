import CLibXML2

/// Collects what libxml2 reports through a structured error handler (per reader or validator, never global).
final class LibXML2ErrorSink {
    struct Issue {
        var message: String
        var line: Int
        /// The 1-based column libxml2 gives (0 when unknown).
        var column = 0
        var isError: Bool
        /// A well-formedness error (libxml2 level "fatal"), after which the parser stops.
        var isFatal = false
    }

    var issues: [Issue] = []
    /// When set, schema validity messages are only counted in ``schemaIssues``, so that ``issues`` holds the
    /// parser's own messages (a reader validating as it reads).
    var countsSchemaIssuesApart = false
    /// The schema validity messages received, when ``countsSchemaIssuesApart`` is set.
    var schemaIssues = 0
    /// The first error, for parse failures.
    var firstError: Issue? { issues.first(where: \.isError) }

    /// The C callback; `context` is an unretained ``LibXML2ErrorSink``.
    static let handler: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        let sink = Unmanaged<LibXML2ErrorSink>.fromOpaque(context).takeUnretainedValue()
        if sink.countsSchemaIssuesApart && error.pointee.domain == Int32(XML_FROM_SCHEMASV.rawValue) {
            sink.schemaIssues += 1
            return
        }
        var message = error.pointee.message.map { String(cString: $0) } ?? "unknown problem"
        while message.last == "\n" || message.last == " " { message.removeLast() }
        guard sink.issues.count < 100 else { return }
        sink.issues.append(
            Issue(
                message: message, line: Int(error.pointee.line), column: Int(error.pointee.int2),
                isError: error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue,
                isFatal: error.pointee.level.rawValue >= XML_ERR_FATAL.rawValue))
    }

    /// The same, for a thread's own handler (`xmlSetStructuredErrorFunc`) around a validating reader's reads:
    /// with a schema attached, libxml2 no longer passes the parser's messages to the reader's handler, and sends
    /// them to the thread's instead. Only the kinds the reader's handler would have received are kept.
    static let parserHandler: xmlStructuredErrorFunc = { context, error in
        guard let error else { return }
        let parserDomains = [
            XML_FROM_PARSER, XML_FROM_HTML, XML_FROM_DTD, XML_FROM_NAMESPACE, XML_FROM_IO, XML_FROM_VALID,
        ]
        guard parserDomains.contains(where: { Int32($0.rawValue) == error.pointee.domain }) else { return }
        handler(context, error)
    }
}

/// Process-wide libxml2 safety settings, applied once before any document is read.
enum LibXML2Setup {
    /// Turns off loading of any external entity or DTD: every request gets nothing.
    /// Also silences libxml2's process-wide error output: encoding errors go there, not to a reader's own
    /// handler, and they print the input's bytes (which can be part of a name) to standard error.
    static let once: Void = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
        // A generic error function is C-variadic; one that ignores its arguments can be given as a plain one.
        let ignore: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Void = { _, _ in }
        let discard = unsafeBitCast(ignore, to: xmlGenericErrorFunc.self)
        xmlThrDefSetGenericErrorFunc(nil, discard)
        xmlSetGenericErrorFunc(nil, discard)
    }()

    /// Parser options: no network, and nothing that loads DTDs or substitutes entities. Short texts (most
    /// attribute values) are kept inside their node rather than in an allocation of their own, as xmllint does.
    static let readerOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_COMPACT.rawValue)

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

/// Turns libxml2's well-formedness messages into words a billing clerk understands.
enum LibXML2Errors {
    /// The reason for a parse failure; never the input's bytes (libxml2 quotes them for encoding errors).
    /// - Parameter atEndOfInput: the problem is at the very end of the input, which was read to its end.
    /// - Parameter sawRoot: the root element was read (libxml2 says "Extra content" for blank input too).
    static func explain(
        _ issue: LibXML2ErrorSink.Issue?, bytesRead: Int, atEndOfInput: Bool = false, sawRoot: Bool = true
    ) -> String {
        guard bytesRead > 0 else { return "the input is empty: there is no XML document to read" }
        guard let issue else { return "the document is not well-formed XML" }
        var message = String(issue.message.prefix(1000))
        if let bytes = message.indices.first(where: { message[$0...].hasPrefix("Bytes:") }) {
            message = String(message[..<bytes])
        }
        while let last = message.last, last.isWhitespace || last == "," { message.removeLast() }
        if message.hasPrefix("Input is not proper UTF-8") {
            return "the document is not valid UTF-8 (the encoding it declares, or XML's default): the file may be in Latin-1 (ISO-8859-1); declare that encoding in its XML declaration or send it as UTF-8"
        }
        if message.hasPrefix("Document labelled UTF-16 but has UTF-8 content") {
            return "the document declares the encoding UTF-16 but its bytes are not UTF-16 (they are in an 8-bit encoding such as UTF-8 or Latin-1); correct its XML declaration"
        }
        if message.hasPrefix("Document is empty") || message.hasPrefix("Start tag expected")
            || (!sawRoot && message.hasPrefix("Extra content"))
        {
            return "the input holds no XML element (it is empty, blank or not XML)"
        }
        if message.hasPrefix("Extra content at the end of the document") {
            return "there is content after the document's last closing tag (a document has exactly one root element)"
        }
        if atEndOfInput || message.hasPrefix("Premature end of data") || message.hasPrefix("EndTag: '</' not found") {
            return "the document ends before it is complete, inside an element (is the file cut short?); the parser says: \(message)"
        }
        return "the document is not well-formed XML: \(message)"
    }
}
