import CLibXML2

/// Reads a partner XML document as a stream: the root element first, then its child elements one at a time,
/// each as a small ``TreeNode`` tree. The whole document is never held in memory.
///
/// Secure by default: libxml2's `xmlTextReader` with `XML_PARSE_NONET` only (no DTD loading, no entity
/// substitution), an external-entity loader that loads nothing, and a document type declaration
/// (`<!DOCTYPE …>`, the carrier of XXE and "billion laughs" attacks) refused outright. ``XMLLimits`` bound
/// depth, attributes, text size and elements per record.
package final class XMLStreamReader {
    private let reader: xmlTextReaderPtr
    private let source: SourceBox
    private let errors = LibXML2ErrorSink()
    private let limits: XMLLimits
    private var finished = false
    /// The schema the parser validates against as it reads, kept alive as long as the reader.
    private let schema: XMLSchemaValidator?

    /// Opens a reader over a byte stream.
    /// - Parameter schema: a schema to validate against in the same pass as the parsing; its messages are only
    ///   counted (``schemaIssueCount``), so that a caller knows the records read so far are valid.
    /// - Parameter locatingRecords: false when records' original bytes are not needed (the input is already
    ///   made of records' own bytes): the input is then not scanned for them.
    package init<Input: ByteInput>(
        input: Input, name: String, limits: XMLLimits = XMLLimits(), schema: XMLSchemaValidator? = nil,
        locatingRecords: Bool = true
    ) {
        _ = LibXML2Setup.once
        self.limits = limits
        source = InputSourceBox(input)
        if !locatingRecords {
            source.scanner.disable()
            source.scans = false
        }
        let context = Unmanaged.passUnretained(source).toOpaque()
        let reader: xmlTextReaderPtr = xmlReaderForIO(
            { context, buffer, length in
                guard let context, let buffer else { return -1 }
                let box = Unmanaged<SourceBox>.fromOpaque(context).takeUnretainedValue()
                return box.read(UnsafeMutableRawBufferPointer(start: buffer, count: Int(length)))
            }, nil, context, name, nil, LibXML2Setup.readerOptions)
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(
            reader, LibXML2ErrorSink.handler, Unmanaged.passUnretained(errors).toOpaque())
        // The schema's messages reach the handler above; the parser's then go to the thread's handler, which
        // ``reading(_:)`` points at the same place while it reads.
        self.schema = schema.flatMap { xmlTextReaderSetSchema(reader, $0.schema) == 0 ? $0 : nil }
        errors.countsSchemaIssuesApart = true
    }

    /// How many schema messages the parser has given so far (it reads ahead of the record last returned, so
    /// every record returned has been checked); nil when the reader does not validate.
    package var schemaIssueCount: Int? { schema == nil ? nil : errors.schemaIssues }

    deinit { xmlFreeTextReader(reader) }

    /// Bytes taken from the input so far (the parser reads ahead of the element being returned).
    package var bytesRead: Int { source.total }

    /// The exact input bytes and byte offset of the record last returned by ``nextRecord()``, when they could
    /// be found (ASCII-compatible encodings); nil otherwise.
    package private(set) var lastOriginal: (offset: Int, bytes: [UInt8])?

    /// Whether each record's input bytes can be found (not for UTF-16 input): when they stop being found
    /// part-way, the rest of the document is treated as unreadable, so that no byte goes unaccounted for.
    private var locatesRecords = false

    /// The document's bytes up to and including the root's start tag (its prolog, encoding and namespace
    /// declarations), when they were kept; records' own bytes placed after it read as they do in the input.
    package var documentHead: [UInt8]? { source.scanner.head }

    /// Whether the document is read as UTF-8 (declared so, or declaring no encoding) and its bytes kept to it so
    /// far.
    var readsUTF8: Bool { source.scanner.encoding.isUTF8 }

    /// The root element's name as written (with its prefix, if any), after ``readRoot()``.
    package private(set) var rootQualifiedName: String?

    /// Where reading failed (line, 1-based column) after a throw; records that end before it are complete.
    package private(set) var failurePosition: (line: Int, column: Int)?

    /// The complete records the parser had not returned yet when it failed, and which end before the failure:
    /// each is a well-formed element that can be parsed again on its own (see ``parseAlone(_:)``).
    func takeRecordsCompleteBeforeFailure() -> [XMLRecordScanner.Record] {
        guard let failurePosition, source.scanner.head != nil, rootQualifiedName != nil else { return [] }
        return source.scanner.takeRecords(before: failurePosition.line, column: failurePosition.column)
    }

    /// Hands over, in pieces of at most `pieceSize` bytes, every input byte not part of a record returned or
    /// taken: what was read but not handed over, then the rest of the input, read to its end. Returns how many
    /// bytes in between could not be kept (the keeping limit was reached while the parser still read on).
    func takeUnreadBytes(
        pieceSize: Int = 1 << 20, _ body: (_ offset: Int, _ piece: [UInt8]) throws -> Bool
    ) throws -> Int {
        let kept = source.scanner.takeRemainder()
        let dropped = source.scanner.droppedBytes
        var pieceOffset = kept.offset
        var piece = kept.bytes
        var buffer = [UInt8](repeating: 0, count: min(pieceSize, 64 * 1024))
        while true {
            while piece.count >= pieceSize {
                guard try body(pieceOffset, Array(piece[0..<pieceSize])) else { return dropped }
                piece.removeFirst(pieceSize)
                pieceOffset += pieceSize
            }
            if pieceOffset + piece.count != source.total {  // bytes were not kept: start a new piece after them
                if !piece.isEmpty { guard try body(pieceOffset, piece) else { return dropped } }
                piece = []
                pieceOffset = source.total
            }
            let count = try buffer.withUnsafeMutableBytes { try source.readUnscanned(into: $0) }
            if count == 0 { break }
            piece += buffer[0..<count]
        }
        if !piece.isEmpty { _ = try body(pieceOffset, piece) }
        return dropped
    }

    /// Parses a record found by the scanner on its own, inside the document's own prolog and root start tag
    /// (so its encoding and namespace declarations apply); nil when the prolog was not kept.
    /// - Throws: ``BridgeError`` when the record is not a well-formed element on its own.
    func parseAlone(_ record: XMLRecordScanner.Record) throws(BridgeError) -> TreeNode? {
        guard let head = source.scanner.head, let rootName = rootQualifiedName else { return nil }
        var node = try Self.readAlone(record.bytes, head: head, rootName: rootName, limits: limits)
        node.shiftLines(by: record.line - node.line)
        return node
    }

    /// The element `bytes` as libxml2 reads it inside the document's `head` and the root's end tag, its lines
    /// counted in that small document.
    /// - Throws: ``BridgeError`` when the bytes are not one well-formed element there.
    static func readAlone(
        _ bytes: [UInt8], head: [UInt8], rootName: String, limits: XMLLimits
    ) throws(BridgeError) -> TreeNode {
        let document = head + bytes + Array("</\(rootName)>".utf8)
        let alone = XMLStreamReader(input: MemoryInput(document), name: "record", limits: limits, locatingRecords: false)
        _ = try alone.readRoot()
        guard let node = try alone.nextRecord(), try alone.nextRecord() == nil else {
            throw BridgeError(.invalidXML, "the record is not one element")
        }
        return node
    }

    private func takeOriginal(named name: String) -> XMLRecordScanner.Record? {
        guard source.scanner.enabled, let found = source.scanner.nextRecordBytes else { return nil }
        // The scanner and the parser must agree on which element this is; otherwise the bytes are not taken.
        let head = found.prefix(name.utf8.count + 64)
        let tagName = head.dropFirst().prefix {
            $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x3E && $0 != 0x2F
        }
        let local = tagName.lastIndex(of: UInt8(ascii: ":")).map { tagName[($0 + 1)...] } ?? tagName
        guard found.first == UInt8(ascii: "<"), local.elementsEqual(name.utf8) else { return nil }
        return source.scanner.takeRecord()
    }

    /// Reads up to the root element and returns it without children.
    /// - Throws: ``BridgeError`` (`invalidXML`, `limitExceeded`, `emptyInput`, `io`).
    package func readRoot() throws(BridgeError) -> TreeNode {
        try reading { () throws(BridgeError) in try findRoot() }
    }

    private func findRoot() throws(BridgeError) -> TreeNode {
        while try step() {
            switch xmlTextReaderNodeType(reader) {
            case 1:
                var root = try startElement(depth: 1)
                rootQualifiedName = text(xmlTextReaderConstName(reader))
                locatesRecords = source.scanner.enabled
                root.children = []
                if xmlTextReaderIsEmptyElement(reader) == 1 { finished = true }
                return root
            default: continue
            }
        }
        throw BridgeError(.emptyInput, "the input holds no XML element")
    }

    /// The next child element of the root with everything inside it, or nil after the root's end tag.
    /// - Throws: ``BridgeError``; after a throw the document cannot be read further.
    package func nextRecord() throws(BridgeError) -> TreeNode? {
        try reading { () throws(BridgeError) in try readRecord() }
    }

    private func readRecord() throws(BridgeError) -> TreeNode? {
        guard case .tree(let record)? = try readRecord(passingOver: false) else { return nil }
        return record
    }

    /// The next child element of the root: as a tree, or — when ``passOver(name:namespace:)`` named it and its
    /// bytes are located — only its original bytes, the parser having read through it (validating it, and
    /// holding it to the same limits) without a tree being built; ``XMLRecordTreeBuilder`` (or, for what it leaves,
    /// ``trees(of:head:rootName:limits:)``) builds the trees later, on another thread. Nil after the root's end tag.
    /// - Throws: ``BridgeError``; after a throw the document cannot be read further.
    func nextRecordOrBytes() throws(BridgeError) -> ReadRecord? {
        try reading { () throws(BridgeError) in try readRecord(passingOver: true) }
    }

    /// A record as ``nextRecordOrBytes()`` returns it.
    enum ReadRecord {
        case tree(TreeNode)
        /// A record passed over: its offset, original bytes and first line.
        case passed(XMLRecordScanner.Record)
    }

    /// Records named so (local name and namespace URI) are passed over by ``nextRecordOrBytes()``; nil builds
    /// every record's tree. Only takes effect while records' bytes are located.
    func passOver(name: String?, namespace: String) {
        passedName = name.map { Array($0.utf8) + [0] }
        passedNamespace = Array(namespace.utf8) + [0]
    }
    /// Whether the records ``passOver(name:namespace:)`` named are passed over now (true) or read as trees.
    var passesOver = true
    private var passedName: [xmlChar]?
    private var passedNamespace: [xmlChar] = [0]

    /// Whether the element the reader is on is one that ``passOver(name:namespace:)`` named.
    private var isPassedOver: Bool {
        guard passesOver, locatesRecords, let passedName, let name = xmlTextReaderConstLocalName(reader),
            xmlStrEqual(name, passedName) == 1
        else { return false }
        guard let namespace = xmlTextReaderConstNamespaceUri(reader) else { return passedNamespace.count == 1 }
        return xmlStrEqual(namespace, passedNamespace) == 1
    }

    private func readRecord(passingOver: Bool) throws(BridgeError) -> ReadRecord? {
        guard !finished else { return nil }
        while try step() {
            switch xmlTextReaderNodeType(reader) {
            case 1:
                var budget = limits.maximumElementsPerRecord
                if passingOver, isPassedOver {
                    let name = text(xmlTextReaderConstLocalName(reader))
                    try pass(depth: 2, budget: &budget)
                    guard let record = takeOriginal(named: name) else { throw unlocatedRecord() }
                    lastOriginal = (record.offset, record.bytes)
                    return .passed(record)
                }
                let record = try element(depth: 2, budget: &budget)
                lastOriginal = takeOriginal(named: record.name).map { ($0.offset, $0.bytes) }
                if lastOriginal == nil && locatesRecords { throw unlocatedRecord() }
                return .tree(record)
            case 15:
                finished = true
                while try step() {}
                return nil
            case 3, 4:
                throw failure(.unexpectedElement, "text directly inside the root element is not expected here")
            default: continue
            }
        }
        finished = true
        return nil
    }

    /// Reads the root element's whole content (for documents that are one record).
    package func readRemainingChildren(into root: inout TreeNode) throws(BridgeError) {
        source.scanner.disable()  // the whole document is the record; its children need no bytes of their own
        var budget = limits.maximumElementsPerDocument
        try reading { () throws(BridgeError) in
            while let child = try nextRecordCounting(&budget) { root.children.append(child) }
        }
    }

    private func nextRecordCounting(_ budget: inout Int) throws(BridgeError) -> TreeNode? {
        guard !finished else { return nil }
        while try step() {
            switch xmlTextReaderNodeType(reader) {
            case 1: return try element(depth: 2, budget: &budget)
            case 15:
                finished = true
                while try step() {}
                return nil
            default: continue
            }
        }
        finished = true
        return nil
    }

    /// Points the thread's libxml2 error handler at this reader while `body` reads (only when validating: the
    /// schema's messages come through the reader's own handler, the parser's then through the thread's), and
    /// puts it back after.
    private func reading<Result>(_ body: () throws(BridgeError) -> Result) throws(BridgeError) -> Result {
        guard schema != nil else { return try body() }
        xmlSetStructuredErrorFunc(Unmanaged.passUnretained(errors).toOpaque(), LibXML2ErrorSink.parserHandler)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        return try body()
    }

    /// Advances one node; false at the end of the document.
    private func step() throws(BridgeError) -> Bool {
        let result = xmlTextReaderRead(reader)
        if let error = source.error { throw error }
        // Reported once the root is known, so that the records complete before the bad byte can still be read.
        if rootQualifiedName != nil, let problem = source.scanner.encoding.problem {
            failurePosition = (problem.line, problem.column)
            throw BridgeError(.invalidXML, problem.reason, at: .init(line: problem.line))
        }
        if result == 1 {
            let type = xmlTextReaderNodeType(reader)
            if type == 10 {
                throw failure(
                    .invalidXML,
                    "the document has a document type declaration (<!DOCTYPE …>); DTDs and entity declarations are not accepted"
                )
            }
            if type == 5 {
                throw failure(
                    .invalidXML,
                    "the document uses an entity reference (&name;); only the five predefined entities are accepted")
            }
            return true
        }
        if result == 0 { return false }
        let issue = errors.firstError
        failurePosition = issue.map { ($0.line, $0.column) } ?? (currentLine ?? 0, 0)
        let scanner = source.scanner
        let atEnd =
            source.reachedEnd && issue.map { $0.line == scanner.line && $0.column >= scanner.column - 1 } ?? false
        throw BridgeError(
            .invalidXML, LibXML2Errors.explain(
                issue, bytesRead: source.total, atEndOfInput: atEnd, sawRoot: rootQualifiedName != nil),
            at: .init(line: issue.map(\.line)))
    }

    private func unlocatedRecord() -> BridgeError {
        failure(
            .invalidXML,
            "this record's bytes cannot be located in the input (it is written in a way the reader cannot follow byte for byte)")
    }

    private func failure(_ code: BridgeError.Code, _ reason: String) -> BridgeError {
        failurePosition = (currentLine ?? 0, 0)
        return BridgeError(code, reason, at: .init(line: currentLine))
    }

    private var currentLine: Int? {
        guard let node = xmlTextReaderCurrentNode(reader) else { return nil }
        let line = xmlGetLineNo(node)
        return line > 0 ? Int(line) : nil
    }

    private func text(_ pointer: UnsafePointer<xmlChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// The element the reader is on, with its attributes (namespace declarations left out).
    private func startElement(depth: Int) throws(BridgeError) -> TreeNode {
        let count = try attributeCountWithinLimits(depth: depth)
        var node = TreeNode(
            name: text(xmlTextReaderConstLocalName(reader)), namespace: text(xmlTextReaderConstNamespaceUri(reader)),
            line: currentLine ?? 0)
        if count > 0, xmlTextReaderMoveToFirstAttribute(reader) == 1 {
            node.attributes.reserveCapacity(count)
            repeat {
                // Most attributes have no namespace: no string is made for it, and none is compared.
                let namespace = xmlTextReaderConstNamespaceUri(reader)
                if let namespace, xmlStrEqual(namespace, Self.namespaceDeclarations) == 1 { continue }
                node.attributes.append(
                    .init(
                        text(xmlTextReaderConstLocalName(reader)), text(xmlTextReaderConstValue(reader)),
                        namespace: namespace.map { String(cString: $0) } ?? ""))
            } while xmlTextReaderMoveToNextAttribute(reader) == 1
            xmlTextReaderMoveToElement(reader)
        }
        return node
    }

    /// Counts the element the reader is on against a record's element budget.
    private func spendOneElement(of budget: inout Int) throws(BridgeError) {
        budget -= 1
        guard budget >= 0 else {
            throw failure(.limitExceeded, "a record holds more elements than the limit allows")
        }
    }

    /// The number of attributes of the element the reader is on, which sits at `depth`, once both are found within
    /// the limits.
    private func attributeCountWithinLimits(depth: Int) throws(BridgeError) -> Int {
        guard depth <= limits.maximumDepth else {
            throw failure(.limitExceeded, "elements are nested more than \(limits.maximumDepth) deep")
        }
        let count = Int(xmlTextReaderAttributeCount(reader))
        guard count <= limits.maximumAttributes else {
            throw failure(
                .limitExceeded, "an element has \(count) attributes; at most \(limits.maximumAttributes) are accepted")
        }
        return count
    }

    /// Reads through the element the reader is on and everything inside it without keeping anything, holding it
    /// to the limits ``element(depth:budget:)`` applies.
    private func pass(depth: Int, budget: inout Int) throws(BridgeError) {
        try spendOneElement(of: &budget)
        _ = try attributeCountWithinLimits(depth: depth)
        if xmlTextReaderIsEmptyElement(reader) == 1 { return }
        var textBytes = 0
        while try step() {
            switch xmlTextReaderNodeType(reader) {
            case 1: try pass(depth: depth + 1, budget: &budget)
            case 15: return
            case 3, 4:
                textBytes += Int(xmlStrlen(xmlTextReaderConstValue(reader)))
                guard textBytes <= limits.maximumTextBytes else {
                    throw failure(.limitExceeded, "an element's text is longer than \(limits.maximumTextBytes) bytes")
                }
            default: continue
            }
        }
        throw failure(.invalidXML, "the document ends inside an element")
    }

    /// The namespace of `xmlns` attributes, which declare namespaces and are not the element's own.
    private static let namespaceDeclarations: [xmlChar] = Array("http://www.w3.org/2000/xmlns/".utf8) + [0]

    /// The element the reader is on and everything inside it.
    private func element(depth: Int, budget: inout Int) throws(BridgeError) -> TreeNode {
        try spendOneElement(of: &budget)
        var node = try startElement(depth: depth)
        if xmlTextReaderIsEmptyElement(reader) == 1 { return node }
        while try step() {
            switch xmlTextReaderNodeType(reader) {
            case 1:
                if node.children.isEmpty { node.children.reserveCapacity(4) }
                node.children.append(try element(depth: depth + 1, budget: &budget))
            case 15: return node
            case 3, 4:
                let chunk = text(xmlTextReaderConstValue(reader))
                guard (node.text?.utf8.count ?? 0) + chunk.utf8.count <= limits.maximumTextBytes else {
                    throw failure(.limitExceeded, "an element's text is longer than \(limits.maximumTextBytes) bytes")
                }
                node.text = (node.text ?? "") + chunk
            default: continue
            }
        }
        throw failure(.invalidXML, "the document ends inside an element")
    }
}

/// The input behind the C read callback.
class SourceBox {
    var error: BridgeError?
    var total = 0
    /// Whether the input has been read to its end.
    var reachedEnd = false
    /// Sees every byte the parser gets, to find each record's original bytes.
    var scanner = XMLRecordScanner()
    /// Whether the bytes read are given to ``scanner`` (they need not be when the input is records' own bytes).
    var scans = true
    func read(_ buffer: UnsafeMutableRawBufferPointer) -> Int32 { 0 }
    /// Reads on after the parser stopped, without the scanner.
    func readUnscanned(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { 0 }
}

private final class InputSourceBox<Input: ByteInput>: SourceBox {
    var input: Input
    init(_ input: Input) { self.input = input }

    override func read(_ buffer: UnsafeMutableRawBufferPointer) -> Int32 {
        do {
            let count = try input.read(into: buffer)
            if count == 0 { reachedEnd = true }
            if scans { scanner.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
            total += count
            return Int32(count)
        } catch let error as BridgeError {
            self.error = error
        } catch {
            self.error = BridgeError(.io, "cannot read the input")
        }
        return -1
    }

    override func readUnscanned(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard error == nil else { return 0 }
        let count = try input.read(into: buffer)
        total += count
        return count
    }
}
