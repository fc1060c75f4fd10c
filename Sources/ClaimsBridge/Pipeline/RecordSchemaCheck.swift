import Foundation

/// Validates XML records against a schema in groups: up to `groupSize` records are written one tag per line
/// inside a copy of the root element and validated as one document, and each rule broken is traced back, by
/// line, to its record and element. Records are independent siblings, so one record's error never affects
/// another's verdict; a group that is not even well-formed is checked record by record instead.
final class RecordSchemaCheck {
    let validator: XMLSchemaValidator
    /// Explains messages: the model path and `about` text of the attribute a message names.
    let mapping: TreeMapping
    /// The root the records sit in; nil when each record is a whole document.
    let root: TreeNode?
    let showPersonalData: Bool
    let groupSize = 64
    /// Writes the records checked; any indentation gives one tag per line, which the tracing by line needs.
    let writer: XMLWriter

    /// - Parameter indent: spaces per level in the document checked (the output's, so that a writer can reuse
    ///   the bytes checked, see ``checkKeepingBytes(_:)``).
    init(validator: XMLSchemaValidator, mapping: TreeMapping, root: TreeNode?, showPersonalData: Bool, indent: Int = 0) {
        self.validator = validator
        self.mapping = mapping
        self.root = root
        self.showPersonalData = showPersonalData
        writer = XMLWriter(indent: indent)
    }

    /// One verdict per record, in order: nil when it is valid.
    func check(_ records: [TreeNode]) -> [BridgeError?] {
        checkKeepingBytes(records).verdicts
    }

    /// One verdict per record, in order: nil when it is valid. The records' own input bytes are validated first,
    /// inside the document's own head (prolog and root start tag) and without a copy written: when they break
    /// no rule, which is the usual case, every verdict is nil. Otherwise, or without the bytes, the records are
    /// checked as ``check(_:)`` does, which traces each message to its record and element.
    /// - Parameters:
    ///   - originals: each record's input bytes, in order, or nil when they are not all known.
    ///   - head: the document's bytes up to and including the root's start tag; `rootName` as written.
    func check(_ records: [TreeNode], originals: [[UInt8]]?, head: [UInt8]?, rootName: String?) -> [BridgeError?] {
        if let originals, let head, let rootName, originals.count == records.count, !records.isEmpty {
            var document = head
            document.reserveCapacity(head.count + originals.reduce(rootName.utf8.count + 4) { $0 + $1.count + 1 })
            for bytes in originals {
                document.append(0x0A)
                document += bytes
            }
            document += Array("\n</\(rootName)>\n".utf8)
            if validator.validate(document).isEmpty { return Array(repeating: nil, count: records.count) }
        }
        return check(records)
    }

    /// One verdict per record, in order (nil when it is valid), with the document checked and where in it each
    /// record was written: the bytes ``writer`` gives for the record at its depth, ready to be copied to output.
    func checkKeepingBytes(_ records: [TreeNode]) -> (verdicts: [BridgeError?], document: [UInt8], ranges: [Range<Int>]) {
        // Written into a buffer with plain stores, then handed over as one array.
        var buffer = OutputBuffer(capacity: 1024 + records.count * 512)
        buffer.append(XMLWriter.declaration)
        if let root { writer.appendStart(ofRoot: TreeNode(name: root.name, namespace: root.namespace), to: &buffer) }
        var starts: [Int] = []
        var ranges: [Range<Int>] = []
        var line = root == nil ? 2 : 3
        for record in records {
            starts.append(line)
            let before = buffer.count
            var none: [String]? = nil
            writer.append(
                record, depth: root == nil ? 0 : 1, parentNamespace: root?.namespace ?? "", to: &buffer, paths: &none)
            ranges.append(before..<buffer.count)
            for byte in buffer.suffix(from: before) where byte == 0x0A { line += 1 }
        }
        if let root { writer.appendEnd(ofRoot: root, to: &buffer) }
        let document = Array(buffer.bytes)
        return (verdicts(records, document: document, starts: starts), document, ranges)
    }

    private func verdicts(_ records: [TreeNode], document: [UInt8], starts: [Int]) -> [BridgeError?] {
        // The document is written here: a quick pass says whether there is anything to trace at all.
        if validator.isValid(document) { return Array(repeating: nil, count: records.count) }
        let issues = validator.validate(document)
        var verdicts = [BridgeError?](repeating: nil, count: records.count)
        if issues.contains(where: \.isFatal) && records.count > 1 {
            return records.map { check([$0])[0] }
        }
        for issue in issues {
            guard let index = starts.lastIndex(where: { $0 <= issue.line }) ?? (records.isEmpty ? nil : 0),
                verdicts[index] == nil
            else { continue }
            verdicts[index] = error(for: issue, in: records[index], relativeLine: issue.line - starts[index])
        }
        return verdicts
    }

    private func error(for issue: XMLSchemaValidator.Issue, in record: TreeNode, relativeLine: Int) -> BridgeError {
        var places: [(path: String, line: Int, node: TreeNode?)] = []
        func visit(_ node: TreeNode, _ path: String) {
            places.append((path, node.line, node))
            guard !node.children.isEmpty else { return }
            var counts: [String: Int] = [:]
            for child in node.children {
                counts[child.name, default: 0] += 1
                visit(child, "\(path)/\(child.name)[\(counts[child.name]!)]")
            }
            places.append((path, node.line, node))
        }
        visit(record, record.name)
        let place =
            places.indices.contains(relativeLine)
            ? places[relativeLine] : (path: record.name, line: record.line, node: nil)
        var message = showPersonalData ? issue.message : LibXML2Setup.redactValues(issue.message)
        let schema = (validator.path as NSString).lastPathComponent
        var modelPath: String?
        var field = place.path
        if let (element, attribute) = Self.elementAndAttribute(in: issue.message) {
            field += "/@\(attribute)"
            if let (rule, path) = mapping.valueRule(element: element, attribute: attribute, node: place.node) {
                modelPath = path
                if let about = rule.about { message += " \(attribute) is \(about)." }
            }
        }
        return BridgeError(
            .schemaViolation, "breaks a rule of \(schema): \(message)",
            at: .init(line: place.line > 0 ? place.line : nil, fieldID: field, modelPath: modelPath))
    }

    /// `("ACTE", "MNT")` from libxml2's `Element 'ACTE', attribute 'MNT': …`.
    static func elementAndAttribute(in message: String) -> (String, String)? {
        let parts = message.split(separator: "'", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].hasSuffix("Element "), parts[2] == ", attribute " else { return nil }
        return (String(parts[1]), String(parts[3]))
    }
}
