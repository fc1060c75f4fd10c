import Foundation
public import Logging

/// Writes model objects (JSON Lines) as a partner document described by a ``TreeMapping``: an XML batch
/// (root element, one record element per model object) or partner JSON (JSON Lines, or one document).
///
/// Every XML record is validated against the mapping's XML Schema before it is written (in groups of up to 64
/// records inside a copy of the root element, see `RecordSchemaCheck`); a record that breaks a rule is
/// rejected with the element path and the rule, and the others are still written. A mapping with
/// `carrierRules:` (RAMQ) also refuses a record that breaks one of the receiver's rules, before the schema
/// check, with every problem of the record at once. Memory stays at one group
/// of records plus the output buffer, however large the batch. One pipeline runs one translation at a time.
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

    /// Translates all of `input` into `output`.
    /// - Throws: ``BridgeError`` (`io`) when the input or output fails, or what `onReject` throws.
    public func run<Input: ByteInput, Output: ByteOutput>(
        input: inout Input, output: inout Output, onReject rejectHandler: (RejectedMessage) throws -> Void
    ) throws -> TranslationSummary {
        var summary = TranslationSummary()
        var out: [UInt8] = []
        out.reserveCapacity(300 * 1024)
        let writer = XMLWriter(indent: indent)
        let root = TreeNode(name: mapping.rootName ?? "", namespace: mapping.rootNamespace)
        let isXML = mapping.format == .xml
        let oneDocumentJSON = !isXML && mapping.jsonRecordsKey != nil
        if isXML {
            out += XMLWriter.declaration
            if mapping.recordName != nil { writer.appendStart(ofRoot: root, to: &out) }
        } else if let key = mapping.jsonRecordsKey {
            out += Array("{".utf8)
            JSONWriter.appendString(Array(key.utf8)[...], to: &out)
            out += Array(":[".utf8)
        }
        let repeated = mapping.repeatedNames
        let ruleContext = CarrierRuleContext(showPersonalData: showPersonalData, fixedToday: fixedToday)
        var tape = JSONTape()
        var lines = JSONLinesReader(input: input)
        lines.maximumLineLength = maximumLineLength
        let check = validator.map {
            RecordSchemaCheck(
                validator: $0, mapping: mapping, root: mapping.recordName == nil ? nil : root,
                showPersonalData: showPersonalData, indent: indent ?? 0)
        }
        /// Records checked as the output writes them are copied from the document checked, not written twice.
        let reusesCheckedBytes = indent != nil
        /// Records waiting for their schema check, in input order.
        var pending: [(record: TreeNode, number: Int, offset: Int, original: [UInt8])] = []
        var stopped = false
        func reject(_ error: BridgeError, _ number: Int, _ offset: Int, _ original: [UInt8]) throws -> Bool {
            summary.rejected += 1
            var located = error
            located.location.byteOffset = offset + (error.location.byteOffset ?? 0)
            return try report(
                RejectedMessage(
                    messageNumber: number, messageOffset: offset, error: located, original: original, isLine: true))
        }
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
        /// Checks the waiting records and writes the valid ones; false when the run must stop.
        func flush() throws -> Bool {
            defer { pending.removeAll(keepingCapacity: true) }
            guard !pending.isEmpty else { return true }
            var verdicts = [BridgeError?](repeating: nil, count: pending.count)
            var checked: (document: [UInt8], ranges: [Range<Int>])?
            if let check {
                if reusesCheckedBytes {
                    let result = check.checkKeepingBytes(pending.map(\.record))
                    verdicts = result.verdicts
                    checked = (result.document, result.ranges)
                } else {
                    verdicts = check.check(pending.map(\.record))
                }
            }
            for (index, (item, verdict)) in zip(pending, verdicts).enumerated() {
                if let verdict {
                    guard try reject(verdict, item.number, item.offset, item.original) else { return false }
                    continue
                }
                if let checked {
                    out += checked.document[checked.ranges[index]]
                    summary.translated += 1
                    continue
                }
                var none: [String]? = nil
                let isRoot = mapping.recordName == nil
                writer.append(
                    item.record, depth: isRoot ? 0 : 1, parentNamespace: isRoot ? "" : root.namespace, to: &out,
                    paths: &none)
                summary.translated += 1
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
                summary.messages += 1
                do throws(BridgeError) {
                    let model: TreeValue
                    do throws(JSONSyntaxError) {
                        model = try TreeValue.parse(UnsafeRawBufferPointer(line), tape: &tape)
                    } catch {
                        throw BridgeError(
                            .invalidJSON, "this line is not valid JSON: \(error.reason)",
                            at: .init(byteOffset: error.offset))
                    }
                    let record = try mapping.writeCheckedRecord(
                        try modelCheck?(model) ?? model, parameters: parameters, context: ruleContext)
                    if isXML {
                        if mapping.recordName == nil && summary.translated + pending.count > 0 {
                            throw BridgeError(
                                .tooManyItems, "\(mapping.name) writes one document; this is a second one")
                        }
                        if let path = record.pathOfCharacterXMLCannotCarry() {
                            throw BridgeError(
                                .notEncodable, "holds a control character, which XML cannot carry",
                                at: .init(fieldID: path))
                        }
                        pending.append((record, number, offset, Array(line)))
                    } else {
                        if oneDocumentJSON && summary.translated > 0 { out.append(UInt8(ascii: ",")) }
                        record.jsonValue(repeated: repeated).appendJSON(to: &out)
                        if !oneDocumentJSON { out.append(0x0A) }
                        summary.translated += 1
                    }
                } catch {
                    guard try flush() else { return false }
                    return try reject(error, number, offset, Array(line))
                }
                if pending.count >= (check?.groupSize ?? 1) {
                    guard try flush() else { return false }
                }
                if out.count >= 256 * 1024 {
                    try out.withUnsafeBytes { try output.write($0) }
                    out.removeAll(keepingCapacity: true)
                }
                return true
            })
        if !stopped { _ = try flush() }
        if isXML && mapping.recordName != nil { writer.appendEnd(ofRoot: root, to: &out) }
        if oneDocumentJSON { out += Array("]}\n".utf8) }
        try out.withUnsafeBytes { try output.write($0) }
        summary.log(to: logger)
        return summary
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
