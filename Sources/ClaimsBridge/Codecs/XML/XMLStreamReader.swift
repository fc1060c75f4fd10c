import CLibXML2

/// Reads a partner XML document as a stream: the root element first, then its child elements one at a time,
/// each as a small ``TreeNode`` tree. The whole document is never held in memory.
///
/// Secure by default: libxml2's push parser (``XMLPushParser``) with `XML_PARSE_NONET` only (no DTD loading, no
/// entity substitution), an external-entity loader that loads nothing, and a document type declaration
/// (`<!DOCTYPE …>`, the carrier of XXE and "billion laughs" attacks) refused outright. ``XMLLimits`` bound
/// depth, attributes, text size and elements per record.
package final class XMLStreamReader {
    private let parser: XMLPushParser
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
        // The schema's messages are counted apart; the parser's go to the thread's handler, which ``reading(_:)``
        // points at the same sink while the parser reads.
        self.schema = schema
        parser = XMLPushParser(source: source, name: name, limits: limits, validator: schema, schemaErrors: errors)
        errors.countsSchemaIssuesApart = true
    }

    /// How many schema messages the parser has given so far (it reads ahead of the record last returned, so
    /// every record returned has been checked); nil when the reader does not validate.
    package var schemaIssueCount: Int? { schema == nil ? nil : errors.schemaIssues }

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
        while let event = try step() {
            guard case .start(let root, let qualifiedName) = event else { continue }
            rootQualifiedName = qualifiedName
            locatesRecords = source.scanner.enabled
            return root
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
    /// every record's tree. Only takes effect while records' bytes are located, in UTF-8. Called before
    /// ``readRoot()`` (the parser reads ahead), and then only ``nextRecordOrBytes()`` is used.
    func passOver(name: String?, namespace: String) {
        parser.passOver(name: name, namespace: namespace)
    }
    /// Every record is passed over by ``nextRecordOrBytes()``, whatever its name and namespace.
    func passOverEveryRecord() { parser.passOverEveryRecord() }

    /// Whether the records ``passOver(name:namespace:)`` named are passed over now (true) or read as trees; the
    /// parser reads ahead, so a change applies from the records it has not reached yet.
    var passesOver: Bool {
        get { parser.passesOver }
        set { parser.passesOver = newValue }
    }

    private func readRecord(passingOver: Bool) throws(BridgeError) -> ReadRecord? {
        guard !finished else { return nil }
        while let event = try step() {
            switch event {
            case .start(let start, _):
                var budget = limits.maximumElementsPerRecord
                let record = try element(start, budget: &budget)
                lastOriginal = takeOriginal(named: record.name).map { ($0.offset, $0.bytes) }
                if lastOriginal == nil && locatesRecords { throw unlocatedRecord() }
                return .tree(record)
            case .passed(let name, let line):
                guard passingOver, let record = takeOriginal(named: name) else {
                    lastLine = line
                    throw unlocatedRecord()
                }
                lastOriginal = (record.offset, record.bytes)
                return .passed(record)
            case .end:
                finished = true
                while try step() != nil {}
                return nil
            case .text(_, let line):
                lastLine = line
                throw failure(.unexpectedElement, "text directly inside the root element is not expected here")
            case .refused: continue  // thrown by step()
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
        while let event = try step() {
            switch event {
            case .start(let start, _): return try element(start, budget: &budget)
            case .end:
                finished = true
                while try step() != nil {}
                return nil
            default: continue
            }
        }
        finished = true
        return nil
    }

    /// Points the thread's libxml2 error handler at this reader while `body` reads (the parser's messages go to
    /// the thread's handler; the schema's come through the validation's own), and puts it back after.
    private func reading<Result>(_ body: () throws(BridgeError) -> Result) throws(BridgeError) -> Result {
        xmlSetStructuredErrorFunc(Unmanaged.passUnretained(errors).toOpaque(), LibXML2ErrorSink.parserHandler)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        return try body()
    }

    /// The next event; nil at the end of the document.
    private func step() throws(BridgeError) -> XMLStreamEvent? {
        let event = parser.next()
        if let error = source.error { throw error }
        switch event {
        case .start(let node, _)?:
            lastLine = node.line
            return event
        case .refused(let code, let reason, let line)?:
            lastLine = line
            throw failure(code, reason)
        case let event?: return event
        case nil: break
        }
        // Reading stopped at the first problem: a byte the declared encoding does not allow (the parser is stopped
        // on reaching it), or the parser's own. The records complete before it can still be read.
        if let problem = source.scanner.encoding.problem, !parserFailed(before: problem.offset) {
            failurePosition = (problem.line, problem.column)
            throw BridgeError(.invalidXML, problem.reason, at: .init(line: problem.line))
        }
        if !parser.failed { return nil }
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

    /// Whether the parser stopped at a problem of its own before the byte at `offset`: not when the problem is
    /// that byte's encoding, which the byte scanner describes better.
    private func parserFailed(before offset: Int) -> Bool {
        guard parser.failed, !parser.stoppedAtEncodingProblem, let failedAt = parser.failureOffset,
            !(errors.firstError?.message.hasPrefix("Input is not proper UTF-8") ?? false)
        else { return false }
        return failedAt <= offset
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

    /// The line of the last element or text read, or of the refusal.
    private var lastLine = 0
    private var currentLine: Int? { lastLine > 0 ? lastLine : nil }

    /// Counts an element against a record's element budget.
    private func spendOneElement(of budget: inout Int) throws(BridgeError) {
        budget -= 1
        guard budget >= 0 else {
            throw failure(.limitExceeded, "a record holds more elements than the limit allows")
        }
    }

    /// The element that `start` began, with everything inside it (the parser holds depth, attributes and text to
    /// the limits).
    private func element(_ start: TreeNode, budget: inout Int) throws(BridgeError) -> TreeNode {
        try spendOneElement(of: &budget)
        var node = start
        while let event = try step() {
            switch event {
            case .start(let child, _):
                if node.children.isEmpty { node.children.reserveCapacity(4) }
                node.children.append(try element(child, budget: &budget))
            case .end: return node
            case .text(let chunk, _): node.text = (node.text ?? "") + chunk
            case .passed, .refused: continue  // records are passed over at the root's level only; thrown by step()
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
