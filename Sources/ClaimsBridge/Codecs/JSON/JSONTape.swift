/// A syntax error in a JSON document, with the byte offset inside the document.
///
/// `reason` is plain words and never contains text of the document (it can hold patient data).
package struct JSONSyntaxError: Error, Equatable, Sendable {
    /// Byte offset into the parsed document of the byte where the problem was found
    /// (the document's length when it ended too early).
    package var offset: Int
    package var reason: String

    package init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}

/// One JSON document parsed into a flat, reusable array of tokens ("tape"), for reading values by path.
///
/// Parsing is strict RFC 8259 (see `parse(_:)`). Values are tokens numbered in document order; the root
/// value is token 0 and an object's members are stored as key token, value token, key token, … Every
/// container records the index of the token after its last descendant, so siblings are walked by jumping.
/// Numbers are kept as their literal bytes and never converted to floating point.
///
/// - Important: The tape refers to the memory of the parsed document (unescaped strings and numbers are
///   served straight from it). Read it only while the buffer passed to `parse(_:)` is alive and unchanged,
///   typically by parsing and reading inside one `withUnsafeBytes` call.
///
/// A tape is meant to be reused: each `parse(_:)` clears and refills its storage, keeping the capacity.
/// Copies of a tape are independent snapshots (the next parse of a shared tape allocates new storage).
/// Token indices passed to the accessors must come from the current parse; an index out of range traps.
package struct JSONTape {
    package enum Kind: UInt8, Sendable {
        // `object` and `array` must stay the two lowest raw values (see `Token.isContainer`).
        case object, array, string, number, `true`, `false`, null
    }

    /// Maximum nesting of objects and arrays; the root container is level 1.
    package static let maximumDepth = 64

    /// One value or key, 16 bytes.
    struct Token {
        /// Strings: start of the unescaped bytes (in the document, or in the side buffer when `escaped`).
        /// Other kinds: offset in the document of the token's first byte.
        var start: UInt32
        /// Strings and other scalars: length in bytes of what `start` points to.
        /// Containers: number of members or elements.
        var length: UInt32
        /// Containers: index of the token after the last descendant.
        /// Escaped strings: offset of the opening quote in the document. Otherwise 0.
        var extra: UInt32
        var kind: Kind
        /// A string whose unescaped bytes live in the side buffer, not in the document.
        var escaped: Bool

        @inline(__always) var isContainer: Bool { kind.rawValue < 2 }
    }

    /// Token and side-buffer memory, owned by one tape (copy-on-parse).
    final class Storage {
        var tokens: UnsafeMutablePointer<Token>
        var tokenCapacity: Int
        var tokenCount = 0
        /// Unescaped bytes of strings that contain escapes.
        var side: UnsafeMutablePointer<UInt8>
        var sideCapacity: Int
        var sideCount = 0
        /// Open containers during a parse: token index and member count per level.
        let stack: UnsafeMutablePointer<UInt32>

        init() {
            tokenCapacity = 64
            tokens = .allocate(capacity: tokenCapacity)
            sideCapacity = 256
            side = .allocate(capacity: sideCapacity)
            stack = .allocate(capacity: 2 * JSONTape.maximumDepth)
        }

        deinit {
            tokens.deallocate()
            side.deallocate()
            stack.deallocate()
        }
    }

    var storage = Storage()
    /// Snapshot of the storage after the last parse (valid while `storage` is not reparsed).
    var base: UnsafePointer<Token>
    var baseCount = 0
    var sideBase: UnsafePointer<UInt8>
    /// Base address of the last parsed document.
    var document: UnsafePointer<UInt8>?

    package init() {
        base = UnsafePointer(storage.tokens)
        sideBase = UnsafePointer(storage.side)
    }

    /// The root value's token (valid after a successful `parse(_:)`).
    package var root: Int { 0 }

    /// Number of tokens of the last parsed document (0 after a failed parse).
    package var tokenCount: Int { baseCount }

    @inline(__always)
    func token(_ index: Int) -> Token {
        precondition(UInt(bitPattern: index) < UInt(bitPattern: baseCount), "JSONTape: token index out of range")
        return base[index]
    }

    package func kind(_ token: Int) -> Kind {
        self.token(token).kind
    }

    /// Byte offset of a token inside the document (for error messages): the opening quote, bracket or
    /// brace, the sign or first digit, the first letter of a literal. For a member value this is the
    /// offset of the value, not of its key.
    package func offset(_ token: Int) -> Int {
        let t = self.token(token)
        if t.kind == .string {
            return t.escaped ? Int(t.extra) : Int(t.start) &- 1
        }
        return Int(t.start)
    }

    /// Number of members (object) or elements (array); 0 for other kinds.
    package func count(_ container: Int) -> Int {
        let t = token(container)
        return t.isContainer ? Int(t.length) : 0
    }

    /// The token after `token` and all its descendants: its next sibling, if any.
    package func skip(_ token: Int) -> Int {
        let t = self.token(token)
        return t.isContainer ? Int(t.extra) : token &+ 1
    }

    // MARK: - Objects

    /// The value token of the member of `object` whose key equals `key` (UTF-8 bytes, compared after
    /// unescaping), or nil. A linear scan in document order: for duplicated keys, the first one wins.
    /// Returns nil when `object` is not an object.
    package func member(_ object: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let container = token(object)
        guard container.kind == .object, key.count <= Int(UInt32.max) else { return nil }
        let end = Int(container.extra)
        let keyLength = UInt32(truncatingIfNeeded: key.count)
        var k = object &+ 1
        while k < end {
            // Keys are strings; the value follows its key.
            let keyToken = base[k]
            if keyToken.length == keyLength && bytesEqual(keyToken, key) {
                return k &+ 1
            }
            let value = base[k &+ 1]
            k = value.isContainer ? Int(value.extra) : k &+ 2
        }
        return nil
    }

    package func member(_ object: Int, _ key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { member(object, $0) }
    }

    package func member(_ object: Int, _ key: String) -> Int? {
        var key = key
        return key.withUTF8 { member(object, $0) }
    }

    /// Object members in document order as (key token, value token). Empty when `object` is not an object.
    package func members(_ object: Int) -> Members {
        let t = token(object)
        return Members(
            storage: storage, base: base, position: object &+ 1,
            end: t.kind == .object ? Int(t.extra) : object &+ 1)
    }

    /// Members of an object; keeps the tape's storage alive, so it stays valid across later parses.
    package struct Members: Sequence, IteratorProtocol {
        let storage: Storage
        let base: UnsafePointer<Token>
        var position: Int
        let end: Int

        package mutating func next() -> (key: Int, value: Int)? {
            guard position < end else { return nil }
            let key = position
            let value = base[key &+ 1]
            position = value.isContainer ? Int(value.extra) : key &+ 2
            return (key, key &+ 1)
        }
    }

    // MARK: - Arrays

    /// The element tokens of `array` in order. Empty when `array` is not an array.
    package func elements(_ array: Int) -> Elements {
        let t = token(array)
        return Elements(
            storage: storage, base: base, position: array &+ 1,
            end: t.kind == .array ? Int(t.extra) : array &+ 1)
    }

    /// Elements of an array; keeps the tape's storage alive, so it stays valid across later parses.
    package struct Elements: Sequence, IteratorProtocol {
        let storage: Storage
        let base: UnsafePointer<Token>
        var position: Int
        let end: Int

        package mutating func next() -> Int? {
            guard position < end else { return nil }
            let element = position
            let t = base[element]
            position = t.isContainer ? Int(t.extra) : element &+ 1
            return element
        }
    }

    // MARK: - Scalars

    /// The unescaped UTF-8 bytes of a string token or key token (always valid UTF-8).
    ///
    /// Strings without escapes are served from the parsed document without copying; strings with escapes
    /// from a buffer filled during the parse. The buffer passed to `body` must not escape it.
    package func withStringBytes<R>(_ token: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let t = self.token(token)
        precondition(t.kind == .string, "JSONTape.withStringBytes: token is not a string")
        return try body(UnsafeBufferPointer(start: bytes(of: t), count: Int(t.length)))
    }

    /// The literal bytes of a number token, e.g. `125.50`, `-3`, `1e5`, exactly as in the document.
    package func withNumberBytes<R>(_ token: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let t = self.token(token)
        precondition(t.kind == .number, "JSONTape.withNumberBytes: token is not a number")
        return try body(UnsafeBufferPointer(start: document.map { $0 + Int(t.start) }, count: Int(t.length)))
    }

    /// Whether a string token's unescaped bytes equal `bytes`.
    package func stringEquals(_ token: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let t = self.token(token)
        precondition(t.kind == .string, "JSONTape.stringEquals: token is not a string")
        return Int(t.length) == bytes.count && bytesEqual(t, bytes)
    }

    @inline(__always)
    private func bytes(of string: Token) -> UnsafePointer<UInt8>? {
        string.escaped ? sideBase + Int(string.start) : document.map { $0 + Int(string.start) }
    }

    /// Compares a string token's bytes with `key`, whose length is already known to match.
    @inline(__always)
    private func bytesEqual(_ string: Token, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = Int(string.length)
        if count == 0 { return true }
        guard let a = bytes(of: string), let b = key.baseAddress else { return false }
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i &+ 8 <= count {
            if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            {
                return false
            }
            i &+= 8
        }
        while i < count {
            if a[i] != b[i] { return false }
            i &+= 1
        }
        return true
    }
}
