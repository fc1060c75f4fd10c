public import Logging

/// What reading CDAnet produces.
public enum CDAnetOutputFormat: Sendable {
    /// One model object per message, as JSON Lines.
    case json
    /// Every field with its ID, offset, width and value, for people debugging a message.
    case fields(showPersonalData: Bool)
}

/// Counts of what a translation did.
public struct TranslationSummary: Sendable, Equatable {
    /// Messages (or input lines) seen, good and bad.
    public var messages = 0
    public var translated = 0
    public var rejected = 0
    /// True when `failFast` stopped the run at the first reject.
    public var stoppedEarly = false
    public init() {}
}

/// Reads a CDAnet byte stream message by message and writes the model's JSON form (or a field listing).
///
/// Memory stays bounded by one message and one input chunk, however large the batch. A message that
/// cannot be read is passed to `onReject` with its original bytes; the following messages are still read.
public struct CDAnetReadPipeline {
    public let catalog: CDAnetCatalog
    public var format: CDAnetOutputFormat
    /// Stop at the first rejected message.
    public var failFast: Bool
    /// The size of each read from the input.
    public var chunkSize: Int
    /// Receives a debug line per rejected message and an info summary; never payload values.
    public var logger: Logger
    /// When set, called after each translated message with where every value of its JSON came from.
    public var onExplain: ((_ messageNumber: Int, _ lineage: [LineageEntry]) throws -> Void)?
    /// Whether a message that breaks a carrier rule is rejected (default) or translated with a warning.
    public var carrierRules: CarrierRuleMode = .enforce
    /// Called for each message translated despite broken carrier rules (``CarrierRuleMode/warn``).
    public var onWarning: ((RejectedMessage) throws -> Void)?
    /// Show personal values in carrier-rule sentences.
    public var showPersonalData = false
    /// Stop with an error after this many unreadable bytes in a row (no message found in them), so that a
    /// file that is not CDAnet at all (or `/dev/urandom`) is refused promptly; nil reads on regardless.
    public var maximumUnreadableBytes: Int? = 1 << 20

    public init(
        catalog: CDAnetCatalog, format: CDAnetOutputFormat = .json, failFast: Bool = false, chunkSize: Int = 64 * 1024,
        logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.logger = logger
        self.catalog = catalog
        self.format = format
        self.failFast = failFast
        self.chunkSize = chunkSize
    }

    /// Translates all of `input` into `output`.
    /// - Parameter onReject: called for each message that cannot be translated.
    /// - Throws: ``BridgeError`` (`io`) when the input or output fails, or what `onReject` throws.
    public func run<Input: ByteInput, Output: ByteOutput>(
        input: inout Input, output: inout Output, onReject rejectHandler: (RejectedMessage) throws -> Void
    ) throws -> TranslationSummary {
        func onReject(_ rejected: RejectedMessage) throws {
            rejected.log(to: logger)
            try rejectHandler(rejected)
        }
        var framer = CDAnetFramer(catalog: catalog)
        var out = BufferedOutput(output)
        var summary = TranslationSummary()
        let ruleContext = CarrierRuleContext(showPersonalData: showPersonalData)
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var isFinal = false
        var sawInput = false
        var unreadableRun = 0
        reading: while !isFinal {
            let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            if count == 0 {
                isFinal = true
            } else {
                sawInput = true
                chunk.withUnsafeBytes { framer.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            while let frame = framer.next(isFinal: isFinal) {
                summary.messages += 1
                let number = summary.messages
                var rejection: RejectedMessage?
                switch frame {
                case .malformed(let offset, let length, let error):
                    unreadableRun += length
                    rejection = RejectedMessage(
                        messageNumber: number, messageOffset: offset, error: error,
                        original: framer.withBytes(of: frame) { Array($0) })
                case .message(let offset, _):
                    unreadableRun = 0
                    guard let decoded = framer.decoded else { preconditionFailure("a message frame is decoded") }
                    do {
                        var lineage: [LineageEntry]?
                        var warning: BridgeError?
                        try framer.withBytes(of: frame) { bytes in
                            try translate(
                                bytes, offset: offset, decoded: decoded, rules: ruleContext, to: &out.buffer,
                                lineage: &lineage, warning: &warning)
                        }
                        summary.translated += 1
                        if let warning, let onWarning {
                            try onWarning(
                                RejectedMessage(
                                    messageNumber: number, messageOffset: offset, error: warning,
                                    original: framer.withBytes(of: frame) { Array($0) }))
                        }
                        if let lineage, let onExplain { try onExplain(number, lineage) }
                    } catch let error as BridgeError {
                        rejection = RejectedMessage(
                            messageNumber: number, messageOffset: offset, error: error,
                            original: framer.withBytes(of: frame) { Array($0) })
                    }
                }
                if var rejection {
                    if rejection.error.problems.isEmpty {
                        rejection.error.problems = [
                            catalog.problem(describing: rejection.error, message: rejection.original)
                        ]
                    }
                    summary.rejected += 1
                    try onReject(rejection)
                    if failFast {
                        summary.stoppedEarly = true
                        break reading
                    }
                }
                if let limit = maximumUnreadableBytes, unreadableRun > limit {
                    try out.flush()
                    summary.log(to: logger)
                    throw BridgeError(
                        .unrecognisedData,
                        "stopped reading: \(unreadableRun) bytes in a row up to here hold no readable CDAnet message (the limit is \(limit)), so this does not look like a CDAnet file; \(summary.translated) messages were translated before it (to read on regardless, raise the limit: --max-garbage-mb)",
                        at: .init(byteOffset: frame.offset + frame.length))
                }
                try out.flushIfFull()
            }
        }
        try out.flush()
        output = out.output
        out.close()
        defer { summary.log(to: logger) }
        if !sawInput {
            summary.messages = 1
            summary.rejected = 1
            try onReject(
                RejectedMessage(
                    messageNumber: 1, messageOffset: 0,
                    error: BridgeError(.emptyInput, "the input is empty: there is no message to translate"),
                    original: []))
        }
        return summary
    }

    private func translate(
        _ bytes: UnsafeBufferPointer<UInt8>, offset: Int, decoded: CDAnetFramer.Decoded, rules: CarrierRuleContext,
        to buffer: inout OutputBuffer, lineage: inout [LineageEntry]?, warning: inout BridgeError?
    ) throws(BridgeError) {
        let mapping = decoded.mapping
        let record = decoded.record
        switch format {
        case .json:
            warning = try mapping.applyCarrierRules(
                to: record.view, message: bytes, baseOffset: offset, context: rules, mode: carrierRules)
            let mark = buffer.count
            do throws(BridgeError) {
                try mapping.appendJSON(of: record, message: bytes, baseOffset: offset, embedded: catalog, to: &buffer)
            } catch {
                buffer.truncate(to: mark)
                throw error
            }
            if onExplain != nil {
                lineage = mapping.lineageOfReading(
                    record: record, message: bytes, baseOffset: offset,
                    json: UnsafeBufferPointer(start: buffer.base + mark, count: buffer.count - mark))
            }
            buffer.append(0x0A)
        case .fields(let showPersonalData):
            var listing: [UInt8] = []
            FieldListing.append(
                record: record, layout: mapping.layout, message: bytes, offset: offset, catalog: catalog,
                showPersonalData: showPersonalData, indent: "", to: &listing)
            buffer.append(listing)
        }
    }
}
