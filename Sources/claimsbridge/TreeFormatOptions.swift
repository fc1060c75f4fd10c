import ArgumentParser
import ClaimsBridge
import Foundation
import Logging

/// Which tree-mapping translation a `translate` command asks for.
struct TreeDirection: Equatable {
    /// The bundled mapping (relative to the mappings folder), or nil when `--mapping` names it.
    var bundled: String?
    /// Model JSON Lines → partner format.
    var writes: Bool

    init?(from: TranslateCommand.Format, to: TranslateCommand.Format) {
        switch (from, to) {
        case (.json, .ramq): self.init(bundled: "ramq/claim.mapping.yaml", writes: true)
        case (.ramq, .json): self.init(bundled: "ramq/claim.mapping.yaml", writes: false)
        case (.json, .ramqResponse): self.init(bundled: "ramq/response.mapping.yaml", writes: true)
        case (.ramqResponse, .json): self.init(bundled: "ramq/response.mapping.yaml", writes: false)
        case (.json, .xml), (.json, .partnerJSON): self.init(bundled: nil, writes: true)
        case (.xml, .json), (.partnerJSON, .json): self.init(bundled: nil, writes: false)
        default: return nil
        }
    }

    private init(bundled: String?, writes: Bool) {
        self.bundled = bundled
        self.writes = writes
    }
}

/// Options of the XML and partner-JSON translations.
struct TreeFormatOptions: ParsableArguments {
    @Option(help: "The tree mapping file for --from/--to xml or partner-json (instead of a bundled one).")
    var mapping: String?

    @Option(
        name: .customLong("param"),
        help: "A value for the mapping's parameters, NAME=VALUE (repeatable), e.g. --param transmitter=18001.")
    var parameters: [String] = []

    @Flag(help: "Write the XML batch inside a zip archive (one entry, claims<batch date>.xml).")
    var zip = false

    @Flag(help: "Write XML on one line instead of indenting it.")
    var compact = false

    func validate() throws {
        for parameter in parameters where !parameter.contains("=") {
            throw ValidationError("--param takes NAME=VALUE (got \(parameter))")
        }
    }

    var parameterValues: [String: String] {
        var values: [String: String] = [:]
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = String(parts[1])
        }
        return values
    }

    /// Loads the mapping (and its XML Schema) and returns the translation, ready to run; the work is done by
    /// the library's tree pipelines.
    /// - Throws: ``BridgeError`` when the mapping or its schema cannot be loaded.
    func prepare<Input: ByteInput, Output: ByteOutput>(
        _ direction: TreeDirection, mappings: String, failFast: Bool, showPersonalData: Bool, logger: Logger,
        onReject: @escaping (RejectedMessage) throws -> Void
    ) throws -> (inout Input, inout Output) throws -> TranslationSummary {
        let path = mapping ?? (mappings as NSString).appendingPathComponent(direction.bundled ?? "")
        let loaded = try TreeMapping.load(path: path)
        guard direction.writes else {
            if zip { throw ValidationError("--zip applies when writing XML") }
            let pipeline = try TreeReadPipeline(
                mapping: loaded, failFast: failFast, showPersonalData: showPersonalData, logger: logger)
            return { try pipeline.run(input: &$0, output: &$1, onReject: onReject) }
        }
        let pipeline = try TreeWritePipeline(
            mapping: loaded, parameters: parameterValues, failFast: failFast, indent: compact ? nil : 2,
            showPersonalData: showPersonalData, logger: logger)
        guard zip else { return { try pipeline.run(input: &$0, output: &$1, onReject: onReject) } }
        let date = pipeline.parameters["batchDate"].flatMap(CalendarDate.init)
        let stamp = date.map { $0.description.filter(\.isNumber) } ?? "batch"
        return { input, output in
            var archive = ZipArchiveOutput(output, entryName: "claims\(stamp).xml", modified: date)
            let summary = try pipeline.run(input: &input, output: &archive, onReject: onReject)
            try archive.finish()
            output = archive.output
            return summary
        }
    }
}
