import ArgumentParser
import ClaimsBridgeWatcher
import Foundation

struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Report the carriers' payments against the claims: paid, paid differently from the EOB, payments for unknown claims, unpaid claims.",
        discussion: """
            Payment (16) and summary (15) reconciliations the watcher has read are matched to the claims it sent by \
            carrier, office sequence number and provider; each match moves the claim to `paid`. This command prints \
            what was found, from the ledger, without sending anything.
            """)

    @Option(help: "The routes file the watcher runs with.")
    var config: String

    @Option(help: "List claims answered but not paid this many days after their last change.")
    var unpaidAfterDays: Int = 30

    @Option(help: "json or csv.")
    var format: String = "json"

    func validate() throws {
        guard ["json", "csv"].contains(format) else { throw ValidationError("--format must be json or csv") }
        guard unpaidAfterDays >= 0 else { throw ValidationError("--unpaid-after-days must be 0 or more") }
    }

    func run() throws {
        let configuration = try WatchConfiguration.load(path: config)
        let ledger = try Ledger(path: configuration.stateDirectory + "/ledger.sqlite")
        let report = try ledger.reconciliationReport(unpaidAfterDays: unpaidAfterDays)
        if format == "csv" {
            print(report.csv, terminator: "")
        } else {
            FileHandle.standardOutput.write(Data(report.json))
        }
    }
}
