import ArgumentParser
import ClaimsBridge
import ClaimsBridgeWatcher
import Foundation

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Report the carriers' payments against the claims: paid, paid differently from the EOB, payments for unknown claims, unpaid claims.",
        discussion: """
            Payment (16) and summary (15) reconciliations the watcher has read are matched to the claims it sent by \
            carrier, office sequence number and provider; each match moves the claim to `paid`. Without --date this \
            command prints what was found, from the ledger, without sending anything. With --date it first asks \
            every carrier of the routes file's `reconciliations:` for that day's payment reconciliation (06, page \
            by page) and summary (05), applies the answers as the watcher does, then prints the report.
            """)

    @Option(help: "The routes file the watcher runs with.")
    var config: String

    @Option(help: "Ask the carriers for this day's reconciliations (YYYY-MM-DD) before reporting.")
    var date: String?

    @Option(help: "List claims answered but not paid this many days after their last change.")
    var unpaidAfterDays: Int = 30

    @Option(help: "json or csv.")
    var format: String = "json"

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard ["json", "csv"].contains(format) else { throw ValidationError("--format must be json or csv") }
        guard unpaidAfterDays >= 0 else { throw ValidationError("--unpaid-after-days must be 0 or more") }
        if let date, CalendarDate(date) == nil { throw ValidationError("--date must be a day, YYYY-MM-DD: \(date)") }
    }

    func run() async throws {
        var configuration = try RoutesFile.loadStores(path: config)
        if let date = date.flatMap(CalendarDate.init) {
            let logger = common.makeLogger()
            var routes = try RoutesFile.load(path: config, common: common, logger: logger)
            guard !routes.configuration.reconciliations.isEmpty else {
                Files.printError("error: \(config) lists no `reconciliations:`; there is no carrier to ask")
                throw ExitCode.failure
            }
            let answers = try routes.makeWatcher(logger: logger).reconcileNow(date: date)
            // Apply what came back (and anything else waiting) without polling mailboxes or reconciling again.
            routes.configuration.mailboxes = []
            routes.configuration.reconciliations = []
            try await routes.makeWatcher(logger: logger).run(drain: true)
            Files.printError("\(answers) reconciliation answer\(answers == 1 ? "" : "s") received for \(date)")
            configuration = routes.configuration
        }
        let ledger = try Ledger(location: configuration.ledgerLocation)
        let report = try ledger.reconciliationReport(unpaidAfterDays: unpaidAfterDays)
        if format == "csv" {
            print(report.csv, terminator: "")
        } else {
            FileHandle.standardOutput.write(Data(report.json))
        }
    }
}
