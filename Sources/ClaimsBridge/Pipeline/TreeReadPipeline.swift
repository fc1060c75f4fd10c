import Foundation
public import Logging

/// Reads a partner document described by a ``TreeMapping`` — an XML batch, or partner JSON (JSON Lines or one
/// document) — and writes one model object per record as JSON Lines.
///
/// XML is streamed with libxml2's reader (see `XMLStreamReader` for the security settings), which validates a
/// batch against the mapping's XML Schema as it parses it; from its first message on, records are validated in
/// small groups on their own bytes, each error traced back to its own record, so
/// one bad record is rejected with its byte offset, line, element path and the rule broken (and its original
/// bytes), and the others are still translated. A document that stops being well-formed (or whose bytes do
/// not fit its declared encoding) ends the run at that point: the records complete before it are translated,
/// and every byte after the last of them is kept in one reject (in pieces of at most 1 MiB), so each input
/// byte is in a translated record or in a reject. Groups of records are translated on worker threads while the
/// document is read on (``workerThreads``); output and rejects keep the input's order.
public struct TreeReadPipeline {
    /// The partner format.
    public let mapping: TreeMapping
    /// Stop at the first rejected record.
    public var failFast: Bool
    /// Safety limits for XML input.
    public var limits: XMLLimits
    /// The largest single JSON document read (JSON Lines input is streamed and has no such limit).
    public var maximumDocumentBytes = 256_000_000
    /// The longest JSON line read (16 MiB by default); a longer line is rejected and its bytes kept in pieces.
    public var maximumLineLength = JSONLinesReader<MemoryInput>.defaultMaximumLineLength
    /// Whether schema messages may quote values (names, health numbers); off by default.
    public var showPersonalData: Bool
    /// Receives a debug line per rejected record and an info summary; never payload values.
    public var logger: Logger
    /// Whether a record that breaks one of the receiver's rules (`carrierRules:`) is rejected (the default) or
    /// translated with a warning (`--lenient`).
    public var carrierRules: CarrierRuleMode = .enforce
    /// With `carrierRules = .warn`: called with each record translated despite a rule.
    public var onWarning: ((RejectedMessage) throws -> Void)?
    /// A fixed "today" (`YYYYMMDD`) for the date rules, for tests; nil uses the local calendar date.
    package var fixedToday: Int?
    /// Runs on each model object read, before it is written: checks it against the model, or turns it into
    /// another message (a lab status update becomes a status change). A thrown error rejects the record.
    package var modelCheck: ((TreeValue) throws(BridgeError) -> TreeValue)?
    /// Threads that translate XML records while the document is read on: nil for one fewer than the cores,
    /// from two to four (none on a one-core machine); 0 translates on the caller's thread. A pipeline with a `modelCheck` always uses 0.
    public var workerThreads: Int?
    /// With worker threads, where XML records' trees are built (the translations are the same either way).
    public var treeBuilding = TreeBuilding.balanced

    /// Where XML records' trees are built when records are translated on worker threads.
    public enum TreeBuilding: Sendable {
        /// Group by group: by a worker from the records' bytes while a worker has nothing to do, by the reading
        /// thread while they are all busy (the default).
        case balanced
        /// Always by the workers, from the records' bytes (UTF-8 documents; others are built while reading).
        case onWorkers
        /// Always by the reading thread, from what libxml2 read.
        case whileReading
    }
    private let validator: XMLSchemaValidator?
    private var translator: TreeRecordTranslator {
        TreeRecordTranslator(
            mapping: mapping, readPlan: TreeReadPlan(mapping.record), carrierRules: carrierRules, showPersonalData: showPersonalData, fixedToday: fixedToday,
            modelCheck: ThreadOwned(value: modelCheck))
    }

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
        // A batch of records is validated by the parser as it reads: while it has found nothing wrong, the records
        // read are valid and need no check of their own.
        let reader = XMLStreamReader(
            input: input, name: "input", limits: limits, schema: mapping.recordName == nil ? nil : validator)
        var streamValidated = true
        let writer = XMLWriter(indent: 2)
        var number = 0
        var pending: [(number: Int, record: RecordRead, original: (offset: Int, bytes: [UInt8])?)] = []
        var check: RecordSchemaCheck?
        var outer: TreeNode?
        let translator = self.translator
        let threads = modelCheck != nil ? 0 : workerThreads ?? PipelineThreads.defaultCount
        let contexts = (0..<max(threads, 1)).map { _ in
            ThreadOwned(value: CarrierRuleContext(showPersonalData: showPersonalData, fixedToday: fixedToday))
        }
        /// With worker threads, the reading thread passes over records and the workers build their trees.
        var passedRecords: PassedRecords?
        let workers = OrderedWorkers<RecordGroup, TranslatedRecords>(threads: threads) { thread, job in
            translator.translate(job, context: contexts[thread].value)
        }
        defer { workers.close() }
        /// What the main thread keeps of each record sent to a worker: enough to report it.
        var sent: [[(number: Int, original: (offset: Int, bytes: [UInt8])?, record: RecordRead?)]] = []
        /// Checks the waiting records against the schema and sends them to be translated; then takes back the
        /// translations in order, all of them or (`all == false`) all but the few groups kept in flight (see
        /// ``OrderedWorkers/pass(_:all:to:)``). False to stop.
        func flush(all: Bool = true) throws -> Bool {
            var job: RecordGroup?
            if !pending.isEmpty {
                let originals = pending.allSatisfy { $0.original != nil } ? pending.map { $0.original!.bytes } : nil
                let verdicts: [BridgeError?]
                if streamValidated, originals != nil, reader.schemaIssueCount == 0 {
                    verdicts = Array(repeating: nil, count: pending.count)
                } else {
                    verdicts =
                        check?.check(
                            trees(of: pending.map(\.record)), originals: originals, head: reader.documentHead,
                            rootName: reader.rootQualifiedName) ?? Array(repeating: nil, count: pending.count)
                }
                job = RecordGroup(records: zip(pending, verdicts).map { ($0.record, $1) }, passed: passedRecords)
                sent.append(pending.map { ($0.number, $0.original, $0.original == nil ? $0.record : nil) })
                pending.removeAll(keepingCapacity: true)
            }
            return try workers.pass(job, all: all, to: take)
        }
        /// Writes or rejects the records of the oldest group sent, in order; false to stop.
        func take(_ group: TranslatedRecords) throws -> Bool {
            let items = sent.removeFirst()
            for (item, outcome) in zip(items, group.results) {
                let original = { item.original?.bytes ?? Self.serialize(item.record!.tree!, writer, root: outer) }
                let translated = state.summary.translated
                let result: Result<ArraySlice<UInt8>, BridgeError>
                var warning: BridgeError?
                switch outcome {
                case .written(let range, let broken):
                    result = .success(group.json[range])
                    warning = broken
                case .rejected(let error): result = .failure(error)
                }
                let keepGoing = try state.handle(
                    number: item.number, offset: item.original?.offset ?? 0, original: original, result: result)
                if let warning, let onWarning, state.summary.translated > translated {
                    var located = warning
                    located.location.messageNumber = item.number
                    try onWarning(
                        RejectedMessage(
                            messageNumber: item.number, messageOffset: item.original?.offset ?? 0, error: located,
                            original: original()))
                }
                if !keepGoing { return false }
            }
            return true
        }
        // The parser reads ahead: records are named for passing over before the root is read.
        if threads > 0, treeBuilding != .whileReading, mapping.recordName != nil {
            reader.passOver(name: mapping.recordName, namespace: mapping.record.namespace)
        }
        do {
            var root = try reader.readRoot()
            guard root.name == mapping.rootName, root.namespace == mapping.rootNamespace else {
                let expected =
                    mapping.rootNamespace.isEmpty
                    ? (mapping.rootName ?? "") : "\(mapping.rootName ?? "") in namespace \(mapping.rootNamespace)"
                throw BridgeError(
                    .unexpectedElement,
                    "the document's root element is \(DiagnosticText.quoted(root.name)); \(mapping.name) expects \(expected)",
                    at: .init(line: root.line, fieldID: root.name))
            }
            if mapping.recordName != nil { outer = root }
            check = validator.map {
                RecordSchemaCheck(
                    validator: $0, mapping: mapping, root: mapping.recordName == nil ? nil : root, showPersonalData: showPersonalData)
            }
            guard mapping.recordName != nil else {
                try reader.readRemainingChildren(into: &root)
                number = 1
                pending = [(1, .tree(root), nil)]
                _ = try flush()
                return
            }
            while true {
                // Each group's trees are built where there is time for it: by the workers while one of them has
                // nothing to do, here while they are all busy.
                if passedRecords != nil, pending.isEmpty {
                    reader.passesOver = treeBuilding == .onWorkers || workers.hasIdleThread
                }
                guard let read = try reader.nextRecordOrBytes() else { break }
                number += 1
                switch read {
                case .tree(let record):
                    guard try accept(record, number: number, original: reader.lastOriginal) else { return }
                case .passed(let found):
                    // The reader passes records over only once the document's head is known.
                    if passedRecords == nil, let head = reader.documentHead, let rootName = reader.rootQualifiedName {
                        passedRecords = PassedRecords(head: head, rootName: rootName, limits: limits)
                    }
                    pending.append((number, .bytes(found), (found.offset, found.bytes)))
                    if pending.count >= (check?.groupSize ?? 64) { guard try flush(all: false) else { return } }
                }
            }
            guard try flush() else { return }
            if number == 0 { state.summary.messages = 0 }
        } catch let error as BridgeError where error.code != .io {
            guard try flush() else { return }
            streamValidated = false
            // Records the parser had read past without error but not yet returned: each parsed again on its own.
            for found in reader.takeRecordsCompleteBeforeFailure() {
                number += 1
                let original = (offset: found.offset, bytes: found.bytes)
                do {
                    guard let record = try reader.parseAlone(found) else { continue }
                    guard try accept(record, number: number, original: original) else { return }
                } catch let alone as BridgeError where alone.code != .io {
                    guard try flush() else { return }
                    let keepGoing = try state.handle(number: number, offset: found.offset, original: { found.bytes }) {
                        () throws(BridgeError) -> TreeValue in throw alone.located(.init(line: found.line))
                    }
                    if !keepGoing { return }
                }
            }
            guard try flush() else { return }
            try keepUnreadBytes(of: reader, after: error, number: number + 1, &state)
        }

        /// Queues a record for the schema check and translation, or rejects an element that is not a record.
        func accept(_ record: TreeNode, number: Int, original: (offset: Int, bytes: [UInt8])?) throws -> Bool {
            guard record.name == mapping.recordName, record.namespace == mapping.record.namespace else {
                guard try flush() else { return false }
                return try state.handle(
                    number: number, offset: original?.offset ?? 0,
                    original: { original?.bytes ?? Self.serialize(record, writer, root: outer) }
                ) {
                    () throws(BridgeError) -> TreeValue in
                    throw BridgeError(
                        .unexpectedElement,
                        "is not a \(mapping.recordName ?? "") record\(record.namespace == mapping.record.namespace ? "" : " of this format (its namespace differs)")",
                        at: .init(line: record.line, fieldID: record.name))
                }
            }
            pending.append((number, .tree(record), original))
            if pending.count >= (check?.groupSize ?? 64) { return try flush(all: false) }
            return true
        }

        /// Each record's tree, for the traced schema check; those passed over are built here (one that cannot be
        /// built is checked as an empty record: its worker refuses it for that).
        func trees(of records: [RecordRead]) -> [TreeNode] {
            let passed = records.compactMap(\.bytes)
            guard let passedRecords, !passed.isEmpty else { return records.compactMap(\.tree) }
            var built = passedRecords.trees(of: passed).makeIterator()
            return records.map { record in
                if let tree = record.tree { return tree }
                let line = record.bytes?.line ?? 0
                return (try? built.next()?.get()) ?? TreeNode(name: mapping.recordName ?? "", line: line)
            }
        }
    }

    /// After the document stopped being readable: one reject with the error, holding every byte from the end
    /// of the last record read to the end of the input (in pieces of at most 1 MiB, so memory stays bounded).
    private func keepUnreadBytes<Output: ByteOutput>(
        of reader: XMLStreamReader, after error: BridgeError, number: Int, _ state: inout RunState<Output>
    ) throws {
        var located = error
        located.reason += "; nothing from this point to the end of the input can be read, and those bytes are kept in this reject"
        var first = true
        var sawAny = false
        let dropped = try reader.takeUnreadBytes { offset, piece in
            sawAny = true
            guard !first else {
                first = false
                return try state.handle(number: number, offset: offset, original: { piece }) {
                    () throws(BridgeError) -> TreeValue in throw located
                }
            }
            let continued = BridgeError(
                .invalidXML, "continues the unreadable end of the document (record \(number)), from byte \(offset)",
                at: .init(byteOffset: offset))
            return try state.reject(
                RejectedMessage(messageNumber: number, messageOffset: offset, error: continued, original: piece))
        }
        if !sawAny {
            _ = try state.handle(number: number, offset: 0, original: { [] }) { () throws(BridgeError) -> TreeValue in
                throw error
            }
        }
        if dropped > 0 {
            logger.warning("unreadable XML larger than the keeping limit", metadata: ["bytes.notKept": "\(dropped)"])
        }
    }

    /// Partner JSON input: there is no warning channel on this path, so a broken rule rejects the record even
    /// with `carrierRules = .warn` rather than being dropped unseen.
    private func translate(_ node: TreeNode, _ translator: TreeRecordTranslator, _ context: CarrierRuleContext)
        throws(BridgeError) -> TreeValue
    {
        var warning: BridgeError?
        let model = try translator.translate(node, verdict: nil, context: context, warning: &warning)
        if let warning { throw warning }
        return model
    }

    private static func serialize(_ node: TreeNode, _ writer: XMLWriter, root: TreeNode? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        var none: [String]? = nil
        writer.append(node, depth: 0, parentNamespace: root?.namespace ?? "", to: &bytes, paths: &none)
        return bytes
    }

    private func readJSON<Input: ByteInput, Output: ByteOutput>(_ input: inout Input, _ state: inout RunState<Output>)
        throws
    {
        let name = mapping.record.name
        let translator = self.translator
        let context = CarrierRuleContext(showPersonalData: showPersonalData, fixedToday: fixedToday)
        if let key = mapping.jsonRecordsKey {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 256 * 1024)
            while true {
                let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
                if count == 0 { break }
                bytes += chunk[0..<count]
                if bytes.count > maximumDocumentBytes {
                    _ = try state.handle(number: 1, original: { [] }) { () throws(BridgeError) -> TreeValue in
                        throw BridgeError(
                            .messageTooLarge,
                            "the document is larger than \(maximumDocumentBytes / 1_000_000) MB; send large batches as JSON Lines"
                        )
                    }
                    return
                }
            }
            var tape = JSONTape()
            let document: TreeValue
            let parsed: Result<TreeValue, JSONSyntaxError> = bytes.withUnsafeBytes { bytes in
                do throws(JSONSyntaxError) { return .success(try TreeValue.parse(bytes, tape: &tape)) } catch {
                    return .failure(error)
                }
            }
            switch parsed {
            case .success(let value): document = value
            case .failure(let error):
                _ = try state.handle(number: 1, original: { bytes }) { () throws(BridgeError) -> TreeValue in
                    throw BridgeError(
                        .invalidJSON, "the document is not valid JSON: \(error.reason)",
                        at: .init(byteOffset: error.offset))
                }
                return
            }
            guard case .array(let records)? = document[key] else {
                _ = try state.handle(number: 1, original: { bytes }) { () throws(BridgeError) -> TreeValue in
                    throw BridgeError(
                        .missingValue, "the document has no list \"\(key)\" of records", at: .init(fieldID: key))
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
                    try translate(TreeNode(json: record, name: name), translator, context)
                }
                if !keepGoing { return }
            }
            return
        }
        var lines = JSONLinesReader(input: input)
        lines.maximumLineLength = maximumLineLength
        var tape = JSONTape()
        try lines.forEachLine(
            onTooLong: { piece, bytes in
                if piece.isFirst {
                    state.summary.messages += 1
                    state.summary.rejected += 1
                }
                return try state.reject(piece.rejected(bytes, limit: maximumLineLength))
            },
            { line, number, offset in
                try state.handle(number: number, offset: offset, original: { Array(line) }) { () throws(BridgeError) in
                    let value: TreeValue
                    do throws(JSONSyntaxError) {
                        value = try TreeValue.parse(UnsafeRawBufferPointer(line), tape: &tape)
                    } catch {
                        throw BridgeError(
                            .invalidJSON, "this line is not valid JSON: \(error.reason)",
                            at: .init(byteOffset: offset + error.offset))
                    }
                    return try translate(TreeNode(json: value, name: name), translator, context)
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
        number: Int, offset: Int = 0, original: () -> [UInt8], _ translate: () throws(BridgeError) -> TreeValue
    ) throws -> Bool {
        let model: TreeValue
        do throws(BridgeError) {
            model = try translate()
        } catch {
            return try handle(number: number, offset: offset, original: original, result: .failure(error))
        }
        summary.messages += 1
        model.appendJSON(to: &buffer)
        buffer.append(0x0A)
        summary.translated += 1
        if buffer.count >= 256 * 1024 { try flush() }
        return true
    }

    /// Takes one record translated elsewhere: its model object as JSON, or why it was refused. Returns false
    /// when the run should stop.
    mutating func handle(
        number: Int, offset: Int, original: () -> [UInt8], result: Result<ArraySlice<UInt8>, BridgeError>
    ) throws -> Bool {
        summary.messages += 1
        switch result {
        case .success(let json):
            buffer += json
            buffer.append(0x0A)
            summary.translated += 1
            if buffer.count >= 256 * 1024 { try flush() }
            return true
        case .failure(let error):
            summary.rejected += 1
            var located = error
            located.location.messageNumber = number
            return try reject(
                RejectedMessage(messageNumber: number, messageOffset: offset, error: located, original: original()))
        }
    }

    /// Reports a reject (its reason clipped to a bounded length); returns false when the run should stop.
    mutating func reject(_ rejected: RejectedMessage) throws -> Bool {
        var rejected = rejected
        rejected.error = rejected.error.clipped()
        rejected.log(to: logger)
        try onReject(rejected)
        if failFast { summary.stoppedEarly = true }
        return !failFast
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
            if messageOffset > 0 { parts.append("byte \(messageOffset)") }
            if let line = error.location.line { parts.append("line \(line)") }
        }
        if let field = error.location.fieldID { parts.append(field) }
        if let path = error.location.modelPath { parts.append("model path \(path)") }
        return parts.joined(separator: ", ") + ": error: " + error.reason
    }
}
