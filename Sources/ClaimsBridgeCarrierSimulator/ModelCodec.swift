public import ClaimsBridge
import Foundation

/// Translates one message at a time between CDAnet and the model, through the shipped layouts and mappings (the
/// same pipelines as `claimsbridge translate`).
public struct ModelCodec: Sendable {
    /// The CDAnet layouts and mappings.
    public let catalog: CDAnetCatalog

    /// A codec over `catalog`.
    public init(catalog: CDAnetCatalog) {
        self.catalog = catalog
    }

    /// Reads one CDAnet message into its model JSON (one line, without the newline). A message that breaks a
    /// carrier rule is read, and the rules it breaks are returned with it.
    /// - Throws: ``BridgeError`` from the reader (naming the field and offset), or `unrecognisedData` when the
    ///   bytes hold no message or more than one.
    public func readJSON(_ bytes: [UInt8]) throws -> (json: [UInt8], problems: [CarrierProblem]) {
        var input = MemoryInput(bytes)
        var output = MemoryOutput()
        var rejected: BridgeError?
        var pipeline = CDAnetReadPipeline(catalog: catalog, format: .json, failFast: true)
        pipeline.carrierRules = .warn
        var problems: [CarrierProblem] = []
        pipeline.onWarning = { problems += $0.error.problems }
        let summary = try pipeline.run(input: &input, output: &output) { rejected = rejected ?? $0.error }
        if let rejected { throw rejected }
        guard summary.translated == 1 else {
            throw BridgeError(.unrecognisedData, "expected one CDAnet message, found \(summary.translated)")
        }
        var json = output.bytes
        while json.last == 0x0A || json.last == 0x0D { json.removeLast() }
        return (json, problems)
    }

    /// Reads one CDAnet message into the model, with the carrier rules it breaks.
    /// - Throws: as ``readJSON(_:)``, or `DecodingError` when the JSON does not decode (never expected).
    public func read(_ bytes: [UInt8]) throws -> (message: ModelMessage, problems: [CarrierProblem]) {
        let (json, problems) = try readJSON(bytes)
        return (try JSONDecoder().decode(ModelMessage.self, from: Data(json)), problems)
    }

    /// Writes one message, given as model JSON (one object), as CDAnet.
    /// - Throws: ``BridgeError`` from the writer, naming the model path that cannot be written.
    public func write(json: [UInt8]) throws -> [UInt8] {
        var line = json
        while line.last == 0x0A || line.last == 0x0D || line.last == 0x20 { line.removeLast() }
        if line.contains(0x0A) {
            // Pretty-printed JSON: one line for the JSON Lines reader.
            let object = try JSONSerialization.jsonObject(with: Data(line))
            line = Array(try JSONSerialization.data(withJSONObject: object))
        }
        var input = MemoryInput(line + [0x0A])
        var output = MemoryOutput()
        var rejected: BridgeError?
        _ = try ModelWritePipeline(catalog: catalog, failFast: true).run(input: &input, output: &output) {
            rejected = rejected ?? $0.error
        }
        if let rejected { throw rejected }
        return output.bytes
    }

    /// Writes one model message as CDAnet.
    /// - Throws: ``BridgeError`` from the writer, naming the model path that cannot be written.
    public func write(_ message: ModelMessage) throws -> [UInt8] {
        try write(json: Array(try JSONEncoder().encode(message)))
    }
}
