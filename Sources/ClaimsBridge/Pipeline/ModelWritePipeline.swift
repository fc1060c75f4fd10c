public import Logging

/// Reads model objects as JSON Lines and writes CDAnet messages back to back.
///
/// Each line is parsed into a reusable token tape and written with the mapping chosen by its `type` and
/// `routing.version`. A line that cannot be written is passed to `onReject` with its original bytes; the
/// following lines are still written. Blank lines are skipped.
public struct ModelWritePipeline {
    public let catalog: CDAnetCatalog
    public var failFast: Bool
    public var chunkSize: Int
    /// The longest line accepted, in bytes (16 MiB by default); a longer one is rejected and its bytes
    /// kept in pieces of at most 1 MiB.
    public var maximumLineLength: Int
    /// Receives a debug line per rejected message and an info summary; never payload values.
    public var logger: Logger
    /// When set, called after each written message with where every field of it came from.
    public var onExplain: ((_ lineNumber: Int, _ lineage: [LineageEntry]) throws -> Void)?
    /// Show personal values in carrier-rule sentences.
    public var showPersonalData = false

    public init(
        catalog: CDAnetCatalog, failFast: Bool = false, chunkSize: Int = 256 * 1024,
        maximumLineLength: Int = 16 << 20,
        logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.logger = logger
        self.catalog = catalog
        self.failFast = failFast
        self.chunkSize = chunkSize
        self.maximumLineLength = maximumLineLength
    }

    /// Translates all of `input` into `output`.
    /// - Throws: ``BridgeError`` (`io`) when the input or output fails, or what `onReject` throws.
    public func run<Input: ByteInput, Output: ByteOutput>(
        input: inout Input, output: inout Output, onReject rejectHandler: (RejectedMessage) throws -> Void
    ) throws -> TranslationSummary {
        func onReject(_ rejected: RejectedMessage) throws {
            rejected.log(to: logger)
            try rejectHandler(rejected)
        }
        var out = BufferedOutput(output)
        var summary = TranslationSummary()
        var tape = JSONTape()
        let values = ModelValues(carrierRuleContext: CarrierRuleContext(showPersonalData: showPersonalData))
        var explainFailure: (any Error)?
        var sawContent = false

        func handle(_ body: UnsafeBufferPointer<UInt8>, lineNumber: Int, offset: Int) throws -> Bool {
            sawContent = true
            summary.messages += 1
            let mark = out.buffer.count
            do throws(BridgeError) {
                let mapping = try write(body, tape: &tape, values: values, to: &out.buffer)
                summary.translated += 1
                if let onExplain {
                    let lineage = mapping.lineageOfWriting(
                        message: UnsafeBufferPointer(start: out.buffer.base + mark, count: out.buffer.count - mark),
                        outputOffset: out.flushedCount + mark, tape: tape, values: values)
                    do { try onExplain(lineNumber, lineage) } catch { explainFailure = error }
                }
            } catch {
                out.buffer.truncate(to: mark)
                summary.rejected += 1
                var located = error.clipped()
                located.location.byteOffset = offset + (error.location.byteOffset ?? 0)
                try onReject(
                    RejectedMessage(
                        messageNumber: lineNumber, messageOffset: offset, error: located, original: Array(body),
                        isLine: true))
                if failFast {
                    summary.stoppedEarly = true
                    return false
                }
            }
            if let explainFailure { throw explainFailure }
            try out.flushIfFull()
            return true
        }

        var lines = JSONLinesReader(input: input)
        lines.chunkSize = chunkSize
        lines.maximumLineLength = maximumLineLength
        try lines.forEachLine(
            onTooLong: { piece, bytes in
                sawContent = true
                if piece.isFirst {
                    summary.messages += 1
                    summary.rejected += 1
                }
                try onReject(piece.rejected(bytes, limit: maximumLineLength))
                if failFast { summary.stoppedEarly = true }
                return !failFast
            },
            { line, number, offset in try handle(line, lineNumber: number, offset: offset) })
        input = lines.input
        try out.flush()
        output = out.output
        out.close()
        defer { summary.log(to: logger) }
        if !sawContent && !summary.stoppedEarly && summary.messages == 0 {
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

    private func write(
        _ line: UnsafeBufferPointer<UInt8>, tape: inout JSONTape, values: ModelValues, to output: inout OutputBuffer
    ) throws(BridgeError) -> Mapping {
        do {
            try tape.parse(UnsafeRawBufferPointer(line))
        } catch {
            throw BridgeError(
                .invalidJSON, "this line is not valid JSON: \(error.reason)", at: .init(byteOffset: error.offset))
        }
        let mapping = try catalog.mappingForModel(tape.root, in: tape)
        try mapping.appendMessage(from: tape, object: tape.root, embedded: catalog, values: values, to: &output)
        return mapping
    }
}
