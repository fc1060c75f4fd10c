import CLibXML2

/// What ``XMLPushParser`` found next in a document.
enum XMLStreamEvent {
    /// An element starts: its name, namespace, attributes (namespace declarations left out) and line; the
    /// qualified name as written is given for the root only.
    case start(TreeNode, qualifiedName: String?)
    /// The element last started ends, on this line.
    case end(line: Int)
    /// Character data directly inside the element last started: a text run that is not only whitespace, or a
    /// CDATA section.
    case text(String, line: Int)
    /// A record ``XMLPushParser/passOver(name:namespace:)`` named was read through to its end (held to the
    /// limits and validated) without events of its own.
    case passed(name: String, line: Int)
    /// Reading stops here: a limit was passed, or the document declares a DTD or uses an entity.
    case refused(BridgeError.Code, String, line: Int)

    /// The line the event is on (for an element that starts, where its start tag ends).
    var line: Int {
        switch self {
        case .start(let node, _): node.line
        case .end(let line), .text(_, let line), .passed(_, let line), .refused(_, _, let line): line
        }
    }
}

/// libxml2's push parser fed from a ``SourceBox``, its SAX callbacks turned into ``XMLStreamEvent``s taken one at
/// a time. No tree is built by libxml2; with a schema, the parser validates as it reads (the schema plugged into
/// the SAX stream, as `xmlSchemaValidateStream` does).
///
/// Secure by default: `XML_PARSE_NONET`, no entity substitution, nothing loaded (see ``LibXML2Setup``), and a
/// document type declaration or entity reference refused at once. ``XMLLimits`` are applied as the callbacks come,
/// so a document past one stops being read before it can use much memory.
final class XMLPushParser {
    private let source: SourceBox
    private let limits: XMLLimits
    private let name: String
    /// The schema validated against, and where its messages go: held as long as the validation that uses them.
    private let validator: XMLSchemaValidator?
    private let schemaErrors: LibXML2ErrorSink
    private var context: xmlParserCtxtPtr?
    private var validation: xmlSchemaValidCtxtPtr?
    private var plug: xmlSchemaSAXPlugPtr?
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)

    private var events: [XMLStreamEvent] = []
    private var nextEvent = 0
    /// The input has been read to its end and the parser told so.
    private var inputEnded = false
    /// The parser reported a problem (or the input could not be read): nothing after it is delivered.
    private(set) var failed = false
    /// A ``XMLStreamEvent/refused(_:_:line:)`` was queued, or the parser reached the byte the encoding check
    /// refused; the parser is stopped.
    private var stopped = false
    /// Where the byte scanner found the first byte the declared encoding does not allow, once it has.
    private var encodingProblemOffset: Int?
    /// The parser was stopped on reaching that byte: no event from there on was delivered.
    private(set) var stoppedAtEncodingProblem = false
    /// About where the parser's first problem is: where it stopped, or the first callback after a problem it read on
    /// after.
    private(set) var failureOffset: Int?

    /// Element depth, the root being 1.
    private var depth = 0
    /// The text bytes of each open element so far, by depth.
    private var textBytes: [Int] = [0]
    /// The text run being gathered (libxml2 gives it in pieces), its length, whether it holds more than whitespace,
    /// and its line.
    private var run: [UInt8] = []
    private var runLength = 0
    private var runHasText = false
    private var runLine = 0

    /// Records passed over: their local name and namespace URI (NUL-terminated), and whether passing over is on.
    private var passedName: [xmlChar]?
    private var passedNamespace: [xmlChar] = [0]
    var passesOver = true
    /// The record being passed over: its name and the elements counted in it so far.
    private var passing: (name: String, elements: Int)?

    /// A parser over `source`'s bytes, validating against `validator`'s schema when one is given; the schema's
    /// messages go to `schemaErrors` (the parser's own go to the thread's libxml2 error handler).
    init(
        source: SourceBox, name: String, limits: XMLLimits, validator: XMLSchemaValidator?,
        schemaErrors: LibXML2ErrorSink
    ) {
        self.source = source
        self.name = name
        self.limits = limits
        self.validator = validator
        self.schemaErrors = schemaErrors
    }

    deinit {
        if let plug { xmlSchemaSAXUnplug(plug) }
        if let validation { xmlSchemaFreeValidCtxt(validation) }
        if let context {
            if let document = context.pointee.myDoc { xmlFreeDoc(document) }
            xmlFreeParserCtxt(context)
        }
    }

    /// Records named so (local name and namespace URI) are passed over (see ``XMLStreamEvent/passed(name:line:)``);
    /// nil gives every element's events. Called before the first event is taken, as the parser reads ahead.
    func passOver(name: String?, namespace: String) {
        passesEveryRecord = false
        passedName = name.map { Array($0.utf8) + [0] }
        passedNamespace = Array(namespace.utf8) + [0]
    }

    /// Every record is passed over, whatever its name and namespace.
    func passOverEveryRecord() {
        passedName = [0]
        passesEveryRecord = true
    }
    private var passesEveryRecord = false

    /// The next event, or nil when there is none: at the document's end, or after a failure (``failed``).
    func next() -> XMLStreamEvent? {
        while nextEvent == events.count {
            events.removeAll(keepingCapacity: true)
            nextEvent = 0
            guard !inputEnded, !failed, !stopped else { return nil }
            feed()
        }
        defer { nextEvent += 1 }
        return events[nextEvent]
    }

    /// The line the parser is on.
    var line: Int { context.map { Int($0.pointee.input?.pointee.line ?? 0) } ?? 0 }

    /// Gives the parser the input's next piece, or tells it the input ended.
    private func feed() {
        let count = Int(buffer.withUnsafeMutableBytes { source.read($0) })
        guard count >= 0 else {
            failed = true
            return
        }
        if count == 0 { inputEnded = true }
        if encodingProblemOffset == nil, let problem = source.scanner.encoding.problem {
            encodingProblemOffset = problem.offset
        }
        let result: Int32 = buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            // The first bytes (up to four) go in with the parser's creation, for it to find the encoding.
            var given = 0
            if context == nil {
                given = min(count, 4)
                guard start(with: base, count: given) else { return -1 }
            }
            return xmlParseChunk(context, base + given, Int32(count - given), count == 0 ? 1 : 0)
        }
        guard let context, result == 0, context.pointee.wellFormed != 0, context.pointee.errNo == 0 else {
            if !stopped {
                failed = true
                if failureOffset == nil { failureOffset = context.map { Int(xmlByteConsumed($0)) } }
            }
            return
        }
    }

    /// Creates the parser with the input's first bytes, and plugs the schema in; false when it cannot be made.
    private func start(with bytes: UnsafePointer<CChar>, count: Int) -> Bool {
        var handler = Self.makeHandler()
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        guard let context = xmlCreatePushParserCtxt(&handler, opaque, bytes, Int32(count), name) else {
            failed = true
            return false
        }
        self.context = context
        xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue))
        if let validator, let validation = xmlSchemaNewValidCtxt(validator.schema) {
            self.validation = validation
            xmlSchemaSetValidStructuredErrors(
                validation, LibXML2ErrorSink.handler, Unmanaged.passUnretained(schemaErrors).toOpaque())
            // The plug replaces the parser's handler and user data with its own, and puts them back when
            // unplugged: it is given where the parser keeps them.
            let fields = UnsafeMutableRawPointer(context)
            let sax = fields + MemoryLayout<xmlParserCtxt>.offset(of: \.sax)!
            let userData = fields + MemoryLayout<xmlParserCtxt>.offset(of: \.userData)!
            plug = xmlSchemaSAXPlug(
                validation, sax.assumingMemoryBound(to: xmlSAXHandlerPtr?.self),
                userData.assumingMemoryBound(to: UnsafeMutableRawPointer?.self))
        }
        return true
    }

    // MARK: - SAX callbacks

    /// Whether callbacks still add events: not after a refusal, once libxml2 reported a problem, or past the
    /// first byte the encoding does not allow (the events after it are not delivered; whichever of the two comes
    /// first is where reading stops).
    private var accepting: Bool {
        guard !stopped, let context else { return false }
        guard context.pointee.errNo == 0 else {
            // A problem libxml2 reads on after (a namespace error): placed at the first callback after it.
            if failureOffset == nil { failureOffset = Int(xmlByteConsumed(context)) }
            return false
        }
        // Where the parser is (-1 when libxml2 cannot tell: stopping then loses nothing, the records complete
        // before the byte are read again from their own bytes).
        if let encodingProblemOffset, case let consumed = Int(xmlByteConsumed(context)),
            consumed < 0 || consumed > encodingProblemOffset
        {
            stopped = true
            stoppedAtEncodingProblem = true
            xmlStopParser(context)
            return false
        }
        return true
    }

    private func refuse(_ code: BridgeError.Code, _ reason: String, line: Int? = nil) {
        events.append(.refused(code, reason, line: line ?? self.line))
        stopped = true
        if let context { xmlStopParser(context) }
    }

    /// Holds an element's depth, attribute count, and (inside a record passed over) the record's element count to
    /// the limits; false when one was passed (the document is then refused).
    private func withinLimits(attributes: Int) -> Bool {
        if var passing {
            passing.elements += 1
            self.passing = passing
            guard passing.elements <= limits.maximumElementsPerRecord else {
                refuse(.limitExceeded, "a record holds more elements than the limit allows")
                return false
            }
        }
        guard depth <= limits.maximumDepth else {
            refuse(.limitExceeded, "elements are nested more than \(limits.maximumDepth) deep")
            return false
        }
        guard attributes <= limits.maximumAttributes else {
            refuse(
                .limitExceeded, "an element has \(attributes) attributes; at most \(limits.maximumAttributes) are accepted")
            return false
        }
        return true
    }

    private func startElement(
        _ localName: UnsafePointer<xmlChar>, _ prefix: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?,
        namespaces: Int, attributeCount: Int, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        guard accepting else { return }
        endRun()
        depth += 1
        let line = self.line
        if depth == 2, passing == nil, isPassedOver(localName, uri) {
            passing = (String(cString: localName), 0)
        }
        // The reader counted namespace declarations among an element's attributes; so do the limits.
        guard withinLimits(attributes: attributeCount + namespaces) else { return }
        if textBytes.count <= depth { textBytes.append(0) } else { textBytes[depth] = 0 }
        guard passing == nil else { return }
        var node = TreeNode(
            name: String(cString: localName), namespace: uri.map { String(cString: $0) } ?? "", line: line)
        if attributeCount > 0, let attributes {
            node.attributes.reserveCapacity(attributeCount)
            for index in 0..<attributeCount {
                let fields = attributes + index * 5
                guard let name = fields[0], let start = fields[3], let end = fields[4] else { continue }
                node.attributes.append(
                    .init(
                        String(cString: name), Self.attributeValue(start, end),
                        namespace: fields[2].map { String(cString: $0) } ?? ""))
            }
        }
        let qualifiedName = depth == 1 ? (prefix.map { String(cString: $0) + ":" } ?? "") + node.name : nil
        events.append(.start(node, qualifiedName: qualifiedName))
    }

    /// An attribute's value as libxml2 gives it without entity substitution: every `&` in it stands for `&#38;`.
    private static func attributeValue(_ start: UnsafePointer<xmlChar>, _ end: UnsafePointer<xmlChar>) -> String {
        let bytes = UnsafeBufferPointer(start: start, count: end - start)
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            decoded.append(bytes[index])
            index += bytes[index] == UInt8(ascii: "&") && bytes[index...].starts(with: "&#38;".utf8) ? 5 : 1
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private func isPassedOver(_ localName: UnsafePointer<xmlChar>, _ uri: UnsafePointer<xmlChar>?) -> Bool {
        // Only while the scanner locates records' bytes, after a head they can be read in again, in UTF-8 (the
        // trees of records passed over are built from their bytes).
        guard passesOver, let passedName else { return false }
        let scanner = source.scanner
        guard scanner.enabled, scanner.head != nil, scanner.encoding.isUTF8 else { return false }
        if passesEveryRecord { return true }
        guard xmlStrEqual(localName, passedName) == 1 else { return false }
        guard let uri else { return passedNamespace.count == 1 }
        return xmlStrEqual(uri, passedNamespace) == 1
    }

    private func endElement() {
        guard accepting else { return }
        endRun()
        defer { depth -= 1 }
        guard let passing else {
            events.append(.end(line: line))
            return
        }
        if depth == 2 {
            events.append(.passed(name: passing.name, line: line))
            self.passing = nil
        }
    }

    private func characters(_ bytes: UnsafePointer<xmlChar>, _ count: Int) {
        guard accepting, count > 0 else { return }
        let piece = UnsafeBufferPointer(start: bytes, count: count)
        if runLength == 0 { runLine = line }
        if !runHasText {
            runHasText = piece.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        }
        runLength += count
        guard !runHasText || textBytes[depth] + runLength <= limits.maximumTextBytes else {
            refuse(.limitExceeded, "an element's text is longer than \(limits.maximumTextBytes) bytes", line: runLine)
            return
        }
        // A run only of whitespace is dropped: past the limit, its bytes need not be kept.
        if passing == nil, runLength <= limits.maximumTextBytes { run.append(contentsOf: piece) }
    }

    /// Ends the text run gathered: kept when it holds more than whitespace (as libxml2's reader, which reports a
    /// whitespace-only text node as whitespace).
    private func endRun() {
        guard runLength > 0 else { return }
        if runHasText {
            textBytes[depth] += runLength
            if passing == nil { events.append(.text(String(decoding: run, as: UTF8.self), line: runLine)) }
        }
        run.removeAll(keepingCapacity: true)
        runLength = 0
        runHasText = false
    }

    private func cdata(_ bytes: UnsafePointer<xmlChar>, _ count: Int) {
        guard accepting else { return }
        endRun()
        textBytes[depth] += count
        guard textBytes[depth] <= limits.maximumTextBytes else {
            refuse(.limitExceeded, "an element's text is longer than \(limits.maximumTextBytes) bytes")
            return
        }
        if passing == nil {
            events.append(.text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self), line: line))
        }
    }

    /// The SAX2 handler: elements, text, CDATA; comments and processing instructions end a text run; a document
    /// type declaration or an entity reference is refused.
    private static func makeHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = 0xDEED_BEAF  // XML_SAX2_MAGIC: the namespace-aware callbacks below are used
        handler.startElementNs = { context, localName, prefix, uri, namespaces, _, attributes, _, values in
            guard let context, let localName else { return }
            XMLPushParser.parser(context).startElement(
                localName, prefix, uri, namespaces: Int(namespaces), attributeCount: Int(attributes),
                attributes: values)
        }
        handler.endElementNs = { context, _, _, _ in
            guard let context else { return }
            XMLPushParser.parser(context).endElement()
        }
        handler.characters = { context, bytes, count in
            guard let context, let bytes else { return }
            XMLPushParser.parser(context).characters(bytes, Int(count))
        }
        handler.ignorableWhitespace = handler.characters
        handler.cdataBlock = { context, bytes, count in
            guard let context, let bytes else { return }
            XMLPushParser.parser(context).cdata(bytes, Int(count))
        }
        handler.comment = { context, _ in
            guard let context else { return }
            XMLPushParser.parser(context).endRun()
        }
        handler.processingInstruction = { context, _, _ in
            guard let context else { return }
            XMLPushParser.parser(context).endRun()
        }
        handler.internalSubset = { context, _, _, _ in
            guard let context else { return }
            XMLPushParser.parser(context).refuse(
                .invalidXML,
                "the document has a document type declaration (<!DOCTYPE …>); DTDs and entity declarations are not accepted"
            )
        }
        handler.reference = { context, _ in
            guard let context else { return }
            XMLPushParser.parser(context).refuse(
                .invalidXML,
                "the document uses an entity reference (&name;); only the five predefined entities are accepted")
        }
        return handler
    }

    private static func parser(_ context: UnsafeMutableRawPointer) -> XMLPushParser {
        Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue()
    }
}
