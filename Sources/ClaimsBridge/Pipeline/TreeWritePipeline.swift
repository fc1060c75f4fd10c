import Foundation
public import Logging

/// Writes model objects (JSON Lines) as a partner document described by a ``TreeMapping``: an XML batch
/// (root element, one record element per model object) or partner JSON (JSON Lines, or one document).
///
/// Every XML record is validated against the mapping's XML Schema before it is written (in groups of up to 64
/// records inside a copy of the root element, see `RecordSchemaCheck`); a record that breaks a rule is
/// rejected with the element path and the rule, and the others are still written. A mapping with
/// `carrierRules:` (RAMQ) also refuses a record that breaks one of the receiver's rules, before the schema
/// check, with every problem of the record at once. Groups are mapped, checked and written on worker threads
/// while the input is read on (``workerThreads``); output and rejects keep the input's order. Memory stays at a
/// few groups of records plus the output buffer, however large the batch. One pipeline runs one translation at
/// a time.
///
/// ```swift
/// let ramq = try TreeMapping.load(path: "Mappings/ramq/claim.mapping.yaml")
/// let pipeline = try TreeWritePipeline(mapping: ramq, parameters: ["transmitter": "18001"])
/// let summary = try pipeline.run(input: &input, output: &output) { reject in print(reject.error) }
/// ```
public struct TreeWritePipeline {
    /// The partner format.
    public let mapping: TreeMapping
    /// The mapping's parameters: defaults, overridden by the values given.
    public private(set) var parameters: [String: String]
    /// Stop at the first rejected model object.
    public var failFast: Bool
    /// Spaces per level in XML output; nil puts the whole document on one line.
    public var indent: Int?
    /// The longest input line (16 MiB by default); a longer line is rejected and its bytes kept in pieces.
    public var maximumLineLength = JSONLinesReader<MemoryInput>.defaultMaximumLineLength
    /// Whether schema messages may quote values (names, health numbers); off by default.
    public var showPersonalData: Bool
    /// Receives a debug line per rejected object and an info summary; never payload values.
    public var logger: Logger
    /// A fixed "today" (`YYYYMMDD`) for the date rules, for tests; nil uses the local calendar date.
    package var fixedToday: Int?
    /// Runs on each model object before it is written: checks it against the model (a lab order's teeth,
    /// kinds, attachments). A thrown error rejects the object.
    package var modelCheck: ((TreeValue) throws(BridgeError) -> TreeValue)?
    private let validator: XMLSchemaValidator?

    /// Prepares a pipeline: checks the parameters and compiles the XML Schema.
    /// - Parameter parameters: values for the mapping's `parameters`; `today` stands for the current UTC date.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) for an unknown parameter or a broken schema.
    public init(
        mapping: TreeMapping, parameters: [String: String] = [:], failFast: Bool = false, indent: Int? = 2,
        showPersonalData: Bool = false,
        logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.mapping = mapping
        self.parameters = try mapping.resolveParameters(parameters)
        self.failFast = failFast
        self.indent = indent
        self.showPersonalData = showPersonalData
        self.logger = logger
        validator = try mapping.schemaPath.map { path throws(BridgeError) in try XMLSchemaValidator(path: path) }
    }

    /// Threads that map, check and write records while the input is read on: nil for one fewer than the
    /// cores, from two to four (none on a one-core machine); 0 does everything on the caller's thread. A pipeline with a `modelCheck`, or whose
    /// mapping writes one document, always uses 0.
    public var workerThreads: Int?

    /// Translates all of `input` into `output`.
    /// - Throws: ``BridgeError`` (`io`) when the input or output fails, or what `onReject` throws.
    public func run<Input: ByteInput, Output: ByteOutput>(
        input: inout Input, output: inout Output, onReject rejectHandler: (RejectedMessage) throws -> Void
    ) throws -> TranslationSummary {
        var summary = TranslationSummary()
        var out: [UInt8] = []
        out.reserveCapacity(300 * 1024)
        let isXML = mapping.format == .xml
        let oneDocumentJSON = !isXML && mapping.jsonRecordsKey != nil
        let root = TreeNode(name: mapping.rootName ?? "", namespace: mapping.rootNamespace)
        if isXML {
            out += XMLWriter.declaration
            if mapping.recordName != nil { XMLWriter(indent: indent).appendStart(ofRoot: root, to: &out) }
        } else if let key = mapping.jsonRecordsKey {
            out += Array("{".utf8)
            JSONWriter.appendString(Array(key.utf8)[...], to: &out)
            out += Array(":[".utf8)
        }
        let oneDocument = isXML && mapping.recordName == nil
        let threads =
            modelCheck != nil || oneDocument
            ? 0 : workerThreads ?? PipelineThreads.defaultCount
        // Each thread validates with a schema compiled for it: a validator is not thread-safe.
        let recordWriters = try (0..<max(threads, 1)).map { index in
            let own = index == 0 ? validator : try validator.map { try XMLSchemaValidator(path: $0.path) }
            return ThreadOwned(value: RecordWriter(pipeline: self, validator: own))
        }
        let workers = OrderedWorkers<[ModelLine], WrittenRecords>(threads: threads) { thread, lines in
            recordWriters[thread].value.write(lines)
        }
        defer { workers.close() }
        var tape = JSONTape()
        var lines = JSONLinesReader(input: input)
        lines.maximumLineLength = maximumLineLength
        /// Lines read and not yet sent to be written, in input order.
        var pending: [ModelLine] = []
        let groupSize = 64
        var stopped = false
        func report(_ rejected: RejectedMessage) throws -> Bool {
            var rejected = rejected
            rejected.error = rejected.error.clipped()
            rejected.log(to: logger)
            try rejectHandler(rejected)
            if failFast {
                summary.stoppedEarly = true
                stopped = true
            }
            return !failFast
        }
        /// Sends the waiting lines to be written, then takes back what was written, in order: everything, or
        /// (`all == false`) all but the few groups kept in flight (see ``OrderedWorkers/pass(_:all:to:)``).
        /// False when the run must stop.
        func flush(all: Bool = true) throws -> Bool {
            let job = pending.isEmpty ? nil : pending
            pending.removeAll(keepingCapacity: true)
            return try workers.pass(job, all: all, to: take)
        }
        /// Writes or rejects the lines of the oldest group, in order; false when the run must stop.
        func take(_ group: WrittenRecords) throws -> Bool {
            for (line, result) in zip(group.lines, group.results) {
                summary.messages += 1
                switch result {
                case .rejected(let error):
                    summary.rejected += 1
                    var located = error
                    located.location.byteOffset = line.offset + (error.location.byteOffset ?? 0)
                    let keepGoing = try report(
                        RejectedMessage(
                            messageNumber: line.number, messageOffset: line.offset, error: located,
                            original: line.bytes, isLine: true))
                    if !keepGoing { return false }
                case .written(let range, _):
                    if oneDocumentJSON && summary.translated > 0 { out.append(UInt8(ascii: ",")) }
                    out += group.bytes[range]
                    if !isXML && !oneDocumentJSON { out.append(0x0A) }
                    summary.translated += 1
                }
            }
            if out.count >= 256 * 1024 {
                try out.withUnsafeBytes { try output.write($0) }
                out.removeAll(keepingCapacity: true)
            }
            return true
        }
        try lines.forEachLine(
            onTooLong: { piece, bytes in
                if piece.isFirst {
                    summary.messages += 1
                    summary.rejected += 1
                    guard try flush() else { return false }
                }
                return try report(piece.rejected(bytes, limit: maximumLineLength))
            },
            { line, number, offset in
                let model: Result<TreeValue, BridgeError>
                do throws(JSONSyntaxError) {
                    model = .success(try TreeValue.parse(UnsafeRawBufferPointer(line), tape: &tape))
                } catch {
                    model = .failure(
                        BridgeError(
                            .invalidJSON, "this line is not valid JSON: \(error.reason)",
                            at: .init(byteOffset: error.offset)))
                }
                pending.append(ModelLine(model: model, number: number, offset: offset, bytes: Array(line)))
                if pending.count >= (oneDocument ? 1 : groupSize) { return try flush(all: false) }
                return true
            })
        if !stopped { _ = try flush() }
        if isXML && mapping.recordName != nil { XMLWriter(indent: indent).appendEnd(ofRoot: root, to: &out) }
        if oneDocumentJSON { out += Array("]}\n".utf8) }
        try out.withUnsafeBytes { try output.write($0) }
        summary.log(to: logger)
        return summary
    }
}

/// One input line: its model object (or why it is not one), where it is, and its bytes (kept for a reject).
struct ModelLine: Sendable {
    var model: Result<TreeValue, BridgeError>
    var number: Int
    var offset: Int
    var bytes: [UInt8]
}

/// What a worker made of a group of lines: each one written (a range of `bytes`) or refused, and the lines
/// themselves, handed back so that the thread that made their model objects frees them.
struct WrittenRecords: Sendable {
    var bytes: [UInt8] = []
    var results: [RecordOutcome] = []
    var lines: [ModelLine] = []
}

/// Maps, checks and writes groups of lines on one thread, with a schema validator, writer and rule context of
/// its own (none of them may be shared between threads).
final class RecordWriter {
    let mapping: TreeMapping
    let parameters: [String: String]
    let context: CarrierRuleContext
    let check: RecordSchemaCheck?
    let writer: XMLWriter
    let modelCheck: ((TreeValue) throws(BridgeError) -> TreeValue)?
    let repeated: Set<String>
    /// Records checked against the schema are copied from the document checked, not written twice.
    let reusesCheckedBytes: Bool
    /// Documents written so far, for a mapping whose root is the one record.
    private var documents = 0

    init(pipeline: TreeWritePipeline, validator: XMLSchemaValidator?) {
        mapping = pipeline.mapping
        parameters = pipeline.parameters
        context = CarrierRuleContext(showPersonalData: pipeline.showPersonalData, fixedToday: pipeline.fixedToday)
        let root = TreeNode(name: mapping.rootName ?? "", namespace: mapping.rootNamespace)
        check = validator.map {
            RecordSchemaCheck(
                validator: $0, mapping: pipeline.mapping, root: pipeline.mapping.recordName == nil ? nil : root,
                showPersonalData: pipeline.showPersonalData, indent: pipeline.indent ?? 0)
        }
        writer = XMLWriter(indent: pipeline.indent)
        modelCheck = pipeline.modelCheck
        repeated = mapping.repeatedNames
        reusesCheckedBytes = pipeline.indent != nil
    }

    /// Maps each line's model object to a record, applies the receiver's rules, and writes the records that pass
    /// (XML: after checking them against the schema together).
    func write(_ lines: [ModelLine]) -> WrittenRecords {
        var group = WrittenRecords()
        var outcomes = [RecordOutcome?](repeating: nil, count: lines.count)
        var records: [TreeNode] = []
        var places: [Int] = []
        let isXML = mapping.format == .xml
        for (index, line) in lines.enumerated() {
            do throws(BridgeError) {
                let model = try line.model.get()
                let record = try mapping.writeCheckedRecord(
                    try modelCheck?(model) ?? model, parameters: parameters, context: context)
                if isXML {
                    if mapping.recordName == nil && documents > 0 {
                        throw BridgeError(.tooManyItems, "\(mapping.name) writes one document; this is a second one")
                    }
                    if let path = record.pathOfCharacterXMLCannotCarry() {
                        throw BridgeError(
                            .notEncodable, "holds a control character, which XML cannot carry", at: .init(fieldID: path))
                    }
                    documents += 1
                }
                records.append(record)
                places.append(index)
            } catch {
                outcomes[index] = .rejected(error)
            }
        }
        if isXML, let check, reusesCheckedBytes, !records.isEmpty {
            let checked = check.checkKeepingBytes(records)
            group.bytes = checked.document
            for (position, index) in places.enumerated() {
                outcomes[index] = checked.verdicts[position].map { .rejected($0) } ?? .written(checked.ranges[position])
            }
        } else {
            let verdicts = isXML && !records.isEmpty ? check?.check(records) : nil
            let isRoot = mapping.recordName == nil
            let namespace = isRoot ? "" : mapping.rootNamespace
            for (position, index) in places.enumerated() {
                if let verdict = verdicts?[position] {
                    outcomes[index] = .rejected(verdict)
                    continue
                }
                let start = group.bytes.count
                if isXML {
                    var none: [String]? = nil
                    writer.append(
                        records[position], depth: isRoot ? 0 : 1, parentNamespace: namespace, to: &group.bytes,
                        paths: &none)
                } else {
                    records[position].jsonValue(repeated: repeated).appendJSON(to: &group.bytes)
                }
                outcomes[index] = .written(start..<group.bytes.count)
            }
        }
        group.results = outcomes.map { $0! }
        group.lines = lines
        return group
    }
}

extension TreeMapping {
    /// The parameters with their defaults, `today` replaced by the current UTC date.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) for a name the mapping does not declare.
    package func resolveParameters(_ given: [String: String]) throws(BridgeError) -> [String: String] {
        var values: [String: String] = [:]
        for parameter in parameters { values[parameter.name] = parameter.defaultValue }
        for (name, value) in given {
            guard parameters.contains(where: { $0.name == name }) else {
                let known = parameters.map(\.name).joined(separator: ", ")
                throw BridgeError(
                    .invalidConfiguration,
                    "\(self.name) has no parameter \(name) (it has: \(known.isEmpty ? "none" : known))")
            }
            values[name] = value
        }
        for (name, value) in values where value == "today" {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let parts = calendar.dateComponents([.year, .month, .day], from: Date())
            values[name] = CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!.description
        }
        return values
    }
}
