public import ClaimsBridge
public import ClaimsBridgeTransports
public import ClaimsBridgeWatcher
import Foundation
public import Logging
import Synchronization

/// What every route shares: the configuration, the clients, the mappings, the prepared translations, the
/// ledger and outbox, and the metrics. Route groups added from elsewhere (``ServiceRouteProvider``) get it too.
public final class ServiceContext: Sendable {
    public let configuration: ServiceConfiguration
    public let limits: ServiceLimits
    /// The folder of layouts and mappings.
    public let mappingsDirectory: String
    /// The CDAnet layouts and mappings, loaded once.
    public let catalog: CDAnetCatalog
    /// The ledger file (`<state>/ledger.sqlite`) of the routes file.
    public let ledgerPath: String
    /// Where the ledger lives: the file ``ledgerPath``, or the PostgreSQL store the delivery configuration's
    /// `store:` names (there the numbers `serve` gives come from the store's counters, shared with every worker).
    public let ledgerLocation: LedgerLocation
    /// The outbox file of the delivery configuration.
    public let outboxPath: String
    /// A transport for each destination of the delivery configuration.
    public let transports: [String: any Transport]
    public let delivery: DeliveryConfiguration
    public let metrics = ServiceMetrics()
    let bodyDeadlines = BodyDeadlines()
    public let logger: Logger
    let authenticator: ClientAuthenticator
    let translations: TranslationPool
    /// Used only under `outboxLock`.
    private nonisolated(unsafe) let outbox: Outbox
    private let outboxLock = Mutex(())
    private let slots = Mutex<[String: EndpointSlots]>([:])

    /// Loads the mappings and the delivery configuration, reads every client's token, and opens the outbox.
    /// - Throws: `BridgeError` or `TransportError` naming the file or secret that cannot be read.
    public init(
        configuration: ServiceConfiguration, mappingsDirectory: String, ledgerPath: String,
        delivery: DeliveryConfiguration, transports: [String: any Transport],
        logger: Logger = Logger(label: "claimsbridge.serve", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.configuration = configuration
        self.limits = configuration.limits
        self.mappingsDirectory = mappingsDirectory
        let catalog = try CDAnetCatalog(directory: mappingsDirectory + "/cdanet")
        self.catalog = catalog
        self.ledgerPath = ledgerPath
        ledgerLocation = delivery.postgreSQL.map { .postgreSQL($0) } ?? .sqlite(path: ledgerPath)
        self.outboxPath = delivery.outboxPath
        self.delivery = delivery
        self.transports = transports
        self.logger = logger
        authenticator = try ClientAuthenticator(clients: configuration.clients)
        translations = TranslationPool(
            mappingsDirectory: mappingsDirectory, catalog: catalog,
            keep: configuration.limits.concurrentRequestsPerEndpoint)
        for (carrier, destination) in configuration.carriers where transports[destination] == nil {
            throw BridgeError(
                .invalidConfiguration,
                "carrier \(carrier) is exchanged with `\(destination)`, which the delivery configuration \(delivery.file) does not define",
                at: .init(file: configuration.file))
        }
        for (lab, destination) in configuration.labs where transports[destination] == nil {
            throw BridgeError(
                .invalidConfiguration,
                "lab \(lab) is delivered to `\(destination)`, which the delivery configuration \(delivery.file) does not define",
                at: .init(file: configuration.file))
        }
        if delivery.postgreSQL == nil {
            try FileManager.default.createDirectory(
                atPath: (delivery.outboxPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        outbox = try Outbox(
            store: delivery.outboxStore, retryPolicy: delivery.retryPolicy, leaseSeconds: delivery.leaseSeconds,
            cipher: try delivery.payloadCipher())
    }

    /// How many requests hold a slot of an expensive endpoint now.
    func slotsInUse(_ endpoint: String) -> Int { slots.withLock { $0[endpoint]?.inUse ?? 0 } }

    /// Runs `body` with the outbox, one request at a time.
    public func withOutbox<Result>(_ body: (Outbox) throws -> Result) throws -> Result {
        try outboxLock.withLock { _ in try body(outbox) }
    }

    /// The guard of an endpoint: its bearer-token check, its request cap when `expensive`, its metrics.
    func endpointGuard(_ endpoint: String, requiresToken: Bool = true, expensive: Bool = false) -> EndpointGuard {
        let cap: EndpointSlots? =
            expensive
            ? slots.withLock { slots in
                if let existing = slots[endpoint] { return existing }
                let made = EndpointSlots(capacity: limits.concurrentRequestsPerEndpoint)
                slots[endpoint] = made
                return made
            } : nil
        return EndpointGuard(endpoint: endpoint, requiresToken: requiresToken, slots: cap, service: self)
    }
}
