/// Finds the exact bytes and offset of each child element of the root in a stream of XML, so that a rejected
/// record keeps its original bytes. It only tracks tags, quotes, comments, CDATA sections and processing
/// instructions to know the nesting depth; libxml2 does the real parsing (and refuses what is not XML).
///
/// Works on ASCII-compatible encodings (UTF-8, Latin-1…); it switches itself off for UTF-16 or a document type
/// declaration, and callers then fall back to the element as the parser read it.
struct XMLRecordScanner {
    /// A complete child element of the root.
    struct Record {
        var offset: Int
        var bytes: [UInt8]
        /// The element was longer than the capture limit and `bytes` holds only its beginning.
        var truncated: Bool
    }

    private enum State { case text, tagOpen, startTag, endTag, bang, comment, cdata, pi, quoted(UInt8) }

    private(set) var enabled = true
    private(set) var completed: [Record] = []
    private var state = State.text
    private var depth = 0
    private var offset = 0
    private var tagStart = 0
    private var last: (UInt8, UInt8) = (0, 0)
    private var bangCount = 0
    private var capture: [UInt8] = []
    private var captureStart: Int?
    private var truncated = false
    let captureLimit: Int

    init(captureLimit: Int = 4 << 20) { self.captureLimit = captureLimit }

    /// The oldest complete record not yet taken.
    mutating func takeRecord() -> Record? {
        completed.isEmpty ? nil : completed.removeFirst()
    }

    /// The bytes of the record being read when the input stopped being XML.
    var partialRecord: Record? {
        captureStart.map { Record(offset: $0, bytes: capture, truncated: truncated) }
    }

    mutating func disable() {
        enabled = false
        completed = []
        capture = []
        captureStart = nil
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard enabled else { return }
        if offset == 0, bytes.count >= 2,
            (bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)
        {
            disable()
            return
        }
        for byte in bytes {
            step(byte)
            if captureStart != nil {
                if capture.count < captureLimit { capture.append(byte) } else { truncated = true }
            }
            last = (last.1, byte)
            offset += 1
            if !enabled { return }
        }
    }

    private mutating func step(_ byte: UInt8) {
        switch state {
        case .text:
            if byte == UInt8(ascii: "<") {
                state = .tagOpen
                tagStart = offset
                if depth == 1 {
                    captureStart = offset
                    capture.removeAll(keepingCapacity: true)
                    truncated = false
                }
            } else if byte == 0 {
                disable()
            }
        case .tagOpen:
            switch byte {
            case UInt8(ascii: "/"): state = .endTag
            case UInt8(ascii: "!"):
                state = .bang
                bangCount = 0
            case UInt8(ascii: "?"): state = .pi
            default: state = .startTag
            }
            if depth == 1 && byte != UInt8(ascii: "/") && (byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?")) {
                captureStart = nil
            }
        case .startTag:
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                state = .quoted(byte)
            } else if byte == UInt8(ascii: ">") {
                state = .text
                if last.1 == UInt8(ascii: "/") {
                    if depth == 1 { finishRecord(through: offset) }
                } else {
                    depth += 1
                }
            }
        case .quoted(let quote):
            if byte == quote { state = .startTag }
        case .endTag:
            if byte == UInt8(ascii: ">") {
                state = .text
                depth -= 1
                if depth == 1 { finishRecord(through: offset) }
                if depth == 0 { captureStart = nil }
            }
        case .bang:
            bangCount += 1
            if bangCount == 1 && byte == UInt8(ascii: "-") { return }
            if bangCount == 2 && last.1 == UInt8(ascii: "-") && byte == UInt8(ascii: "-") {
                state = .comment
            } else if bangCount == 1 && byte == UInt8(ascii: "[") {
                state = .cdata
            } else {
                disable()  // <!DOCTYPE …>: refused by the reader anyway
            }
        case .comment:
            if byte == UInt8(ascii: ">") && last == (UInt8(ascii: "-"), UInt8(ascii: "-")) { state = .text }
        case .cdata:
            if byte == UInt8(ascii: ">") && last == (UInt8(ascii: "]"), UInt8(ascii: "]")) { state = .text }
        case .pi:
            if byte == UInt8(ascii: ">") && last.1 == UInt8(ascii: "?") { state = .text }
        }
    }

    private mutating func finishRecord(through end: Int) {
        guard let start = captureStart else { return }
        var bytes = capture
        if !truncated && bytes.count < captureLimit { bytes.append(UInt8(ascii: ">")) }
        completed.append(Record(offset: start, bytes: bytes, truncated: truncated))
        captureStart = nil
        capture.removeAll(keepingCapacity: true)
        _ = end
    }
}
