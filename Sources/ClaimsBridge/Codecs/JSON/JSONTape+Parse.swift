#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension JSONTape {
    /// Parses `document` (one JSON document, e.g. one line of JSON Lines); afterwards the root value is
    /// token 0. Reuses the storage of earlier parses.
    ///
    /// Strict RFC 8259: no trailing commas, single quotes, comments, leading zeros, `+` signs, NaN or
    /// Infinity; no unescaped control characters, invalid UTF-8 or unpaired surrogate escapes in strings;
    /// only whitespace after the document; at most `maximumDepth` nested objects and arrays; no key twice in
    /// one object (the error names the key and both byte offsets). A byte order mark is rejected like any
    /// other unexpected byte.
    ///
    /// The tape keeps a pointer into `document`: read it only while that memory is alive and unchanged.
    /// After a failed parse the tape is empty.
    package mutating func parse(_ document: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage() }
        let storage = self.storage
        self.document = nil
        baseCount = 0
        guard document.count < Int(UInt32.max) else {
            throw JSONSyntaxError(offset: 0, reason: "document larger than 4 GiB")
        }
        guard let raw = document.baseAddress, document.count > 0 else {
            throw JSONSyntaxError(offset: 0, reason: "expected a value, found the end of the document")
        }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        var parser = JSONTapeParser(p: p, n: document.count, storage: storage)
        defer {
            // The parser may have reallocated the buffers: hand them back whatever happened.
            storage.tokens = parser.tokens
            storage.tokenCapacity = parser.tokenCapacity
            storage.side = parser.side
            storage.sideCapacity = parser.sideCapacity
            base = UnsafePointer(parser.tokens)
            sideBase = UnsafePointer(parser.side)
        }
        try parser.run()
        storage.tokenCount = parser.tokenCount
        storage.sideCount = parser.sideCount
        baseCount = parser.tokenCount
        self.document = p
    }
}

/// The parser proper: works on raw pointers taken from a uniquely owned `JSONTape.Storage`.
private struct JSONTapeParser {
    typealias Token = JSONTape.Token

    let p: UnsafePointer<UInt8>
    let n: Int
    var tokens: UnsafeMutablePointer<Token>
    var tokenCount = 0
    var tokenCapacity: Int
    var side: UnsafeMutablePointer<UInt8>
    var sideCount = 0
    var sideCapacity: Int
    /// Per open container: `stack[2 * level]` its token index, `stack[2 * level + 1]` its member count.
    let stack: UnsafeMutablePointer<UInt32>
    var depth = 0

    init(p: UnsafePointer<UInt8>, n: Int, storage: JSONTape.Storage) {
        self.p = p
        self.n = n
        tokens = storage.tokens
        tokenCapacity = storage.tokenCapacity
        side = storage.side
        sideCapacity = storage.sideCapacity
        stack = storage.stack
    }

    // MARK: - Structure

    mutating func run() throws(JSONSyntaxError) {
        var i = 0
        parsing: while true {
            // A value starts here.
            i = skipWhitespace(i)
            guard i < n else { throw error(n, "expected a value, found the end of the document") }
            let c = p[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < JSONTape.maximumDepth else { throw error(i, "nesting deeper than 64 levels") }
                let isObject = c == UInt8(ascii: "{")
                stack[2 &* depth] = UInt32(truncatingIfNeeded: tokenCount)
                stack[2 &* depth &+ 1] = 0
                depth &+= 1
                appendToken(
                    Token(
                        start: UInt32(truncatingIfNeeded: i), length: 0, extra: 0,
                        kind: isObject ? .object : .array, escaped: false))
                i = skipWhitespace(i &+ 1)
                guard i < n else { throw error(n, isObject ? "unterminated object" : "unterminated array") }
                if p[i] == c &+ 2 {  // '}' is '{' + 2, ']' is '[' + 2
                    i &+= 1
                    try closeContainer()
                } else {
                    stack[2 &* depth &- 1] = 1
                    if isObject { i = try parseKey(i) }
                    continue parsing
                }
            case UInt8(ascii: "\""):
                i = try parseString(i)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                i = try parseNumber(i)
            case UInt8(ascii: "t"):
                guard n &- i >= 4, p[i &+ 1] == UInt8(ascii: "r"), p[i &+ 2] == UInt8(ascii: "u"),
                    p[i &+ 3] == UInt8(ascii: "e")
                else { throw error(i, "invalid literal; expected true, false or null") }
                appendScalar(.true, i, 4)
                i &+= 4
            case UInt8(ascii: "f"):
                guard n &- i >= 5, p[i &+ 1] == UInt8(ascii: "a"), p[i &+ 2] == UInt8(ascii: "l"),
                    p[i &+ 3] == UInt8(ascii: "s"), p[i &+ 4] == UInt8(ascii: "e")
                else { throw error(i, "invalid literal; expected true, false or null") }
                appendScalar(.false, i, 5)
                i &+= 5
            case UInt8(ascii: "n"):
                guard n &- i >= 4, p[i &+ 1] == UInt8(ascii: "u"), p[i &+ 2] == UInt8(ascii: "l"),
                    p[i &+ 3] == UInt8(ascii: "l")
                else { throw error(i, "invalid literal; expected true, false or null") }
                appendScalar(.null, i, 4)
                i &+= 4
            default:
                throw error(i, Self.reasonForUnexpectedValueByte(c))
            }

            // A value ended: continue or close the enclosing containers.
            while depth > 0 {
                i = skipWhitespace(i)
                let isObject = tokens[Int(stack[2 &* depth &- 2])].kind == .object
                guard i < n else { throw error(n, isObject ? "unterminated object" : "unterminated array") }
                let c = p[i]
                if c == UInt8(ascii: ",") {
                    i = skipWhitespace(i &+ 1)
                    if isObject {
                        if i < n && p[i] == UInt8(ascii: "}") { throw error(i, "trailing comma in an object") }
                        i = try parseKey(i)
                    } else {
                        if i < n && p[i] == UInt8(ascii: "]") { throw error(i, "trailing comma in an array") }
                    }
                    stack[2 &* depth &- 1] &+= 1
                    continue parsing
                }
                if c == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i &+= 1
                    try closeContainer()
                    continue
                }
                throw error(
                    i,
                    isObject
                        ? "expected ',' or '}' after an object member"
                        : "expected ',' or ']' after an array element")
            }
            break
        }
        i = skipWhitespace(i)
        guard i == n else { throw error(i, "unexpected data after the JSON document") }
    }

    @inline(__always)
    private mutating func closeContainer() throws(JSONSyntaxError) {
        depth &-= 1
        let index = Int(stack[2 &* depth])
        tokens[index].length = stack[2 &* depth &+ 1]
        tokens[index].extra = UInt32(truncatingIfNeeded: tokenCount)
        if tokens[index].kind == .object && tokens[index].length > 1 { try refuseDuplicateKeys(in: index) }
    }

    /// Parses `"key" :` at `i`; returns the position after the colon.
    private mutating func parseKey(_ i: Int) throws(JSONSyntaxError) -> Int {
        guard i < n else { throw error(n, "unterminated object") }
        guard p[i] == UInt8(ascii: "\"") else {
            switch p[i] {
            case UInt8(ascii: "'"): throw error(i, "strings must be in double quotes")
            case UInt8(ascii: "/"): throw error(i, "comments are not allowed")
            default: throw error(i, "expected a string key")
            }
        }
        var j = try parseString(i)
        j = skipWhitespace(j)
        guard j < n else { throw error(n, "unterminated object") }
        guard p[j] == UInt8(ascii: ":") else { throw error(j, "expected ':' after an object key") }
        return j &+ 1
    }

    // MARK: - Duplicate keys

    /// Throws when two members of the just closed object at `object` have the same key (compared after
    /// unescaping), naming the key and the byte offsets of both; the first repeated key in document order.
    private func refuseDuplicateKeys(in object: Int) throws(JSONSyntaxError) {
        let end = Int(tokens[object].extra)
        @inline(__always) func nextKey(_ key: Int) -> Int {
            let value = tokens[key &+ 1]
            return value.isContainer ? Int(value.extra) : key &+ 2
        }
        var found: (first: Int, second: Int)?
        if tokens[object].length <= 16 {
            // Small objects (nearly all): compare each key with the ones before it, without allocating.
            var second = nextKey(object &+ 1)
            search: while second < end {
                var first = object &+ 1
                while first < second {
                    if sameKey(first, second) {
                        found = (first, second)
                        break search
                    }
                    first = nextKey(first)
                }
                second = nextKey(second)
            }
        } else {
            // Large objects: sort the keys by hash, then compare neighbours: O(n log n).
            var keys: [(hash: UInt64, token: Int)] = []
            keys.reserveCapacity(Int(tokens[object].length))
            var key = object &+ 1
            while key < end {
                keys.append((keyHash(key), key))
                key = nextKey(key)
            }
            keys.sort { ($0.hash, $0.token) < ($1.hash, $1.token) }
            var index = 0
            while index < keys.count {
                var next = index &+ 1
                while next < keys.count && keys[next].hash == keys[index].hash { next &+= 1 }
                for a in index..<next {
                    for b in (a &+ 1)..<next where sameKey(keys[a].token, keys[b].token) {
                        if found.map({ keys[b].token < $0.second }) ?? true { found = (keys[a].token, keys[b].token) }
                    }
                }
                index = next
            }
        }
        guard let (first, second) = found else { return }
        let name = DiagnosticText.quoted(UnsafeBufferPointer(start: keyBytes(second), count: Int(tokens[second].length)))
        throw error(
            keyOffset(second),
            "the key \(name) appears twice in one object (at byte \(keyOffset(first)) and byte \(keyOffset(second))); each key may appear only once"
        )
    }

    private func keyBytes(_ token: Int) -> UnsafePointer<UInt8> {
        let t = tokens[token]
        return t.escaped ? UnsafePointer(side) + Int(t.start) : p + Int(t.start)
    }

    private func keyOffset(_ token: Int) -> Int {
        let t = tokens[token]
        return t.escaped ? Int(t.extra) : Int(t.start) &- 1
    }

    private func sameKey(_ a: Int, _ b: Int) -> Bool {
        let count = Int(tokens[a].length)
        return count == Int(tokens[b].length) && memcmp(keyBytes(a), keyBytes(b), count) == 0
    }

    /// FNV-1a of a key's bytes.
    private func keyHash(_ token: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let bytes = keyBytes(token)
        for index in 0..<Int(tokens[token].length) { hash = (hash ^ UInt64(bytes[index])) &* 0x100_0000_01b3 }
        return hash
    }

    // MARK: - Storage

    @inline(__always)
    private mutating func appendToken(_ token: Token) {
        if tokenCount == tokenCapacity { growTokens() }
        (tokens + tokenCount).initialize(to: token)
        tokenCount &+= 1
    }

    @inline(never)
    private mutating func growTokens() {
        let capacity = tokenCapacity &* 2
        let grown = UnsafeMutablePointer<Token>.allocate(capacity: capacity)
        grown.moveInitialize(from: tokens, count: tokenCount)
        tokens.deallocate()
        tokens = grown
        tokenCapacity = capacity
    }

    @inline(__always)
    private mutating func appendScalar(_ kind: JSONTape.Kind, _ offset: Int, _ length: Int) {
        appendToken(
            Token(
                start: UInt32(truncatingIfNeeded: offset), length: UInt32(truncatingIfNeeded: length),
                extra: 0, kind: kind, escaped: false))
    }

    @inline(__always)
    private mutating func reserveSide(_ count: Int) {
        if sideCapacity &- sideCount < count { growSide(count) }
    }

    @inline(never)
    private mutating func growSide(_ count: Int) {
        let capacity = Swift.max(sideCapacity &* 2, sideCount &+ count)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.initialize(from: side, count: sideCount)
        side.deallocate()
        side = grown
        sideCapacity = capacity
    }

    @inline(__always)
    private mutating func appendSide(_ start: Int, _ end: Int) {
        let count = end &- start
        reserveSide(count)
        (side + sideCount).initialize(from: p + start, count: count)
        sideCount &+= count
    }

    // MARK: - Strings

    /// Parses the string whose opening quote is at `quote`; returns the position after the closing quote.
    private mutating func parseString(_ quote: Int) throws(JSONSyntaxError) -> Int {
        let contentStart = quote &+ 1
        var j = contentStart
        while true {
            j = skipPlainASCII(j)
            guard j < n else { throw error(quote, "unterminated string") }
            let c = p[j]
            if c == UInt8(ascii: "\"") {
                appendToken(
                    Token(
                        start: UInt32(truncatingIfNeeded: contentStart),
                        length: UInt32(truncatingIfNeeded: j &- contentStart),
                        extra: 0, kind: .string, escaped: false))
                return j &+ 1
            }
            if c == UInt8(ascii: "\\") {
                return try parseEscapedString(quote, j)
            }
            j = try skipSpecialByte(j)
        }
    }

    /// Continues a string that has an escape at `firstEscape`, unescaping into the side buffer.
    private mutating func parseEscapedString(_ quote: Int, _ firstEscape: Int) throws(JSONSyntaxError) -> Int {
        let sideStart = sideCount
        appendSide(quote &+ 1, firstEscape)
        var j = firstEscape
        var runStart = j
        while true {
            j = skipPlainASCII(j)
            guard j < n else { throw error(quote, "unterminated string") }
            let c = p[j]
            if c == UInt8(ascii: "\"") {
                appendSide(runStart, j)
                appendToken(
                    Token(
                        start: UInt32(truncatingIfNeeded: sideStart),
                        length: UInt32(truncatingIfNeeded: sideCount &- sideStart),
                        extra: UInt32(truncatingIfNeeded: quote), kind: .string, escaped: true))
                return j &+ 1
            }
            if c == UInt8(ascii: "\\") {
                appendSide(runStart, j)
                j = try unescape(j, quote: quote)
                runStart = j
                continue
            }
            j = try skipSpecialByte(j)
        }
    }

    /// Appends the bytes of the escape sequence at `j` (a backslash) to the side buffer; returns the
    /// position after it.
    private mutating func unescape(_ j: Int, quote: Int) throws(JSONSyntaxError) -> Int {
        guard j &+ 1 < n else { throw error(quote, "unterminated string") }
        let byte: UInt8
        switch p[j &+ 1] {
        case UInt8(ascii: "\""): byte = 0x22
        case UInt8(ascii: "\\"): byte = 0x5C
        case UInt8(ascii: "/"): byte = 0x2F
        case UInt8(ascii: "b"): byte = 0x08
        case UInt8(ascii: "f"): byte = 0x0C
        case UInt8(ascii: "n"): byte = 0x0A
        case UInt8(ascii: "r"): byte = 0x0D
        case UInt8(ascii: "t"): byte = 0x09
        case UInt8(ascii: "u"):
            guard let unit = hex4(j &+ 2) else { throw error(j, "invalid \\u escape") }
            var scalar = unit
            var end = j &+ 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard end &+ 1 < n, p[end] == UInt8(ascii: "\\"), p[end &+ 1] == UInt8(ascii: "u"),
                    let low = hex4(end &+ 2), low >= 0xDC00 && low <= 0xDFFF
                else { throw error(j, "unpaired surrogate in a \\u escape") }
                scalar = 0x10000 &+ ((unit &- 0xD800) &<< 10) &+ (low &- 0xDC00)
                end &+= 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw error(j, "unpaired surrogate in a \\u escape")
            }
            appendUTF8(scalar)
            return end
        default:
            throw error(j, "invalid escape sequence")
        }
        reserveSide(1)
        side[sideCount] = byte
        sideCount &+= 1
        return j &+ 2
    }

    @inline(__always)
    private mutating func appendUTF8(_ scalar: UInt32) {
        reserveSide(4)
        let out = side + sideCount
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(truncatingIfNeeded: scalar)
            sideCount &+= 1
        case 0x80..<0x800:
            out[0] = UInt8(truncatingIfNeeded: 0xC0 | scalar &>> 6)
            out[1] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            sideCount &+= 2
        case 0x800..<0x10000:
            out[0] = UInt8(truncatingIfNeeded: 0xE0 | scalar &>> 12)
            out[1] = UInt8(truncatingIfNeeded: 0x80 | (scalar &>> 6) & 0x3F)
            out[2] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            sideCount &+= 3
        default:
            out[0] = UInt8(truncatingIfNeeded: 0xF0 | scalar &>> 18)
            out[1] = UInt8(truncatingIfNeeded: 0x80 | (scalar &>> 12) & 0x3F)
            out[2] = UInt8(truncatingIfNeeded: 0x80 | (scalar &>> 6) & 0x3F)
            out[3] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            sideCount &+= 4
        }
    }

    /// Four hex digits at `i`, or nil.
    @inline(__always)
    private func hex4(_ i: Int) -> UInt32? {
        guard n &- i >= 4 else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = p[i &+ k]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            value = value &<< 4 | UInt32(digit)
        }
        return value
    }

    /// Skips string bytes that need no attention (printable ASCII other than `"` and `\`), 8 at a time.
    @inline(__always)
    private func skipPlainASCII(_ start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawPointer(p)
        var j = start
        while j &+ 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let special =
                ((quote &- ones) & ~quote)  // a byte equal to '"'
                | ((backslash &- ones) & ~backslash)  // a byte equal to '\'
                | ((w &- ones &* 0x20) & ~w)  // a byte below 0x20
                | w  // a byte at or above 0x80
            if special & highs != 0 { break }
            j &+= 8
        }
        while j < n {
            let c = p[j]
            if c < 0x20 || c >= 0x80 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { break }
            j &+= 1
        }
        return j
    }

    /// Handles a string byte that is neither plain ASCII, `"` nor `\`: rejects control characters,
    /// validates a UTF-8 sequence. Returns the position after it.
    @inline(__always)
    private func skipSpecialByte(_ j: Int) throws(JSONSyntaxError) -> Int {
        let c = p[j]
        if c < 0x20 { throw error(j, "unescaped control character in a string") }
        if c < 0x80 { return j &+ 1 }
        guard let end = utf8SequenceEnd(j) else { throw error(j, "invalid UTF-8 in a string") }
        return end
    }

    /// The end of the well-formed UTF-8 sequence starting at `j` (a byte ≥ 0x80), or nil.
    private func utf8SequenceEnd(_ j: Int) -> Int? {
        @inline(__always) func continuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        let b0 = p[j]
        switch b0 {
        case 0xC2...0xDF:
            guard j &+ 1 < n, continuation(p[j &+ 1]) else { return nil }
            return j &+ 2
        case 0xE0...0xEF:
            guard j &+ 2 < n else { return nil }
            let b1 = p[j &+ 1]
            let lower: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80  // no overlong forms
            let upper: UInt8 = b0 == 0xED ? 0x9F : 0xBF  // no surrogates
            guard b1 >= lower, b1 <= upper, continuation(p[j &+ 2]) else { return nil }
            return j &+ 3
        case 0xF0...0xF4:
            guard j &+ 3 < n else { return nil }
            let b1 = p[j &+ 1]
            let lower: UInt8 = b0 == 0xF0 ? 0x90 : 0x80  // no overlong forms
            let upper: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF  // nothing above U+10FFFF
            guard b1 >= lower, b1 <= upper, continuation(p[j &+ 2]), continuation(p[j &+ 3]) else { return nil }
            return j &+ 4
        default:
            return nil
        }
    }

    // MARK: - Numbers

    /// Parses the number at `start`; returns the position after it. The literal is kept as is.
    private mutating func parseNumber(_ start: Int) throws(JSONSyntaxError) -> Int {
        var i = start
        if p[i] == UInt8(ascii: "-") {
            i &+= 1
            guard isDigit(i) else { throw error(i, "expected a digit after '-'") }
        }
        if p[i] == UInt8(ascii: "0") {
            if isDigit(i &+ 1) { throw error(i, "leading zeros are not allowed in numbers") }
            i &+= 1
        } else {
            repeat { i &+= 1 } while isDigit(i)
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i &+= 1
            guard isDigit(i) else { throw error(i, "expected a digit after the decimal point") }
            repeat { i &+= 1 } while isDigit(i)
        }
        if i < n && (p[i] | 0x20) == UInt8(ascii: "e") {
            i &+= 1
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i &+= 1 }
            guard isDigit(i) else { throw error(i, "expected a digit in the exponent") }
            repeat { i &+= 1 } while isDigit(i)
        }
        appendScalar(.number, start, i &- start)
        return i
    }

    @inline(__always)
    private func isDigit(_ i: Int) -> Bool {
        i < n && p[i] &- UInt8(ascii: "0") < 10
    }

    // MARK: - Helpers

    @inline(__always)
    private func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < n {
            switch p[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i &+= 1
            default: return i
            }
        }
        return i
    }

    private static func reasonForUnexpectedValueByte(_ c: UInt8) -> String {
        switch c {
        case UInt8(ascii: "'"): return "strings must be in double quotes"
        case UInt8(ascii: "/"): return "comments are not allowed"
        case UInt8(ascii: "+"): return "numbers must not start with '+'"
        case UInt8(ascii: "."): return "numbers must start with a digit"
        case UInt8(ascii: "N"), UInt8(ascii: "I"): return "expected a value (NaN and Infinity are not JSON)"
        default: return "expected a value"
        }
    }

    @inline(never)
    private func error(_ offset: Int, _ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset, reason: reason)
    }
}
