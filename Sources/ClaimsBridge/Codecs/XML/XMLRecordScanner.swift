/// Finds the exact bytes, offset and lines of each child element of the root in a stream of XML, so that a
/// rejected record keeps its original bytes, and keeps every byte not yet handed over, so that what cannot be
/// read after a parse error is kept too. It only tracks tags, quotes, comments, CDATA sections and processing
/// instructions to know the nesting depth; libxml2 does the real parsing (and refuses what is not XML).
///
/// Works on ASCII-compatible encodings (UTF-8, Latin-1…); it finds no records in UTF-16 (callers then fall back to
/// the element as the parser read it). It stops looking for more records at a document type declaration (or any
/// `<!` that is neither a comment nor CDATA) and at a record longer than `captureLimit`: the records complete
/// before that point are still handed over, and the reader treats the rest of the document as unreadable. The bytes
/// not handed over are kept, up to `captureLimit` of them. The scanner runs ahead of the parser (it sees a whole
/// chunk at once), so what it meets later in a chunk never changes the records it found earlier.
struct XMLRecordScanner {
    /// A complete child element of the root.
    struct Record {
        var offset: Int
        var bytes: [UInt8]
        /// The 1-based line of the record's first byte.
        var line: Int
    }

    /// A complete record not yet handed over: its byte range and where its last byte is (line, 1-based column).
    private struct Span {
        var start: Int
        var end: Int
        var line: Int
        var endLine: Int
        var endColumn: Int
    }

    private enum State { case text, tagOpen, startTag, endTag, bang, comment, cdata, pi, quoted(UInt8) }

    private(set) var enabled = true
    /// Whether new records are still looked for; once false, the records already complete are still handed over.
    private var scanning = true
    private var spans: [Span] = []
    private var state = State.text
    private var depth = 0
    private var offset = 0
    /// The line and column of the last byte fed.
    private(set) var line = 1
    private(set) var column = 0
    private var last: (UInt8, UInt8) = (0, 0)
    private var bangCount = 0
    private var recordStart: (offset: Int, line: Int)?
    /// The bytes from offset `logBase` on; those from `logStart` on are not handed over yet (the ones before it are
    /// dropped from time to time, not at each record, so that taking a record does not move the rest).
    private var log: [UInt8] = []
    private var logBase = 0
    private var logStart = 0
    /// Bytes that were not kept because `log` had reached `captureLimit`.
    private(set) var droppedBytes = 0
    /// The document's bytes up to the end of the root's start tag (declaration, comments, root tag), when
    /// they are at most 64 KiB: the context in which a record can be parsed again on its own.
    private(set) var head: [UInt8]?
    /// The offset after the root's start tag.
    private var rootTagEnd = 0
    /// Whether the bytes satisfy the declared encoding.
    private(set) var encoding = XMLEncodingCheck()
    let captureLimit: Int

    init(captureLimit: Int = 16 << 20) { self.captureLimit = captureLimit }

    /// The oldest complete record not yet taken; the bytes before it and the record are handed over.
    mutating func takeRecord() -> Record? {
        guard enabled, !spans.isEmpty else { return nil }
        return hand(spans.removeFirst())
    }

    /// The bytes of the oldest complete record not yet taken, without taking it.
    var nextRecordBytes: ArraySlice<UInt8>? {
        guard enabled, let span = spans.first else { return nil }
        return log[(span.start - logBase)..<(span.end - logBase)]
    }

    /// Takes the complete records whose last byte comes before (`line`, `column`), a parse error's position,
    /// as long as only whitespace separates them (text between them means the scanner no longer sees the
    /// document as the parser did, and what follows is kept as unreadable).
    mutating func takeRecords(before line: Int, column: Int) -> [Record] {
        var records: [Record] = []
        while enabled, let span = spans.first,
            span.endLine < line || (span.endLine == line && span.endColumn < column),
            log[(max(logStart, rootTagEnd) - logBase)..<(span.start - logBase)].allSatisfy({
                $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09
            })
        {
            records.append(hand(spans.removeFirst()))
        }
        return records
    }

    /// Hands over every byte kept and not handed over yet, from offset `offset`.
    mutating func takeRemainder() -> (offset: Int, bytes: [UInt8]) {
        defer {
            logBase += log.count
            logStart = logBase
            log = []
            spans = []
        }
        return (logStart, Array(log[(logStart - logBase)...]))
    }

    private mutating func hand(_ span: Span) -> Record {
        let bytes = Array(log[(span.start - logBase)..<(span.end - logBase)])
        logStart = span.end
        if logStart - logBase >= max(64 << 10, log.count / 2) {
            log.removeFirst(logStart - logBase)
            logBase = logStart
        }
        return Record(offset: span.start, bytes: bytes, line: span.line)
    }

    /// Stops finding records (the bytes read go on being kept, up to the limit).
    mutating func disable() {
        enabled = false
        spans = []
        stopScanning()
    }

    /// Stops looking for records after this byte; the records complete before it can still be taken.
    private mutating func stopScanning() {
        scanning = false
        recordStart = nil
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        if offset == 0, bytes.count >= 2,
            (bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)
        {
            disable()
        }
        // The bytes kept, up to the capture limit, in one piece; from the first byte not kept on, records can no
        // longer be handed over whole.
        let kept = min(bytes.count, max(0, captureLimit - (log.count - (logStart - logBase))))
        log.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<kept]))
        droppedBytes += bytes.count - kept
        var index = 0
        while index < bytes.count {
            // Most bytes are plain ASCII inside a quoted value or between tags, and only move the column: such a
            // run is passed over at once (it ends before a byte the states, the lines or the encoding look at).
            if scanning, index < kept, encoding.ignoresASCII {
                var end = index
                switch state {
                case .quoted, .startTag:
                    // A start tag's names, spaces, `=` and quoted values, up to its `>`: the quotes only switch
                    // between the two states, so they are followed here too.
                    var quote: UInt8 = 0
                    if case .quoted(let open) = state { quote = open }
                    while end < kept {
                        let byte = bytes[end]
                        if byte >= 0x80 || byte == 0x0A { break }
                        if quote != 0 {
                            if byte == quote { quote = 0 }
                        } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                            quote = byte
                        } else if byte == UInt8(ascii: ">") {
                            break
                        }
                        end += 1
                    }
                    state = quote == 0 ? .startTag : .quoted(quote)
                case .text:
                    while end < kept, bytes[end] < 0x80, bytes[end] != UInt8(ascii: "<"), bytes[end] != 0x0A {
                        end += 1
                    }
                case .endTag, .comment, .cdata, .pi:
                    while end < kept, bytes[end] < 0x80, bytes[end] != UInt8(ascii: ">"), bytes[end] != 0x0A { end += 1 }
                case .tagOpen, .bang:
                    break
                }
                if end > index {
                    column += end - index
                    offset += end - index
                    last = end - index >= 2 ? (bytes[end - 2], bytes[end - 1]) : (last.1, bytes[end - 1])
                    index = end
                    continue
                }
            }
            defer { index += 1 }
            let byte = bytes[index]
            if index == kept && scanning { stopScanning() }
            if byte == 0x0A {
                line += 1
                column = 0
            } else {
                column += 1
            }
            if !encoding.ignores(byte) { encoding.feed(byte, offset: offset, line: line, column: column) }
            if scanning { step(byte) }
            last = (last.1, byte)
            offset += 1
        }
    }

    @inline(__always)
    private mutating func step(_ byte: UInt8) {
        switch state {
        case .text:
            if byte == UInt8(ascii: "<") {
                state = .tagOpen
                if depth == 1 { recordStart = (offset, line) }
            }
        case .tagOpen:
            switch byte {
            case UInt8(ascii: "/"): state = .endTag
            case UInt8(ascii: "!"):
                state = .bang
                bangCount = 0
                if depth == 1 { recordStart = nil }
            case UInt8(ascii: "?"):
                state = .pi
                if depth == 1 { recordStart = nil }
            default: state = .startTag
            }
        case .startTag:
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                state = .quoted(byte)
            } else if byte == UInt8(ascii: ">") {
                state = .text
                if last.1 == UInt8(ascii: "/") {
                    if depth == 1 { finishRecord() }
                } else {
                    if depth == 0 && rootTagEnd == 0 {
                        rootTagEnd = offset + 1
                        if logBase == 0 && logStart == 0 && rootTagEnd <= 64 << 10 { head = Array(log[0..<rootTagEnd]) }
                    }
                    depth += 1
                }
            }
        case .quoted(let quote):
            if byte == quote { state = .startTag }
        case .endTag:
            if byte == UInt8(ascii: ">") {
                state = .text
                depth -= 1
                if depth == 1 { finishRecord() }
                if depth <= 0 {
                    depth = 0
                    recordStart = nil
                }
            }
        case .bang:
            bangCount += 1
            if bangCount == 1 && byte == UInt8(ascii: "-") { return }
            if bangCount == 2 && last.1 == UInt8(ascii: "-") && byte == UInt8(ascii: "-") {
                state = .comment
            } else if bangCount == 1 && byte == UInt8(ascii: "[") {
                state = .cdata
            } else {
                stopScanning()  // <!DOCTYPE …> or not XML: refused by the reader when it gets there
            }
        case .comment:
            if byte == UInt8(ascii: ">") && last == (UInt8(ascii: "-"), UInt8(ascii: "-")) { state = .text }
        case .cdata:
            if byte == UInt8(ascii: ">") && last == (UInt8(ascii: "]"), UInt8(ascii: "]")) { state = .text }
        case .pi:
            if byte == UInt8(ascii: ">") && last.1 == UInt8(ascii: "?") { state = .text }
        }
    }

    /// The record that started at `recordStart` ends with the current byte.
    private mutating func finishRecord() {
        guard let start = recordStart else { return }
        spans.append(Span(start: start.offset, end: offset + 1, line: start.line, endLine: line, endColumn: column))
        recordStart = nil
    }
}
