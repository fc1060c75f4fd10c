import CLibXML2
import Foundation

/// Validates XML documents against an XML Schema (XSD) with libxml2's `xmlschemas`, streaming.
///
/// The schema is compiled once; each ``validate(_:)`` call reads one document from memory through an
/// `xmlTextReader` with the schema attached. Not thread-safe: use one validator per pipeline.
package final class XMLSchemaValidator {
    /// The compiled schema; a reader may validate against it as it reads (see ``XMLStreamReader``).
    let schema: xmlSchemaPtr
    /// The schema file, for messages.
    package let path: String

    /// One rule broken.
    package struct Issue: Sendable, Equatable {
        /// The 1-based line in the validated document.
        package var line: Int
        /// libxml2's message, e.g. `Element 'ACTE', attribute 'MNT': [facet 'pattern'] …`.
        package var message: String
        /// The document is not well-formed (nothing after this point was checked).
        package var isFatal = false
    }

    /// Loads and compiles the schema.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) when the file cannot be read or is not a valid XSD.
    package init(path: String) throws(BridgeError) {
        _ = LibXML2Setup.once
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BridgeError(.invalidConfiguration, "cannot read the schema", at: .init(file: path))
        }
        let sink = LibXML2ErrorSink()
        let parsed: xmlSchemaPtr? = data.withUnsafeBytes { bytes in
            guard let context = xmlSchemaNewMemParserCtxt(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { xmlSchemaFreeParserCtxt(context) }
            xmlSchemaSetParserStructuredErrors(
                context, LibXML2ErrorSink.handler, Unmanaged.passUnretained(sink).toOpaque())
            return xmlSchemaParse(context)
        }
        guard let parsed else {
            let issue = sink.firstError
            throw BridgeError(
                .invalidConfiguration, "not a valid XML Schema: \(issue?.message ?? "unreadable")",
                at: .init(file: path, line: issue?.line))
        }
        schema = parsed
    }

    /// One reader, reset for each document (`xmlReaderNewMemory`), so its buffers are allocated once.
    private var reader: xmlTextReaderPtr?

    deinit {
        if let reader { xmlFreeTextReader(reader) }
        if let streamContext { xmlSchemaFreeValidCtxt(streamContext) }
        xmlSchemaFree(schema)
    }

    /// A validation context for ``isValid(_:)``, made on first use.
    private var streamContext: xmlSchemaValidCtxtPtr?

    /// Whether a document this program wrote (no document type declaration) is well-formed and breaks no rule.
    /// One SAX pass with no tree built, much cheaper than ``validate(_:)``, which says what is wrong.
    package func isValid(_ document: [UInt8]) -> Bool {
        if streamContext == nil {
            streamContext = xmlSchemaNewValidCtxt(schema)
            if let streamContext {
                xmlSchemaSetValidStructuredErrors(streamContext, { _, _ in }, nil)
            }
        }
        guard let streamContext else { return false }
        return document.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                let input = xmlParserInputBufferCreateMem(base, Int32(bytes.count), XML_CHAR_ENCODING_NONE)
            else { return false }
            // The parser made for the pass owns `input` and frees it.
            return xmlSchemaValidateStream(streamContext, input, XML_CHAR_ENCODING_NONE, nil, nil) == 0
        }
    }

    /// Every rule the document breaks (empty when it is valid), or a single issue when it is not well-formed.
    package func validate(_ document: [UInt8]) -> [Issue] {
        let sink = LibXML2ErrorSink()
        var valid = true
        document.withUnsafeBytes { bytes in
            let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            let reader: xmlTextReaderPtr
            if let existing = self.reader,
                xmlReaderNewMemory(existing, base, Int32(bytes.count), "batch.xml", nil, LibXML2Setup.readerOptions)
                    == 0
            {
                reader = existing
            } else if let created = xmlReaderForMemory(
                base, Int32(bytes.count), "batch.xml", nil, LibXML2Setup.readerOptions)
            {
                if let old = self.reader { xmlFreeTextReader(old) }
                self.reader = created
                reader = created
            } else {
                valid = false
                return
            }
            defer { xmlTextReaderClose(reader) }
            xmlTextReaderSetStructuredErrorHandler(
                reader, LibXML2ErrorSink.handler, Unmanaged.passUnretained(sink).toOpaque())
            guard xmlTextReaderSetSchema(reader, schema) == 0 else {
                valid = false
                return
            }
            var result: Int32 = 1
            while result == 1 {
                result = xmlTextReaderRead(reader)
                if result == 1 && xmlTextReaderNodeType(reader) == 10 {
                    sink.issues.append(
                        .init(
                            message: "document type declarations are not accepted", line: 1, isError: true,
                            isFatal: true))
                    break
                }
            }
            if result < 0 || xmlTextReaderIsValid(reader) != 1 { valid = false }
            // With a schema attached, libxml2 2.9 does not always pass well-formedness errors to the handler.
            if result < 0 && !sink.issues.contains(where: \.isFatal) {
                sink.issues.append(
                    .init(
                        message:
                            "not well-formed XML: a value holds a character XML cannot carry, such as a control character",
                        line: Int(xmlTextReaderGetParserLineNumber(reader)), isError: true, isFatal: true))
            }
        }
        let issues = sink.issues.filter(\.isError).map {
            Issue(line: $0.line, message: $0.message, isFatal: $0.isFatal)
        }
        if !valid && issues.isEmpty {
            return [Issue(line: 0, message: "the document does not match the schema", isFatal: true)]
        }
        return issues
    }
}
