import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
public import Logging

/// `watch --dry-run`: every file waiting in every inbox is translated exactly as the watcher would, and the
/// results are written to a folder of the user's choosing instead of being delivered. Nothing in the inboxes is
/// moved, and neither the ledger nor the outbox is opened; sequence numbers come from a scratch ledger in the
/// output folder, so real ones are not used up.
public struct WatchDryRun {
    public let configuration: WatchConfiguration
    public let resources: TranslationResources
    public let logger: Logger

    public init(configuration: WatchConfiguration, resources: TranslationResources, logger: Logger) {
        self.configuration = configuration
        self.resources = resources
        self.logger = logger
    }

    /// What a dry run did with one file.
    public struct Outcome: Sendable {
        public var route: String
        public var name: String
        public var messages: Int
        public var translated: Int
        public var rejected: Int
        /// Why the whole file would go to `error/`, if it would.
        public var failure: String?
        /// Where the translated result was written, if anything was translated.
        public var outputPath: String?
        /// The destinations the result would be delivered to.
        public var destinations: [String]
    }

    /// Translates every waiting file into `outputDirectory/<route>/`.
    public func run(outputDirectory: String) throws -> [Outcome] {
        try DurableFiles.makeDirectory(outputDirectory)
        // A fresh scratch ledger each run: numbers start again, and each waiting file is recorded in it once.
        let scratchPath = outputDirectory + "/.dry-run-ledger.sqlite"
        for suffix in ["", "-wal", "-shm"] { unlink(scratchPath + suffix) }
        let scratch = try Ledger(path: scratchPath)
        var outcomes: [Outcome] = []
        let rules = try TransactionRules(catalog: resources.catalog)
        for route in configuration.routes {
            let folder = outputDirectory + "/" + route.name
            try DurableFiles.makeDirectory(folder)
            let translator = try RouteTranslator(route: route, resources: resources, logger: logger)
            for name in WatchStatus.waitingFiles(in: route) {
                // Room for the longest suffix added below (`.rejects.jsonl`).
                let stem = FileNameLength.fitting(name, maxBytes: FileNameLength.limit - 14)
                var input = route.inbox + "/" + name
                if route.translation == .jsonToCDAnet {
                    let numbered = folder + "/." + FileNameLength.fitting(name, maxBytes: 245) + ".numbered"
                    let fileID = try scratch.recordClaim(
                        route: route.name, name: name, path: input, sha256: "", size: 0, reprocessOf: nil)
                    let numbering = SequenceNumbering(ledger: scratch, fileID: fileID, rules: rules)
                    if try numbering.fill(inputPath: input, outputPath: numbered) > 0 { input = numbered }
                }
                let result = try translator.translate(inputPath: input)
                if input != route.inbox + "/" + name { unlink(input) }
                var outcome = Outcome(
                    route: route.name, name: name, messages: result.summary.messages,
                    translated: result.summary.translated, rejected: result.rejects.count, failure: result.failure,
                    outputPath: nil, destinations: route.transports)
                if !result.rejects.isEmpty {
                    try DurableFiles.write(
                        result.rejects.flatMap { $0.jsonLine + [0x0A] }, to: folder + "/" + stem + ".rejects.jsonl")
                }
                if let failure = result.failure {
                    try DurableFiles.write(
                        ErrorReport(
                            fileName: name, route: route.name, ledgerID: 0, reason: failure, summary: result.summary,
                            rejects: result.rejects
                        ).json, to: folder + "/" + stem + FileProcessor.errorReportSuffix)
                } else {
                    let path = folder + "/" + route.deliveryName(for: name)
                    try DurableFiles.write(result.output, to: path)
                    outcome.outputPath = path
                }
                outcomes.append(outcome)
            }
        }
        return outcomes
    }
}
