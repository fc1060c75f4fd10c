/// Checks, byte by byte, that a document's bytes satisfy the encoding its XML declaration names, where that can
/// be told from the bytes:
///
/// - UTF-8 declared, or no declaration (UTF-8 is XML's default): every byte sequence must be well-formed UTF-8.
///   Latin-1 bytes (`É` = 0xC9 followed by a letter) are refused at the first bad byte.
/// - A single-byte encoding declared (ISO-8859-x, Latin-1, Windows-125x): the first non-ASCII byte must not
///   start a well-formed multi-byte UTF-8 sequence. UTF-8 text mislabelled this way (`Côté` as `C3 B4`)
///   would otherwise be read as `CÃ´tÃ©`; real Latin-1 text essentially never has an accented capital
///   or letter followed by the C1 control or symbol bytes 0x80–0xBF that UTF-8 needs, so the first accented
///   character decides.
/// - Anything else (UTF-16 and other multi-byte encodings) is left to libxml2.
///
/// Problems are reported by position and in words, never with the bytes (they can be part of a name).
struct XMLEncodingCheck {
    /// The first place where the bytes do not satisfy the declared encoding.
    struct Problem: Equatable {
        var offset: Int
        var line: Int
        var column: Int
        var reason: String
    }

    private enum Mode { case undecided, utf8, singleByte, unchecked, decided }

    private var mode = Mode.undecided
    private var declaration: [UInt8] = []
    private var declaredName = ""
    /// Continuation bytes still expected, and the range allowed for the next one.
    private var needed = 0
    private var nextLow: UInt8 = 0x80
    private var nextHigh: UInt8 = 0xBF
    private var sequenceStart = (offset: 0, line: 0, column: 0)
    private(set) var problem: Problem?

    /// Whether the document is read as UTF-8 (declared so, or declaring no encoding) and no byte broke it so far.
    var isUTF8: Bool { mode == .utf8 && problem == nil }

    /// Whether an ASCII byte would change nothing now (the encoding is known and no multi-byte sequence is
    /// open), so that a caller can pass over a run of ASCII bytes at once.
    @inline(__always)
    var ignoresASCII: Bool { needed == 0 && mode != .undecided }

    /// Whether feeding `byte` would change nothing: an ASCII byte outside a multi-byte sequence, once the
    /// encoding is known. Lets a caller skip the call for the bulk of a document.
    @inline(__always)
    func ignores(_ byte: UInt8) -> Bool {
        byte < 0x80 && needed == 0 && mode != .undecided
    }

    /// Feeds the byte at `offset` (at `line`, `column`).
    mutating func feed(_ byte: UInt8, offset: Int, line: Int, column: Int) {
        switch mode {
        case .decided, .unchecked: return
        case .undecided:
            declaration.append(byte)
            decideIfPossible()
            if mode == .undecided { return }
            // The bytes held while deciding are ASCII except in a document without a declaration.
            let held = declaration
            declaration = []
            for (index, old) in held.enumerated() {
                feed(old, offset: offset - held.count + 1 + index, line: line, column: max(1, column - held.count + 1 + index))
            }
            return
        case .utf8, .singleByte:
            break
        }
        if needed > 0 {
            guard byte >= nextLow && byte <= nextHigh else { return fail(mode == .utf8) }
            needed -= 1
            nextLow = 0x80
            nextHigh = 0xBF
            if needed == 0 && mode == .singleByte { return fail(true) }
            return
        }
        guard byte >= 0x80 else { return }
        sequenceStart = (offset, line, column)
        switch byte {
        case 0xC2...0xDF: needed = 1
        case 0xE0:
            needed = 2
            nextLow = 0xA0
        case 0xED:
            needed = 2
            nextHigh = 0x9F
        case 0xE1...0xEF: needed = 2
        case 0xF0:
            needed = 3
            nextLow = 0x90
        case 0xF1...0xF3: needed = 3
        case 0xF4:
            needed = 3
            nextHigh = 0x8F
        default: return fail(mode == .utf8)
        }
    }

    /// Picks the mode once the XML declaration (or its absence) is known.
    private mutating func decideIfPossible() {
        var text = declaration[...]
        if text.count < 2 { return }
        if text.starts(with: [0xFE, 0xFF]) || text.starts(with: [0xFF, 0xFE]) || text.starts(with: [0x3C, 0x00])
            || text.starts(with: [0x00, 0x3C])
        {
            mode = .unchecked  // UTF-16 or another encoding that is not ASCII-compatible
            return
        }
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        let opening = Array("<?xml".utf8)
        if text.count < opening.count {
            if !opening.starts(with: text) { mode = .utf8 }
            return
        }
        guard text.starts(with: opening) else {
            mode = .utf8
            return
        }
        guard text.last == UInt8(ascii: ">") else {
            if declaration.count > 512 { mode = .unchecked }
            return
        }
        let name = Self.encodingName(in: Array(text)).lowercased()
        declaredName = name
        if name.isEmpty || name == "utf-8" || name == "utf8" {
            mode = .utf8
        } else if name.hasPrefix("iso-8859") || name.hasPrefix("iso8859") || name == "latin1" || name == "l1"
            || name.hasPrefix("windows-125") || name.hasPrefix("cp125")
        {
            mode = .singleByte
        } else {
            mode = .unchecked
        }
    }

    /// The value of `encoding="…"` in an XML declaration, or "".
    private static func encodingName(in declaration: [UInt8]) -> String {
        let key = Array("encoding".utf8)
        guard let start = declaration.indices.first(where: { declaration[$0...].starts(with: key) }) else { return "" }
        var index = start + key.count
        while index < declaration.count && (declaration[index] == 0x20 || declaration[index] == 0x3D) { index += 1 }
        guard index < declaration.count, declaration[index] == 0x22 || declaration[index] == 0x27 else { return "" }
        let quote = declaration[index]
        let value = declaration[(index + 1)...].prefix { $0 != quote }
        return String(decoding: value.prefix(40), as: UTF8.self)
    }

    private mutating func fail(_ isProblem: Bool) {
        needed = 0
        nextLow = 0x80
        nextHigh = 0xBF
        let wasSingleByte = mode == .singleByte
        mode = .decided
        guard isProblem else { return }
        let reason =
            wasSingleByte
            ? "the document declares the encoding \(DiagnosticText.quoted(declaredName)) but its first accented character (byte \(sequenceStart.offset)) is written in UTF-8: the file is most likely UTF-8, and reading it as declared would garble names; correct the XML declaration (encoding=\"UTF-8\")"
            : "byte \(sequenceStart.offset) is not valid UTF-8, the encoding the document \(declaredName.isEmpty ? "uses when it declares none" : "declares"): the file may be in Latin-1 (ISO-8859-1); declare encoding=\"ISO-8859-1\" in its XML declaration or send it as UTF-8"
        problem = Problem(
            offset: sequenceStart.offset, line: sequenceStart.line, column: sequenceStart.column, reason: reason)
    }
}
