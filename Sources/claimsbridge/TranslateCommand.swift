import ArgumentParser
import ClaimsBridge
import Foundation
import Logging

struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate messages from standard input (or --input) to standard output (or --output).",
        discussion: """
            cdanet → json    one model object per message, as JSON Lines
            json → cdanet    CDAnet messages back to back, exactly as the carrier expects them
            cdanet → fields  every field with its ID, offset, width and value
            json → ramq      a RAMQ dental claim batch (DP_RACIN), every claim checked against the XSD (--zip)
            ramq → json      a RAMQ batch back to claims; ramq-response → json: RAMQ's answer (provisional)
            json ↔ xml, json ↔ partner-json   any partner format, with --mapping FILE
            lab-order ↔ lab:NAME   lab orders to and from a lab's format (Mappings/labs/NAME/)
            lab:NAME-status → json   a lab's status updates as transitions of the --orders FILE

            A message that cannot be translated is reported on standard error with its message number, \
            byte offset and field ID, written with its original bytes to --errors, and skipped; the others \
            are still translated (unless --fail-fast).
            """)

    @Option(
        help:
            "What the input is: cdanet, json, ramq, ramq-response, xml, partner-json, lab-order, lab:NAME or lab:NAME-status."
    )
    var from: Format

    @Option(
        help: "What to write: json, cdanet, fields, ramq, ramq-response, xml, partner-json, lab-order or lab:NAME.")
    var to: Format

    @Option(help: "Read this file instead of standard input.")
    var input: String?

    @Option(help: "Write to this file instead of standard output.")
    var output: String?

    @Option(
        help: "Write each rejected message to this file as a JSON line: where, why, and its original bytes (Base64).")
    var errors: String?

    @Option(
        help:
            "Write, for each translated message, where every output value came from: field ID, byte offset, model path and the mapping rule (file:line), as JSON Lines."
    )
    var explain: String?

    @Flag(help: "Stop at the first rejected message.")
    var failFast = false

    @Flag(help: "Show personal data (names, birth dates, ID numbers) in --to fields output and in XML Schema messages.")
    var showPersonalData = false

    @Option(
        help:
            "Stop with an error after this many megabytes in a row that hold no readable message (CDAnet input); 0 reads on regardless."
    )
    var maxGarbageMb = 1

    @OptionGroup var tree: TreeFormatOptions

    @OptionGroup var lab: LabFormatOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        switch (from, to) {
        case (.cdanet, .json), (.cdanet, .fields), (.json, .cdanet): break
        case (.json, .ramq), (.ramq, .json), (.ramqResponse, .json), (.json, .ramqResponse): break
        case (.xml, .json), (.json, .xml), (.partnerJSON, .json), (.json, .partnerJSON):
            guard tree.mapping != nil else {
                throw ValidationError("--from/--to \(from == .json ? to.rawValue : from.rawValue) needs --mapping FILE")
            }
        case (.labOrder, .lab), (.lab, .labOrder), (.labStatus, .json):
            try lab.validate(LabDirection(from: from, to: to))
        default:
            throw ValidationError(
                "cannot translate --from \(from.rawValue) --to \(to.rawValue); one side must be json (cdanet→fields excepted): cdanet, ramq, ramq-response, xml or partner-json"
            )
        }
    }

    func run() throws {
        let logger = common.makeLogger()
        let catalog = try common.loadCatalog()
        let inputName = input ?? "stdin"
        var source = try Files.openInput(input)
        var sink = try Files.openOutput(output)
        var rejects = try errors.map { try Files.openOutput($0) }
        let onReject: (RejectedMessage) throws -> Void = { rejected in
            Files.printError(
                TreeDirection(from: from, to: to) == nil && LabDirection(from: from, to: to) == nil
                    ? rejected.diagnostic(inputName: inputName, showingFound: showPersonalData)
                    : rejected.treeDiagnostic(inputName: inputName))
            if var sinkForErrors = rejects {
                var line = rejected.jsonLine
                line.append(0x0A)
                try line.withUnsafeBytes { try sinkForErrors.write($0) }
                rejects = sinkForErrors
            }
        }
        var explanations = try explain.map { try Files.openOutput($0) }
        let onExplain: (Int, [LineageEntry]) throws -> Void = { number, lineage in
            guard var sink = explanations else { return }
            let line = "{\"messageNumber\":\(number),\"fields\":[" + lineage.map(\.json).joined(separator: ",") + "]}\n"
            try Array(line.utf8).withUnsafeBytes { try sink.write($0) }
            explanations = sink
        }
        let summary: TranslationSummary
        if let direction = LabDirection(from: from, to: to) {
            summary = try lab.run(
                direction, mappings: try common.resolveMappings(), input: &source, output: &sink, failFast: failFast,
                indent: tree.compact ? nil : 2, showPersonalData: showPersonalData, logger: logger, onReject: onReject)
        } else if let direction = TreeDirection(from: from, to: to) {
            summary = try tree.run(
                direction, mappings: try common.resolveMappings(), input: &source, output: &sink, failFast: failFast,
                showPersonalData: showPersonalData, logger: logger, onReject: onReject)
        } else if from == .cdanet {
            let format: CDAnetOutputFormat = to == .fields ? .fields(showPersonalData: showPersonalData) : .json
            var pipeline = CDAnetReadPipeline(catalog: catalog, format: format, failFast: failFast, logger: logger)
            if explain != nil { pipeline.onExplain = onExplain }
            pipeline.maximumUnreadableBytes = maxGarbageMb > 0 ? maxGarbageMb << 20 : nil
            summary = try pipeline.run(input: &source, output: &sink, onReject: onReject)
        } else {
            try catalog.checkWritable()
            var pipeline = ModelWritePipeline(catalog: catalog, failFast: failFast, logger: logger)
            if explain != nil { pipeline.onExplain = onExplain }
            summary = try pipeline.run(input: &source, output: &sink, onReject: onReject)
        }
        if summary.rejected > 0 {
            let stopped = summary.stoppedEarly ? " (stopped at the first reject: --fail-fast)" : ""
            let details = errors.map { "; details in \($0)" } ?? "; use --errors FILE to keep them"
            Files.printError(
                "claimsbridge: \(summary.messages) message\(summary.messages == 1 ? "" : "s") read, \(summary.translated) translated, \(summary.rejected) rejected\(stopped)\(details)"
            )
            throw ExitCode(2)
        }
    }
}
