import ArgumentParser
import ClaimsBridge
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch drop folders: translate each file that arrives and deliver the results, unattended.",
        discussion: """
            The routes file names the inboxes, what to translate each file to, and the transports that deliver \
            the results. Each file is claimed into processing/, recorded in the ledger, translated, queued in \
            the outbox, and moved to archive/<date>/ (or error/ with a <name>.error.json). SIGTERM or SIGINT \
            finishes the file in hand, then stops; a restart resumes where it stopped.
            """)

    @Option(help: "The routes file (YAML).")
    var config: String

    @Flag(help: "Check the routes file and its transports, print a summary and exit; touch nothing.")
    var check = false

    @Flag(help: "Print what each route would do with the files now in its inbox, without taking them; then exit.")
    var dryRun = false

    @Flag(help: "Stop once every inbox is empty and every delivery is made (or given up).")
    var drain = false

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = common.makeLogger()
        let routes = try RoutesFile.load(path: config, common: common, logger: logger)
        if check || dryRun {
            print(routes.summary(listingInboxes: dryRun), terminator: "")
            return
        }
        let watcher = Watcher(
            configuration: routes.configuration, catalog: routes.catalog, transports: routes.transports,
            retryPolicy: routes.delivery.retryPolicy, leaseSeconds: routes.delivery.leaseSeconds, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: WatchService(watcher: watcher, drain: drain), successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let listen = routes.configuration.listenAddress {
            services.append(.init(service: try OperationsServer(address: listen, watcher: watcher)))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(60)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
