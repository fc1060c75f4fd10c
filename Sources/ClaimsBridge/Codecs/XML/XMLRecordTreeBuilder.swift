/// Builds a record's tree from its own bytes, after the streaming parser has read them (and found them
/// well-formed) in the document: the tree libxml2's reader gives for the same bytes, without libxml2, on whichever
/// thread translates the record (see ``XMLStreamReader/nextRecordOrBytes()``).
///
/// It reads what a well-formed UTF-8 record can hold: tags, attributes, namespace declarations, text, CDATA
/// sections, comments, processing instructions, character references and the five predefined entities. Values
/// are normalised as XML 1.0 says (line ends to `\n`; in attributes, each white-space character to a space),
/// text that is only white space is left out, and an element's line is the line its start tag ends on. Anything
/// else — a prefix that is not declared, an unknown entity — is not guessed at: ``tree(of:)`` returns nil, and the
/// caller builds that record's tree with libxml2.
struct XMLRecordTreeBuilder: Sendable {
    /// The namespaces in scope at the root's content: prefix (empty for the default namespace) and URI.
    private let rootScope: [(prefix: [UInt8], uri: String)]

    /// Reads the namespace declarations of the root's start tag, the last tag of `head`; nil when the head cannot
    /// be read that way.
    init?(head: [UInt8]) {
        var found: [(prefix: [UInt8], uri: String)]?
        head.withUnsafeBufferPointer { bytes in
            var parser = RecordParser(bytes: bytes, line: 1, scope: [])
            found = parser.rootScope()
        }
        guard let found else { return nil }
        rootScope = found
    }

    /// The record's tree, its lines counted from the record's first line; nil when the record holds something
    /// this reader leaves to libxml2.
    func tree(of record: XMLRecordScanner.Record) -> TreeNode? {
        record.bytes.withUnsafeBufferPointer { bytes in
            var parser = RecordParser(bytes: bytes, line: record.line, scope: rootScope)
            guard let tree = parser.element(), parser.index == bytes.count else { return nil }
            return tree
        }
    }
}

/// A recursive-descent reader over one record's bytes. Every method returns nil (or false) at the first thing it
/// does not read exactly as libxml2 would.
private struct RecordParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var line: Int
    /// Namespace declarations in scope, innermost last.
    var scope: [(prefix: [UInt8], uri: String)]

    init(bytes: UnsafeBufferPointer<UInt8>, line: Int, scope: [(prefix: [UInt8], uri: String)]) {
        self.bytes = bytes
        self.line = line
        self.scope = scope
    }

    private static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    // MARK: The root's start tag

    /// The namespaces declared on the first element of the bytes (after the prolog), which must end the bytes.
    mutating func rootScope() -> [(prefix: [UInt8], uri: String)]? {
        while index < bytes.count {
            if isBlank(bytes[index]) {
                advance()
            } else if starts(with: "<?") {
                guard skip(past: "?>") else { return nil }
            } else if starts(with: "<!--") {
                guard skip(past: "-->") else { return nil }
            } else if bytes[index] == UInt8(ascii: "<") {
                // Its attributes are not kept; its declarations are what `scope` holds after it.
                var root = TreeNode(name: "")
                guard startTag(into: &root, keepingAttributes: false) != nil, index == bytes.count else { return nil }
                return scope
            } else {
                return nil
            }
        }
        return nil
    }

    // MARK: Elements

    /// The element starting at `index` and everything inside it.
    mutating func element() -> TreeNode? {
        let outer = scope.count
        defer { scope.removeLast(scope.count - outer) }
        var node = TreeNode(name: "")
        guard let tag = startTag(into: &node, keepingAttributes: true),
            let (namespace, local) = resolve(tag.name, isAttribute: false)
        else { return nil }
        node.name = local
        node.namespace = namespace
        node.line = line
        if tag.hasPrefixedAttribute {
            for position in node.attributes.indices where node.attributes[position].name.utf8.contains(UInt8(ascii: ":")) {
                let written = Array(node.attributes[position].name.utf8)
                guard
                    let (namespace, local) = written.withUnsafeBufferPointer({ resolve($0, isAttribute: true) })
                else { return nil }
                node.attributes[position].name = local
                node.attributes[position].namespace = namespace
            }
        }
        if tag.isEmpty { return node }
        guard content(of: &node, named: tag.name) else { return nil }
        return node
    }

    /// What ``startTag(into:keepingAttributes:)`` read besides the attributes.
    private struct StartTag {
        /// The element's name as written.
        var name: UnsafeBufferPointer<UInt8>
        var isEmpty = false
        /// Whether an attribute kept has a prefix, to be resolved once all the tag's declarations are known.
        var hasPrefixedAttribute = false
    }

    /// Reads the start tag at `index`: its namespace declarations go into `scope`, its other attributes (when
    /// kept) into `node`, by their names as written.
    private mutating func startTag(into node: inout TreeNode, keepingAttributes: Bool) -> StartTag? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { return nil }
        index += 1
        guard let name = self.name() else { return nil }
        var tag = StartTag(name: name)
        while true {
            let hadBlank = skipBlanks()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                return tag
            }
            if starts(with: "/>") {
                index += 2
                tag.isEmpty = true
                return tag
            }
            guard hadBlank, let attribute = attributeName(), let value = attributeValue() else { return nil }
            if attribute[0] == UInt8(ascii: "x"), attribute.elementsEqual("xmlns".utf8) {
                scope.append(([], value))
            } else if attribute[0] == UInt8(ascii: "x"), attribute.starts(with: "xmlns:".utf8) {
                scope.append((Array(attribute.dropFirst(6)), value))
            } else if keepingAttributes {
                if attribute.contains(UInt8(ascii: ":")) { tag.hasPrefixedAttribute = true }
                // Room for a usual element's attributes at once, rather than growing one by one.
                if node.attributes.isEmpty { node.attributes.reserveCapacity(8) }
                node.attributes.append(.init(String(decoding: attribute, as: UTF8.self), value))
            }
        }
    }

    /// An attribute's name and the `=` after it (with any white space around it).
    private mutating func attributeName() -> UnsafeBufferPointer<UInt8>? {
        guard let attribute = self.name() else { return nil }
        skipBlanks()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return nil }
        index += 1
        skipBlanks()
        return attribute
    }

    /// Reads an element's content up to and including its end tag into `node`.
    private mutating func content(of node: inout TreeNode, named name: UnsafeBufferPointer<UInt8>) -> Bool {
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                guard text(into: &node) else { return false }
            } else if starts(with: "</") {
                index += 2
                guard let end = self.name(), Self.same(end, name) else { return false }
                skipBlanks()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { return false }
                index += 1
                return true
            } else if starts(with: "<!--") {
                guard skip(past: "-->") else { return false }
            } else if starts(with: "<![CDATA[") {
                index += 9
                var data: [UInt8] = []
                while index < bytes.count, !starts(with: "]]>") { appendNormalized(bytes[index], into: &data, inAttribute: false) }
                guard index < bytes.count else { return false }
                index += 3
                node.text = (node.text ?? "") + String(decoding: data, as: UTF8.self)
            } else if starts(with: "<?") {
                guard skip(past: "?>") else { return false }
            } else if starts(with: "<!") {
                return false
            } else {
                guard let child = element() else { return false }
                if node.children.isEmpty { node.children.reserveCapacity(4) }
                node.children.append(child)
            }
        }
        return false
    }

    /// Reads the character data up to the next markup and adds it to the node's text, unless it is only white
    /// space (libxml2's reader gives that as white space, which the tree leaves out). White space between
    /// elements, the usual case, is passed over without a copy.
    private mutating func text(into node: inout TreeNode) -> Bool {
        let start = index
        let startLine = line
        var plainBlank = true
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
            let byte = bytes[index]
            if byte == 0x0A { line += 1 }
            if !isBlank(byte) { plainBlank = false }
            index += 1
        }
        if plainBlank { return true }
        let end = index
        index = start
        line = startLine
        var text: [UInt8] = []
        while index < end {
            if bytes[index] == UInt8(ascii: "&") {
                guard reference(into: &text) else { return false }
            } else {
                appendNormalized(bytes[index], into: &text, inAttribute: false)
            }
        }
        if !text.allSatisfy(isBlank) { node.text = (node.text ?? "") + String(decoding: text, as: UTF8.self) }
        return true
    }

    /// A name: every byte up to white space, `/`, `>`, `=` or a quote (the parser has checked its characters).
    private mutating func name() -> UnsafeBufferPointer<UInt8>? {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if isBlank(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "=")
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "<")
            {
                break
            }
            index += 1
        }
        guard index > start else { return nil }
        return UnsafeBufferPointer(rebasing: bytes[start..<index])
    }

    /// A quoted attribute value, references replaced and white space normalised.
    private mutating func attributeValue() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            return nil
        }
        let quote = bytes[index]
        index += 1
        let start = index
        // Most values are plain: no reference, no white space but spaces, no line end.
        while index < bytes.count, bytes[index] != quote, bytes[index] != UInt8(ascii: "&"), bytes[index] >= 0x20 {
            index += 1
        }
        if index < bytes.count, bytes[index] == quote {
            index += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
        }
        var value = Array(bytes[start..<index])
        while index < bytes.count, bytes[index] != quote {
            if bytes[index] == UInt8(ascii: "&") {
                guard reference(into: &value) else { return nil }
            } else {
                appendNormalized(bytes[index], into: &value, inAttribute: true)
            }
        }
        guard index < bytes.count else { return nil }
        index += 1
        return String(decoding: value, as: UTF8.self)
    }

    /// Namespace URI and local name of a qualified name; nil for a prefix not in scope.
    private func resolve(_ name: UnsafeBufferPointer<UInt8>, isAttribute: Bool) -> (String, String)? {
        guard let colon = name.firstIndex(of: UInt8(ascii: ":")) else {
            let local = String(decoding: name, as: UTF8.self)
            // An unprefixed attribute has no namespace; an unprefixed element has the default namespace.
            if isAttribute { return ("", local) }
            return (scope.last(where: { $0.prefix.isEmpty })?.uri ?? "", local)
        }
        let prefix = UnsafeBufferPointer(rebasing: name[..<colon])
        let local = String(decoding: UnsafeBufferPointer(rebasing: name[(colon + 1)...]), as: UTF8.self)
        guard !local.isEmpty, !local.utf8.contains(UInt8(ascii: ":")) else { return nil }
        if prefix.elementsEqual("xml".utf8) { return (Self.xmlNamespace, local) }
        guard let uri = scope.last(where: { $0.prefix.elementsEqual(prefix) })?.uri, !uri.isEmpty else { return nil }
        return (uri, local)
    }

    // MARK: Characters

    /// Appends the byte at `index` (`byte`) of text or of an attribute value and moves past it, with line ends
    /// normalised (`\r\n` and `\r` to `\n`) and, in an attribute, white space to a space.
    private mutating func appendNormalized(_ byte: UInt8, into out: inout [UInt8], inAttribute: Bool) {
        index += 1
        switch byte {
        case 0x0D:
            if index < bytes.count, bytes[index] == 0x0A {
                index += 1
                line += 1
            }
            out.append(inAttribute ? 0x20 : 0x0A)
        case 0x0A:
            line += 1
            out.append(inAttribute ? 0x20 : 0x0A)
        case 0x09: out.append(inAttribute ? 0x20 : 0x09)
        default: out.append(byte)
        }
    }

    /// Replaces the reference at `index` (`&lt;`, `&#233;`, `&#xE9;` …) with its character.
    private mutating func reference(into out: inout [UInt8]) -> Bool {
        guard let end = bytes[index...].firstIndex(of: UInt8(ascii: ";")), end - index <= 12 else { return false }
        let body = UnsafeBufferPointer(rebasing: bytes[(index + 1)..<end])
        index = end + 1
        switch String(decoding: body, as: UTF8.self) {
        case "lt": out.append(UInt8(ascii: "<"))
        case "gt": out.append(UInt8(ascii: ">"))
        case "amp": out.append(UInt8(ascii: "&"))
        case "apos": out.append(UInt8(ascii: "'"))
        case "quot": out.append(UInt8(ascii: "\""))
        case let name where name.hasPrefix("#"):
            let digits = name.dropFirst()
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value, let scalar = Unicode.Scalar(value), value != 0 else { return false }
            out.append(contentsOf: String(Character(scalar)).utf8)
        default: return false
        }
        return true
    }

    @inline(__always) private func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    @inline(__always) private mutating func advance() {
        if bytes[index] == 0x0A { line += 1 }
        index += 1
    }

    /// Passes over white space; whether there was any.
    @discardableResult private mutating func skipBlanks() -> Bool {
        let start = index
        while index < bytes.count, isBlank(bytes[index]) {
            advance()
        }
        return index > start
    }

    /// Passes over everything up to and including `terminator`; false when it does not come.
    private mutating func skip(past terminator: StaticString) -> Bool {
        while index < bytes.count {
            if starts(with: terminator) {
                index += terminator.utf8CodeUnitCount
                return true
            }
            advance()
        }
        return false
    }

    /// Whether the bytes at `index` are `prefix`'s; byte by byte, first byte first (most calls end there).
    private func starts(with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let expected = prefix.utf8Start
        for offset in 0..<count where bytes[index + offset] != expected[offset] { return false }
        return true
    }

    /// Whether two byte runs are the same (an end tag's name against its start tag's).
    private static func same(_ one: UnsafeBufferPointer<UInt8>, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard one.count == other.count else { return false }
        for offset in 0..<one.count where one[offset] != other[offset] { return false }
        return true
    }
}
