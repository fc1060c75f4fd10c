import ArgumentParser
import ClaimsBridge
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Check claims (model JSON, CDAnet or a RAMQ batch) against what the payer accepts, without writing anything.",
        discussion: """
            Every claim is translated as translate would, and the result thrown away: a claim a carrier would \
            reject is reported with all its problems at once, each with its field ID, model path and the CDAnet \
            error code (G08) the carrier would answer with. The rules are in Mappings/cdanet/*/rules.yaml \
            and, for RAMQ (--to ramq, --from ramq), Mappings/ramq/rules.yaml, whose problems carry a rule code \
            (RQ01…) instead (Docs/scrubbing.md). Exit code 0 when every claim passes, 2 when some would be rejected.
            """)

    @Option(help: "What the input is: json (model objects, one per line), cdanet, or ramq (a RAMQ batch).")
    var from: Source

    @Option(help: "For --from json: the payer the claims are checked for, cdanet or ramq.")
    var to: Target = .cdanet

    @Option(name: .customLong("param"), help: "RAMQ: a value for the whole batch, NAME=VALUE (as for translate).")
    var parameters: [String] = []

    @Option(help: "Read this file instead of standard input.")
    var input: String?

    @Option(help: "text (a diagnostic per claim) or json (one JSON line per refused claim, then a summary).")
    var format: OutputFormat = .text

    @Flag(help: "Show personal data (names, birth dates, ID numbers) in the sentences.")
    var showPersonalData = false

    @Flag(help: "Stop at the first claim that would be rejected.")
    var failFast = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        for parameter in parameters where !parameter.contains("=") {
            throw ValidationError("--param takes NAME=VALUE (got \(parameter))")
        }
    }

    enum Source: String, ExpressibleByArgument, CaseIterable { case json, cdanet, ramq }
    enum Target: String, ExpressibleByArgument, CaseIterable { case cdanet, ramq }
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() throws {
        let inputName = input ?? "stdin"
        var files = CommandFiles()
        var source = try files.openInput(input)
        var discard = DiscardingOutput()
        var report = FileDescriptorOutput(descriptor: 1, name: "stdout")
        let isRAMQ = from == .ramq || (from == .json && to == .ramq)
        let onReject: (RejectedMessage) throws -> Void = { rejected in
            var line: [UInt8]
            switch format {
            case .text:
                line = Array(
                    (isRAMQ
                        ? rejected.treeDiagnostic(inputName: inputName) : rejected.diagnostic(inputName: inputName))
                        .utf8)
            case .json: line = rejected.jsonLine
            }
            line.append(0x0A)
            try line.withUnsafeBytes { try report.write($0) }
        }
        let summary: TranslationSummary
        switch (from, to) {
        case (.json, .ramq), (.ramq, _):
            let writes = from == .json
            let settings = PreparedTranslation.Settings(
                mappingsDirectory: try common.resolveMappings(), parameters: TreeFormatOptions.values(of: parameters),
                failFast: failFast, showPersonalData: showPersonalData, logger: common.makeLogger())
            let translation = TranslationRegistry.find(from: writes ? "json" : "ramq", to: writes ? "ramq" : "json")!
            summary = try PreparedTranslation(translation, settings: settings).run(
                input: &source, output: &discard, onReject: onReject)
        case (.json, .cdanet):
            let catalog = try common.loadCatalog()
            var pipeline = ModelWritePipeline(catalog: catalog, failFast: failFast, logger: common.makeLogger())
            pipeline.showPersonalData = showPersonalData
            summary = try pipeline.run(input: &source, output: &discard, onReject: onReject)
        case (.cdanet, _):
            let catalog = try common.loadCatalog()
            var pipeline = CDAnetReadPipeline(catalog: catalog, failFast: failFast, logger: common.makeLogger())
            pipeline.showPersonalData = showPersonalData
            summary = try pipeline.run(input: &source, output: &discard, onReject: onReject)
        }
        let counts =
            switch format {
            case .text: "\(summary.messages) checked, \(summary.translated) passed, \(summary.rejected) refused\n"
            case .json:
                "{\"checked\":\(summary.messages),\"passed\":\(summary.translated),\"refused\":\(summary.rejected)}\n"
            }
        try Array(counts.utf8).withUnsafeBytes { try report.write($0) }
        if summary.rejected > 0 { throw ExitCode(2) }
    }
}

/// Counts nothing and keeps nothing: `check` only needs the rejects.
private struct DiscardingOutput: ByteOutput {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {}
}
