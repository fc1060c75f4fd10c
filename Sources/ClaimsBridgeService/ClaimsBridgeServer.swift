public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
public import ServiceLifecycle

/// The online API: translation, checks, claim chains, lab orders and the operations endpoints over HTTP(S),
/// on Hummingbird. Runs as a `Service`, so `claimsbridge serve` can run it in one `ServiceGroup` with the watcher.
///
/// ```swift
/// let service = try ServiceContext(configuration: configuration, mappingsDirectory: "Mappings", …)
/// let server = ClaimsBridgeServer(service: service, routeProviders: [SubmissionRoutes()])
/// try await server.run()
/// ```
public struct ClaimsBridgeServer: Service {
    public let service: ServiceContext
    let routeProviders: [any ServiceRouteProvider]
    let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - routeProviders: route groups added after the built-in ones.
    ///   - onListening: called with the port once the server listens (the port the system chose for port 0).
    public init(
        service: ServiceContext, routeProviders: [any ServiceRouteProvider] = [],
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.service = service
        self.routeProviders = routeProviders
        self.onListening = onListening
    }

    /// The router with every route: the built-in groups, then each provider's.
    public func makeRouter() -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.middlewares.add(RequestIdentity())
        OperationsRoutes.add(to: router, service: service)
        TranslateRoutes.add(to: router, service: service)
        CheckRoutes.add(to: router, service: service)
        ClaimRoutes.add(to: router, service: service)
        LabOrderRoutes.add(to: router, service: service)
        LabWebhookRoutes.add(to: router, service: service)
        InsurerCallbackRoutes.add(to: router, service: service)
        SubmissionRoutes.add(to: router, service: service)
        for provider in routeProviders { provider.addRoutes(to: router, service: service) }
        return router
    }

    /// Listens until graceful shutdown.
    /// - Throws: when the address cannot be bound or the TLS files cannot be read.
    public func run() async throws {
        let configuration = service.configuration
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .milliseconds(Int64(service.limits.idleTimeoutSeconds * 1000)))
        var server = HTTPServerBuilder.http1(configuration: http1)
        var services: [any Service] = [service.bodyDeadlines]
        if let files = configuration.tls {
            let reloader = try TLSCertificateReloader(files: files, logger: service.logger)
            server = try .tls(.http1(configuration: http1), tlsConfiguration: reloader.configuration())
            services.append(reloader)
        } else if !configuration.isLoopback {
            throw ServiceError(
                "plain HTTP is served on a loopback address only; configure `tls:` to listen on \(configuration.host)")
        }
        let onListening = self.onListening
        let application = Application(
            router: makeRouter(), server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: service.logger)
        try await application.run()
    }
}
