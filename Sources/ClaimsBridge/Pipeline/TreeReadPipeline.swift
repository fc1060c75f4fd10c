import Foundation
public import Logging

/// Reads a partner document described by a ``TreeMapping`` — an XML batch, or partner JSON (JSON Lines or one
/// document) — and writes one model object per record as JSON Lines.
///
/// XML is streamed with libxml2's reader (see ``XMLStreamReader`` for the security settings); each record is
/// validated against the mapping's XML Schema on its own, so one bad record is rejected with its line, element
/// path and the rule broken, and the others are still translated. A document that stops being well-formed
/// ends the run at that point: what came before is kept, and the rest is reported as one reject.
public struct TreeReadPipeline {
    public let mapping: TreeMapping
    public var failFast: Bool
    public var limits: XMLLimits
    /// Whether schema messages may quote values (names, health numbers); off by default.
    public var showPersonalData: Bool
    public var logger: Logger
    private let validator: XMLSchemaValidator?

    /// Prepares a pipeline and compiles the mapping's XML Schema.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) when the schema is broken.
    public init(
        mapping: TreeMapping, failFast: Bool = false, limits: XMLLimits = XMLLimits(), showPersonalData: Bool = false,
        logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.mapping = mapping
        self.failFast = failFast
        self.limits = limits
        self.showPersonalData = showPersonalData
        self.logger = logger
        validator = try mapping.schemaPath.map { path throws(BridgeError) in try XMLSchemaValidator(path: path) }
    }

    /// Translates all of `input` into `output`.
    /// - Throws: ``BridgeError`` (`io`) when the output fails, or what `onReject` throws.
    public func run<Input: ByteInput, Output: ByteOutput>(
        input: inout Input, output: inout Output, onReject rejectHandler: (RejectedMessage) throws -> Void
    ) throws -> TranslationSummary {
        try withoutActuallyEscaping(rejectHandler) { handler in
            var state = RunState(output: output, onReject: handler, logger: logger, failFast: failFast)
            if mapping.format == .xml {
                try readXML(input, &state)
            } else {
                try readJSON(&input, &state)
            }
            try state.flush()
            output = state.output
            state.summary.log(to: logger)
            return state.summary
        }
    }

    private func readXML<Input: ByteInput, Output: ByteOutput>(_ input: Input, _ state: inout RunState<Output>) throws {
        let reader = XMLStreamReader(input: input, name: "input", limits: limits)
        let writer = XMLWriter(indent: 2)
        var number = 0
        do {
            var root = try reader.readRoot()
            guard root.name == mapping.rootName, root.namespace == mapping.rootNamespace else {
                let expected = mapping.rootNamespace.isEmpty
                    ? (mapping.rootName ?? "") : "\(mapping.rootName ?? "") in namespace \(mapping.rootNamespace)"
                throw BridgeError(
                    .unexpectedElement, "the document's root element is \(root.name); \(mapping.name) expects \(expected)",
                    at: .init(line: root.line, fieldID: root.name))
            }
            guard mapping.recordName != nil else {
                number = 1
                try reader.readRemainingChildren(into: &root)
                try state.handle(number: 1, original: { serialize(root, writer) }) { () throws(BridgeError) in
                    try validate(root, root: nil)
                    return try mapping.readRecord(root)
                }
                return
            }
            while let record = try reader.nextRecord() {
                number += 1
                let keepGoing = try state.handle(number: number, original: { serialize(record, writer, root: root) }) {
                    () throws(BridgeError) in
                    guard record.name == mapping.recordName, record.namespace == "" || record.namespace == mapping.record.namespace
                    else {
                        throw BridgeError(
                            .unexpectedElement, "is not a \(mapping.recordName ?? "") record",
                            at: .init(line: record.line, fieldID: record.name))
                    }
                    try validate(record, root: root)
                    return try mapping.readRecord(record)
                }
                if !keepGoing { return }
            }
            if number == 0 { state.summary.messages = 0 }
        } catch let error as BridgeError where error.code != .io {
            var located = error
            located.reason += number > 0 ? "; the rest of the document after record \(number) cannot be read" : ""
            _ = try state.handle(number: number + 1, original: { [] }) { () throws(BridgeError) -> TreeValue in throw located }
        }
    }

    private func serialize(_ node: TreeNode, _ writer: XMLWriter, root: TreeNode? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        var none: [String]? = nil
        writer.append(node, depth: 0, parentNamespace: root?.namespace ?? "", to: &bytes, paths: &none)
        return bytes
    }

    /// Validates one record inside a copy of its root (or a whole one-record document).
    private func validate(_ record: TreeNode, root: TreeNode?) throws(BridgeError) {
        guard let validator else { return }
        let writer = XMLWriter(indent: 0)
        var paths: [String]? = nil
        var document = XMLWriter.declaration
        if let root { writer.appendStart(ofRoot: TreeNode(name: root.name, namespace: root.namespace), to: &document) }
        writer.append(record, depth: root == nil ? 0 : 1, parentNamespace: root?.namespace ?? "", to: &document, paths: &paths)
        if let root { writer.appendEnd(ofRoot: root, to: &document) }
        guard let issue = validator.validate(document).first else { return }
        // Only for the message: the path and original line of each element, in writing order (one per line).
        paths = []
        var scratch: [UInt8] = []
        writer.append(record, depth: 1, parentNamespace: root?.namespace ?? "", to: &scratch, paths: &paths)
        var lines: [Int] = []
        func collect(_ node: TreeNode) {
            lines.append(node.line)
            node.children.forEach(collect)
        }
        collect(record)
        let index = issue.line - (root == nil ? 2 : 3)
        let path = paths.flatMap { $0.indices.contains(index) ? $0[index] : nil }
        let line = lines.indices.contains(index) && lines[index] > 0 ? lines[index] : record.line
        let message = showPersonalData ? issue.message : LibXML2Setup.redactValues(issue.message)
        let schema = (validator.path as NSString).lastPathComponent
        throw BridgeError(
            .schemaViolation, "breaks a rule of \(schema): \(message)", at: .init(line: line, fieldID: path ?? record.name))
    }

    private func readJSON<Input: ByteInput, Output: ByteOutput>(_ input: inout Input, _ state: inout RunState<Output>) throws {
        let name = mapping.record.name
        if let key = mapping.jsonRecordsKey {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 256 * 1024)
            while true {
                let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
                if count == 0 { break }
                bytes += chunk[0..<count]
            }
            var tape = JSONTape()
            let document: TreeValue
            let parsed: Result<TreeValue, JSONSyntaxError> = bytes.withUnsafeBytes { bytes in
                do throws(JSONSyntaxError) { return .success(try TreeValue.parse(bytes, tape: &tape)) } catch { return .failure(error) }
            }
            switch parsed {
            case .success(let value): document = value
            case .failure(let error):
                _ = try state.handle(number: 1, original: { bytes }) { () throws(BridgeError) -> TreeValue in
                    throw BridgeError(.invalidJSON, "the document is not valid JSON: \(error.reason)", at: .init(byteOffset: error.offset))
                }
                return
            }
            guard case .array(let records)? = document[key] else {
                _ = try state.handle(number: 1, original: { bytes }) { () throws(BridgeError) -> TreeValue in
                    throw BridgeError(.missingValue, "the document has no list \"\(key)\" of records", at: .init(fieldID: key))
                }
                return
            }
            for (index, record) in records.enumerated() {
                let original = {
                    var bytes: [UInt8] = []
                    record.appendJSON(to: &bytes)
                    return bytes
                }
                let keepGoing = try state.handle(number: index + 1, original: original) { () throws(BridgeError) in
                    try mapping.readRecord(TreeNode(json: record, name: name))
                }
                if !keepGoing { return }
            }
            return
        }
        var lines = JSONLinesReader(input: input)
        var tape = JSONTape()
        try lines.forEachLine(
            onTooLong: { number, _, prefix in
                try state.handle(number: number, original: { prefix }) { () throws(BridgeError) -> TreeValue in
                    throw BridgeError(.messageTooLarge, "the line is too long")
                }
            },
            { line, number, offset in
                try state.handle(number: number, original: { Array(line) }) { () throws(BridgeError) in
                    let value: TreeValue
                    do throws(JSONSyntaxError) {
                        value = try TreeValue.parse(UnsafeRawBufferPointer(line), tape: &tape)
                    } catch {
                        throw BridgeError(
                            .invalidJSON, "this line is not valid JSON: \(error.reason)",
                            at: .init(byteOffset: offset + error.offset))
                    }
                    return try mapping.readRecord(TreeNode(json: value, name: name))
                }
            })
    }
}

/// Output, counts and reject handling shared by the reading paths.
private struct RunState<Output: ByteOutput> {
    var output: Output
    let onReject: (RejectedMessage) throws -> Void
    let logger: Logger
    let failFast: Bool
    var summary = TranslationSummary()
    var buffer: [UInt8] = []

    init(output: Output, onReject: @escaping (RejectedMessage) throws -> Void, logger: Logger, failFast: Bool) {
        self.output = output
        self.onReject = onReject
        self.logger = logger
        self.failFast = failFast
    }

    /// Runs one record's translation; returns false when the run should stop.
    mutating func handle(
        number: Int, original: () -> [UInt8], _ translate: () throws(BridgeError) -> TreeValue
    ) throws -> Bool {
        summary.messages += 1
        let model: TreeValue
        do throws(BridgeError) {
            model = try translate()
        } catch {
            summary.rejected += 1
            var located = error
            located.location.messageNumber = number
            let rejected = RejectedMessage(messageNumber: number, messageOffset: 0, error: located, original: original())
            rejected.log(to: logger)
            try onReject(rejected)
            if failFast { summary.stoppedEarly = true }
            return !failFast
        }
        model.appendJSON(to: &buffer)
        buffer.append(0x0A)
        summary.translated += 1
        if buffer.count >= 256 * 1024 { try flush() }
        return true
    }

    mutating func flush() throws {
        try buffer.withUnsafeBytes { try output.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension RejectedMessage {
    /// The diagnostic line for a tree-format reject: `input, record 3, line 12, DP/ACTE[2]/@MNT: error: …`
    /// (`line N` is the JSON line when the input is JSON Lines).
    public func treeDiagnostic(inputName: String) -> String {
        var parts = [inputName]
        if isLine {
            parts.append("line \(messageNumber)")
            if let offset = error.location.byteOffset { parts.append("byte \(offset)") }
        } else {
            parts.append("record \(messageNumber)")
            if let line = error.location.line { parts.append("line \(line)") }
        }
        if let field = error.location.fieldID { parts.append(field) }
        if let path = error.location.modelPath { parts.append("model path \(path)") }
        return parts.joined(separator: ", ") + ": error: " + error.reason
    }
}
