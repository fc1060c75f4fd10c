public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads model objects as JSON Lines and writes CDAnet messages back to back.
///
/// Each line is parsed into a reusable token tape and written with the mapping chosen by its `type` and
/// `routing.version`. A line that cannot be written is passed to `onReject` with its original bytes; the
/// following lines are still written. Blank lines are skipped.
public struct ModelWritePipeline {
    public let catalog: CDAnetCatalog
    public var failFast: Bool
    public var chunkSize: Int
    /// The longest line accepted, in bytes.
    public var maximumLineLength: Int
    /// Receives a debug line per rejected message and an info summary; never payload values.
    public var logger: Logger
    /// When set, called after each written message with where every field of it came from.
    public var onExplain: ((_ lineNumber: Int, _ lineage: [LineageEntry]) throws -> Void)?
    /// Show personal values in carrier-rule sentences.
    public var showPersonalData = false

    public init(
        catalog: CDAnetCatalog, failFast: Bool = false, chunkSize: Int = 256 * 1024,
        maximumLineLength: Int = 32_000_000,
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
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var lineNumber = 0
        var lineOffset = 0
        var skippingLongLine = false
        var sawContent = false

        func handle(_ line: UnsafeBufferPointer<UInt8>, offset: Int) throws -> Bool {
            lineNumber += 1
            var end = line.count
            if end > 0 && line[end - 1] == 0x0D { end -= 1 }
            let body = UnsafeBufferPointer(rebasing: line[0..<end])
            if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
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
                var located = error
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

        reading: while true {
            let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            if count == 0 { break }
            var from = 0
            while from < count {
                let found = chunk.withUnsafeBufferPointer { buffer in
                    memchr(buffer.baseAddress! + from, 0x0A, count - from)
                }
                guard let found else {
                    if !skippingLongLine { pending.append(contentsOf: chunk[from..<count]) }
                    if pending.count > maximumLineLength && !skippingLongLine {
                        skippingLongLine = true
                        summary.messages += 1
                        summary.rejected += 1
                        lineNumber += 1
                        try onReject(
                            RejectedMessage(
                                messageNumber: lineNumber, messageOffset: lineOffset,
                                error: BridgeError(
                                    .messageTooLarge, "the line is longer than \(maximumLineLength) bytes",
                                    at: .init(byteOffset: lineOffset)),
                                original: Array(pending.prefix(maximumLineLength)), isLine: true))
                        pending.removeAll()
                        if failFast {
                            summary.stoppedEarly = true
                            break reading
                        }
                    }
                    break
                }
                let newline = chunk.withUnsafeBufferPointer { buffer in
                    UnsafeRawPointer(found) - UnsafeRawPointer(buffer.baseAddress!)
                }
                if skippingLongLine {
                    skippingLongLine = false
                } else if pending.isEmpty {
                    let keepGoing = try chunk.withUnsafeBufferPointer {
                        try handle(UnsafeBufferPointer(rebasing: $0[from..<newline]), offset: lineOffset)
                    }
                    if !keepGoing { break reading }
                } else {
                    pending.append(contentsOf: chunk[from..<newline])
                    let keepGoing = try pending.withUnsafeBufferPointer { try handle($0, offset: lineOffset) }
                    pending.removeAll(keepingCapacity: true)
                    if !keepGoing { break reading }
                }
                lineOffset += (newline - from) + (pending.isEmpty ? 0 : 0) + 1
                from = newline + 1
            }
            if from < count { lineOffset += 0 }
        }
        if !pending.isEmpty && !summary.stoppedEarly {
            _ = try pending.withUnsafeBufferPointer { try handle($0, offset: lineOffset) }
        }
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
