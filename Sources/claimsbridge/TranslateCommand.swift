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

    @Flag(
        help:
            "cdanet → json, ramq → json: translate a message that breaks a carrier rule anyway and report the rule as a warning (for carrier-side tools)."
    )
    var lenient = false

    @Option(
        help:
            "Stop with an error after this many megabytes in a row that hold no readable message (CDAnet input); 0 reads on regardless."
    )
    var maxGarbageMb = 1

    @OptionGroup var tree: TreeFormatOptions

    @OptionGroup var lab: LabFormatOptions

    @OptionGroup var common: CommonOptions

    /// The translation asked for, from the library's registry (shared with the watcher's routes).
    var translation: Translation? { TranslationRegistry.find(from: from.rawValue, to: to.rawValue) }

    func validate() throws {
        guard let translation else {
            throw ValidationError(
                "cannot translate --from \(from.rawValue) --to \(to.rawValue); the translations are: \(TranslationRegistry.choices)"
            )
        }
        if translation.needsMappingFile && tree.mapping == nil {
            throw ValidationError("--from/--to \(from == .json ? to.rawValue : from.rawValue) needs --mapping FILE")
        }
        if translation.needsOrders && lab.orders == nil {
            throw ValidationError("--from \(from.rawValue) needs --orders FILE (the known orders and their status)")
        }
        if tree.zip {
            guard case .tree(_, writes: true) = translation.kind else {
                throw ValidationError("--zip applies when writing XML")
            }
        }
    }

    func run() throws {
        MallocTuning.returnLargeBlocksPromptly()
        let logger = common.makeLogger()
        let inputName = input ?? "stdin"
        var files = CommandFiles()
        let opened = try files.openInput(input)
        var sink = try files.openOutput(output)
        var rejects = try errors.map { try files.openOutput($0, option: "--errors") }
        var explanations = try explain.map { try files.openOutput($0, option: "--explain") }
        guard let translation else { throw ValidationError("no such translation") }
        let onReject: (RejectedMessage) throws -> Void = { rejected in
            Files.printError(
                translation.isTree
                    ? rejected.treeDiagnostic(inputName: inputName)
                    : rejected.diagnostic(inputName: inputName, showingFound: showPersonalData))
            if var sinkForErrors = rejects {
                var line = rejected.jsonLine
                line.append(0x0A)
                try line.withUnsafeBytes { try sinkForErrors.write($0) }
                rejects = sinkForErrors
            }
        }
        var settings = PreparedTranslation.Settings(
            mappingsDirectory: try common.resolveMappings(), mappingFile: tree.mapping,
            parameters: tree.parameterValues, ordersFile: lab.orders, failFast: failFast,
            indent: tree.compact ? nil : 2, showPersonalData: showPersonalData, logger: logger)
        if explain != nil {
            settings.onExplain = { number, lineage in
                guard var sink = explanations else { return }
                let line =
                    "{\"messageNumber\":\(number),\"fields\":[" + lineage.map(\.json).joined(separator: ",") + "]}\n"
                try Array(line.utf8).withUnsafeBytes { try sink.write($0) }
                explanations = sink
            }
        }
        settings.maximumUnreadableBytes = maxGarbageMb > 0 ? maxGarbageMb << 20 : nil
        settings.catalogCacheFolder = CDAnetCatalog.defaultCacheFolder(environment: ProcessInfo.processInfo.environment)
        if lenient {
            settings.carrierRules = .warn
            settings.onWarning = { warning in
                let text =
                    translation.isTree
                    ? warning.treeDiagnostic(inputName: inputName) : warning.diagnostic(inputName: inputName)
                Files.printError(text.replacingOccurrences(of: ": error: ", with: ": warning: "))
                if var sink = rejects {
                    var line = warning.jsonLine
                    line.append(0x0A)
                    try line.withUnsafeBytes { try sink.write($0) }
                    rejects = sink
                }
            }
        }
        // Everything is loaded and checked before the input is looked at, so a broken mapping is reported as such.
        let prepared = try PreparedTranslation(translation, settings: settings)
        let progress = ProgressLine(total: files.inputSize)
        defer { progress.finish() }
        var source = try LookaheadInput(ProgressInput(opened, progress: progress))
        let summary: TranslationSummary
        if source.isBlank {
            summary = try Self.reportEmptyInput(onReject)
        } else if tree.zip {
            let date = prepared.parameters["batchDate"].flatMap(CalendarDate.init)
            let stamp = date.map { $0.description.filter(\.isNumber) } ?? "batch"
            var archive = ZipArchiveOutput(sink, entryName: "claims\(stamp).xml", modified: date)
            summary = try prepared.run(input: &source, output: &archive, onReject: onReject)
            try archive.finish()
        } else {
            summary = try prepared.run(input: &source, output: &sink, onReject: onReject)
        }
        progress.finish()
        if summary.rejected > 0 {
            let stopped = summary.stoppedEarly ? " (stopped at the first reject: --fail-fast)" : ""
            let details = errors.map { "; details in \($0)" } ?? "; use --errors FILE to keep them"
            Files.printError(
                "claimsbridge: \(summary.messages) message\(summary.messages == 1 ? "" : "s") read, \(summary.translated) translated, \(summary.rejected) rejected\(stopped)\(details)"
            )
            throw ExitCode(2)
        }
    }

    /// The rule for every format: an input with no bytes, or only blanks, is one reject (`emptyInput`), nothing
    /// is written, and the exit code is 2.
    private static func reportEmptyInput(_ onReject: (RejectedMessage) throws -> Void) throws -> TranslationSummary {
        var summary = TranslationSummary()
        summary.messages = 1
        summary.rejected = 1
        try onReject(
            RejectedMessage(
                messageNumber: 1, messageOffset: 0,
                error: BridgeError(.emptyInput, "the input is empty: there is no message to translate"), original: []))
        return summary
    }
}
