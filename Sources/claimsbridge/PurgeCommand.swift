import ArgumentParser
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation

struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove payloads and archived originals older than the retention setting, keeping their records.",
        discussion: """
            Applies `retention:` of the delivery configuration now (the watcher also does it at start and daily): \
            the payload bytes of deliveries settled more than `payloads` ago, and the originals in archive/ and \
            error/ (and the rejects files) filed more than `archives` ago. The ledger and outbox keep what was \
            received, translated and delivered, when, with SHA-256 digests; `status` says what was purged.
            """)

    @Option(help: "The routes file the watcher runs with.")
    var config: String

    @Flag(help: "Count what would be removed; remove nothing.")
    var dryRun = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = common.makeLogger()
        let routes = try RoutesFile.load(path: config, common: common, logger: logger)
        guard routes.configuration.retention.isEnabled else {
            throw ValidationError("\(routes.delivery.file) sets no `retention:`; nothing is ever purged")
        }
        let report = try routes.makeWatcher(logger: logger).applyRetention(now: Date(), dryRun: dryRun)
        print((dryRun ? "would purge " : "purged ") + report.summary)
    }
}
