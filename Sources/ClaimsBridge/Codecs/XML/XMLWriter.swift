/// Writes XML as UTF-8 bytes: a fixed declaration, attributes in the order given (the mapping's order),
/// one element per line indented by a fixed number of spaces, or everything on one line. The same input
/// always gives the same bytes, so golden files are stable.
package struct XMLWriter: Sendable {
    /// Spaces per nesting level; nil writes no line breaks at all.
    package var indent: Int?

    package init(indent: Int? = 2) { self.indent = indent }

    /// `<?xml version="1.0" encoding="UTF-8"?>` and a line break.
    package static let declaration = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)

    /// The root's start tag, declaring its namespace as the default one.
    package func appendStart<Output: ByteAppending & ~Copyable>(ofRoot root: TreeNode, to out: inout Output) {
        out.append(UInt8(ascii: "<"))
        out.append(utf8: root.name)
        if !root.namespace.isEmpty { appendAttribute("xmlns", root.namespace, to: &out) }
        appendAttributes(of: root, to: &out)
        out.append(UInt8(ascii: ">"))
        if indent != nil { out.append(0x0A) }
    }

    /// The root's end tag and a final line break.
    package func appendEnd<Output: ByteAppending & ~Copyable>(ofRoot root: TreeNode, to out: inout Output) {
        out.append(utf8: "</\(root.name)>\n")
    }

    /// An element and its content at `depth` (1 = child of the root), declaring its namespace where it
    /// differs from the parent's (`xmlns=""` for an unqualified element under a namespaced root).
    /// - Parameter paths: when given, receives the path of each element in writing order (one per line).
    package func append<Output: ByteAppending & ~Copyable>(
        _ node: TreeNode, depth: Int, parentNamespace: String, to out: inout Output, paths: inout [String]?,
        path: String = ""
    ) {
        let here = paths == nil ? "" : (path.isEmpty ? node.name : path)
        paths?.append(here)
        if let indent { Self.appendSpaces(indent * depth, to: &out) }
        out.append(UInt8(ascii: "<"))
        out.append(utf8: node.name)
        if node.namespace != parentNamespace { appendAttribute("xmlns", node.namespace, to: &out) }
        appendAttributes(of: node, to: &out)
        if node.children.isEmpty && node.text == nil {
            out.append(UInt8(ascii: "/"))
            out.append(UInt8(ascii: ">"))
            if indent != nil { out.append(0x0A) }
            return
        }
        out.append(UInt8(ascii: ">"))
        if let text = node.text { appendEscaped(text, inAttribute: false, to: &out) }
        if !node.children.isEmpty {
            if indent != nil { out.append(0x0A) }
            var counts: [String: Int] = [:]
            for child in node.children {
                var childPath = ""
                if paths != nil {
                    counts[child.name, default: 0] += 1
                    childPath = "\(here)/\(child.name)[\(counts[child.name]!)]"
                }
                append(
                    child, depth: depth + 1, parentNamespace: node.namespace, to: &out, paths: &paths, path: childPath)
            }
            if let indent { Self.appendSpaces(indent * depth, to: &out) }
        }
        out.append(UInt8(ascii: "<"))
        out.append(UInt8(ascii: "/"))
        out.append(utf8: node.name)
        out.append(UInt8(ascii: ">"))
        if indent != nil { out.append(0x0A) }
    }

    /// The attributes in order; one in a namespace (read from partner XML) keeps it, with a prefix declared
    /// on the element, so that a schema sees it as foreign rather than as one of its own attributes.
    private func appendAttributes<Output: ByteAppending & ~Copyable>(of node: TreeNode, to out: inout Output) {
        // Made only for an element with a namespaced attribute, which is rare.
        var prefixes: [String: String] = [:]
        let attributes = node.attributes
        for index in attributes.indices {
            // Unprefixed attributes, the usual case, are written from where they are, without a copy.
            guard !attributes[index].namespace.isEmpty else {
                appendAttribute(attributes[index].name, attributes[index].value, to: &out)
                continue
            }
            let attribute = attributes[index]
            if prefixes.isEmpty { prefixes["http://www.w3.org/XML/1998/namespace"] = "xml" }
            let prefix = prefixes[attribute.namespace] ?? "ns\(prefixes.count)"
            if prefixes[attribute.namespace] == nil {
                prefixes[attribute.namespace] = prefix
                appendAttribute("xmlns:" + prefix, attribute.namespace, to: &out)
            }
            appendAttribute(prefix + ":" + attribute.name, attribute.value, to: &out)
        }
    }

    private func appendAttribute<Output: ByteAppending & ~Copyable>(_ name: String, _ value: String, to out: inout Output) {
        out.append(UInt8(ascii: " "))
        out.append(utf8: name)
        out.append(UInt8(ascii: "="))
        out.append(UInt8(ascii: "\""))
        appendEscaped(value, inAttribute: true, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// A string's UTF-8 bytes, copied in one piece.
    private static func appendSpaces<Output: ByteAppending & ~Copyable>(_ count: Int, to out: inout Output) {
        for _ in 0..<count { out.append(UInt8(ascii: " ")) }
    }

    private func appendEscaped<Output: ByteAppending & ~Copyable>(_ text: String, inAttribute: Bool, to out: inout Output) {
        var plain = text
        let needsNoEscape = plain.withUTF8 { bytes in
            !bytes.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 < 0x20 })
        }
        if needsNoEscape {
            out.append(utf8: text)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out.append("&amp;")
            case UInt8(ascii: "<"): out.append("&lt;")
            case UInt8(ascii: ">"): out.append("&gt;")
            case UInt8(ascii: "\"") where inAttribute: out.append("&quot;")
            case 0x09 where inAttribute: out.append("&#9;")
            case 0x0A where inAttribute: out.append("&#10;")
            case 0x0D: out.append("&#13;")
            default: out.append(byte)
            }
        }
    }
}

extension TreeNode {
    /// The path of the first attribute or text holding a character XML 1.0 cannot carry (a control character
    /// other than tab, line feed and carriage return), or nil.
    package func pathOfCharacterXMLCannotCarry(path: String = "") -> String? {
        // Paths are only spelled out for a record that holds such a character.
        guard holdsCharacterXMLCannotCarry else { return nil }
        let here = path.isEmpty ? name : path
        let bad = Self.cannotBeCarried
        for attribute in attributes where bad(attribute.value) { return "\(here)/@\(attribute.name)" }
        if let text, bad(text) { return here }
        var counts: [String: Int] = [:]
        for child in children {
            counts[child.name, default: 0] += 1
            if let found = child.pathOfCharacterXMLCannotCarry(path: "\(here)/\(child.name)[\(counts[child.name]!)]") {
                return found
            }
        }
        return nil
    }

    /// By index, so that no attribute or child is copied on the way (every record written passes here).
    private var holdsCharacterXMLCannotCarry: Bool {
        for index in attributes.indices where Self.cannotBeCarried(attributes[index].value) { return true }
        if let text, Self.cannotBeCarried(text) { return true }
        for index in children.indices where children[index].holdsCharacterXMLCannotCarry { return true }
        return false
    }

    private static func cannotBeCarried(_ text: String) -> Bool {
        text.withUTF8Bytes { bytes in
            bytes.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        }
    }
}
