import ArgumentParser
import ClaimsBridge
import ClaimsBridgeService
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API: translate, check, claim chains, lab orders, health and metrics.",
        discussion: """
            The service file names the address to listen on, the TLS certificate and key (plain HTTP is served \
            on loopback only), the limits, the clients with their bearer tokens (env: or file: secrets) and \
            endpoints, and the routes file whose ledger, outbox and destinations the service uses. With --watch \
            (or `watch: true`) the routes file's watcher runs in the same process. SIGHUP reloads the TLS \
            certificate; SIGTERM or SIGINT stops gracefully. The API is described in Docs/serve.md and \
            Docs/openapi.yaml.
            """)

    @Option(help: "The service file (YAML).")
    var config: String

    @Flag(help: "Also run the watcher of the service file's routes file, as `claimsbridge watch` would.")
    var watch = false

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = common.makeLogger()
        let settings = try ServiceConfiguration.load(path: config)
        let routes = try RoutesFile.load(path: settings.routesFile, common: common, logger: logger)
        let mappings = try routes.configuration.mappingsDirectory ?? common.resolveMappings()
        let service = try ServiceContext(
            configuration: settings, mappingsDirectory: mappings,
            ledgerPath: routes.configuration.stateDirectory + "/ledger.sqlite", delivery: routes.delivery,
            transports: routes.transports, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: ClaimsBridgeServer(service: service) { port in
                    Files.printError(
                        "claimsbridge serve: listening on \(settings.tls == nil ? "http" : "https")://\(settings.host):\(port)"
                    )
                })
        ]
        if watch || settings.watch {
            let watcher = Watcher(
                configuration: routes.configuration, resources: routes.resources, transports: routes.transports,
                retryPolicy: routes.delivery.retryPolicy, leaseSeconds: routes.delivery.leaseSeconds, logger: logger)
            services.append(.init(service: WatchService(watcher: watcher, drain: false)))
        } else {
            services.append(.init(service: OutboxDelivery(service: service)))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(30)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
