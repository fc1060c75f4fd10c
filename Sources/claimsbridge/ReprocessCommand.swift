import ArgumentParser
import ClaimsBridgeTransports
import ClaimsBridgeWatcher

struct ReprocessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprocess",
        abstract: "Run an archived or failed original through its route again, as a new attempt.",
        discussion: """
            The new attempt is recorded in the ledger linked to the old one and produces new deliveries (new \
            idempotency keys), which are made before the command returns or left in the outbox to retry.
            """)

    @Argument(help: "The ledger number of the file (see `claimsbridge status`).")
    var fileID: Int64

    @Option(help: "The routes file the watcher runs with.")
    var config: String

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = common.makeLogger()
        let routes = try RoutesFile.load(path: config, common: common, logger: logger)
        let watcher = routes.makeWatcher(logger: logger)
        let attempt = try await watcher.reprocess(fileID: fileID)
        print("file \(fileID) reprocessed as file \(attempt.id): \(attempt.state.rawValue), \(attempt.translated) of \(attempt.messages) messages translated, \(attempt.rejected) rejected")
        if attempt.state == .failed { throw ExitCode(1) }
    }
}
