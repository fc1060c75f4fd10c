import ArgumentParser
import ClaimsBridge
import ClaimsBridgeService
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct WatchCommand: AsyncParsableCommand {
    func validate() throws {
        if output != nil && !dryRun { throw ValidationError("--output goes with --dry-run") }
        if check && dryRun { throw ValidationError("use --check or --dry-run, not both") }
    }

    /// `--dry-run`: the summary, then each waiting file translated into the output folder.
    private func runDry(_ routes: RoutesFile, logger: Logger) throws {
        print(routes.summary(), terminator: "")
        let folder = output ?? NSTemporaryDirectory() + "claimsbridge-dry-run-\(getpid())"
        let outcomes = try WatchDryRun(configuration: routes.configuration, resources: routes.resources, logger: logger)
            .run(outputDirectory: folder)
        for outcome in outcomes {
            let counts = "\(outcome.translated) of \(outcome.messages) messages translated, \(outcome.rejected) rejected"
            if let failure = outcome.failure {
                print("\(outcome.route)/\(outcome.name): would go to error/: \(failure) (\(counts))")
            } else {
                let destinations = outcome.destinations.joined(separator: ", ")
                print("\(outcome.route)/\(outcome.name): \(counts); would be delivered to \(destinations)")
            }
        }
        print("dry run: \(outcomes.count) file\(outcomes.count == 1 ? "" : "s") translated into \(folder); nothing was taken, recorded or sent")
    }

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

    @Flag(
        help: """
            Check the routes file and its destinations as far as can be done without sending (folders exist and \
            are writable, secrets and key files readable), print a summary and exit; touch nothing.
            """)
    var check = false

    @Flag(
        help:
            "Translate the files now in the inboxes as the watcher would, without taking, recording or delivering them; then exit."
    )
    var dryRun = false

    @Option(help: "With --dry-run: the folder the translated results go to (default: a new temporary folder).")
    var output: String?

    @Flag(help: "Stop once every inbox is empty and every delivery is made (or given up).")
    var drain = false

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = common.makeLogger()
        let routes = try RoutesFile.load(path: config, common: common, logger: logger)
        if check {
            print(routes.summary(), terminator: "")
            let problems = routes.readinessProblems()
            for problem in problems { Files.printError("error: \(problem)") }
            let refuses = routes.configuration.refusesOpenPermissions
            let exposed = routes.configuration.openPermissionProblems()
            for problem in exposed { Files.printError("\(refuses ? "error" : "warning"): \(problem)") }
            if !problems.isEmpty || (refuses && !exposed.isEmpty) { throw ExitCode.failure }
            return
        }
        if dryRun {
            try runDry(routes, logger: logger)
            return
        }
        let watcher = routes.makeWatcher(logger: logger)
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

extension RoutesFile {
    /// What would stop the routes' destinations from taking a delivery now, each line naming the destination.
    fileprivate func readinessProblems() -> [String] {
        let used = Set(configuration.routes.flatMap(\.transports))
        return delivery.destinations.filter { used.contains($0.name) }.flatMap { destination in
            let problems = (transports[destination.name] as? any ReadinessChecking)?.readinessProblems() ?? []
            return problems.map { "destination \(destination.name) (\(destination.location)): \($0)" }
        }
    }
}
