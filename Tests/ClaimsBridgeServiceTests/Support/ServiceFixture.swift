import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Testing

@testable import ClaimsBridgeService

/// A scratch folder with a service file, a routes file (claims out as CDAnet, carrier replies in), a delivery
/// file (folders for the carrier, the practice and a lab) and two clients' tokens; and the server run over it on
/// a port the system picks.
struct ServiceFixture {
    static let fullToken = "full-access-token-0123456789"
    static let translatorToken = "translate-only-token-9876543210"

    let root: String
    let configuration: ServiceConfiguration
    let delivery: DeliveryConfiguration
    let routes: WatchConfiguration

    /// - Parameters:
    ///   - serviceYAML: lines added to the service file (limits, tls).
    ///   - destinationsYAML: destinations added to the delivery file (indented by two spaces).
    ///   - engine: where the outbox and the ledger are: SQLite files of the state folder, or a new database of the
    ///     test PostgreSQL server (`store:`).
    init(serviceYAML: String = "", destinationsYAML: String = "", engine: StorageEngine = .sqlite) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)").path
        for folder in ["inbox/claims", "inbox/replies", "out/carrier", "out/practice", "out/lab", "secrets"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try Self.fullToken.write(toFile: root + "/secrets/full.token", atomically: true, encoding: .utf8)
        try (Self.translatorToken + "\n").write(
            toFile: root + "/secrets/translator.token", atomically: true, encoding: .utf8)
        try """
        \(try engine.deliveryStoreLines(outboxOptions: "initialDelaySeconds: 1"))
        destinations:
          carrier: {type: folder, directory: out/carrier, namePattern: "{name}-{key}"}
          practice: {type: folder, directory: out/practice, namePattern: "{name}-{key}"}
          lab: {type: folder, directory: out/lab, namePattern: "{key}.json"}
        \(destinationsYAML)
        """.write(toFile: root + "/delivery.yaml", atomically: true, encoding: .utf8)
        try """
        state: state
        delivery: delivery.yaml
        mappings: \(Fixtures.mappings.path)
        routes:
          - {name: outgoing-claims, inbox: inbox/claims, pattern: "*.jsonl", stableSeconds: 0, from: json, to: cdanet, deliver: [carrier]}
          - {name: carrier-replies, inbox: inbox/replies, pattern: "*.txt", stableSeconds: 0, from: cdanet, to: json, deliver: [practice]}

        """.write(toFile: root + "/routes.yaml", atomically: true, encoding: .utf8)
        try """
        listen: 127.0.0.1:0
        routes: routes.yaml
        labs: {example-rest: lab}
        clients:
          - {name: practice-platform, token: "file:secrets/full.token", endpoints: ["*"]}
          - {name: translator, token: "file:\(root)/secrets/translator.token", endpoints: [translate]}
        \(serviceYAML)
        """.write(toFile: root + "/service.yaml", atomically: true, encoding: .utf8)
        configuration = try ServiceConfiguration.load(path: root + "/service.yaml")
        delivery = try DeliveryConfiguration.load(path: root + "/delivery.yaml")
        // As `serve` and `watch` load them: with the outbox and the store the delivery configuration names.
        var routes = try WatchConfiguration.load(
            path: root + "/routes.yaml", knownTransports: ["carrier", "practice", "lab"])
        routes.outboxPath = delivery.outboxPath
        routes.outboxStore = delivery.postgreSQL.map { .postgreSQL($0) }
        self.routes = routes
    }

    /// Where the service and the watcher keep the ledger: `ledger.sqlite` in the state folder, or the PostgreSQL store.
    var ledgerLocation: LedgerLocation { routes.ledgerLocation }

    /// The ledger the service and the watcher write.
    func ledger() throws -> Ledger { try Ledger(location: ledgerLocation) }

    /// The outbox the service queues in: the SQLite file or the PostgreSQL store.
    func outbox() throws -> Outbox { try Outbox(store: delivery.outboxStore) }

    func makeContext() throws -> ServiceContext {
        try ServiceContext(
            configuration: configuration, mappingsDirectory: Fixtures.mappings.path,
            ledgerPath: routes.stateDirectory + "/ledger.sqlite", delivery: delivery,
            transports: try delivery.makeTransports())
    }

    /// Runs the server while `body` runs, then stops it.
    func withServer<Result: Sendable>(
        routeProviders: [any ServiceRouteProvider] = [], _ body: (ServiceClientSession) async throws -> Result
    ) async throws -> Result {
        let context = try makeContext()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = ClaimsBridgeServer(service: context, routeProviders: routeProviders) { continuation.yield($0) }
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                throw LoopbackHTTP.Failure(description: "the server did not start")
            }
            do {
                let result = try await body(ServiceClientSession(port: port, context: context))
                tasks.cancelAll()
                return result
            } catch {
                tasks.cancelAll()
                throw error
            }
        }
    }
}

/// Requests to a running server; every reply is checked against Docs/openapi.yaml.
struct ServiceClientSession: Sendable {
    let port: Int
    let context: ServiceContext

    func send(
        _ method: String, _ path: String, token: String? = ServiceFixture.fullToken, contentType: String? = nil,
        headers: [String: String] = [:], body: [UInt8]? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> HTTPReply {
        var headers = headers
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if let contentType { headers["Content-Type"] = contentType }
        let reply = try await LoopbackHTTP.request(port: port, method: method, path: path, headers: headers, body: body)
        for problem in try OpenAPIContract.shared.problems(with: reply, method: method, path: path) {
            Issue.record("\(method) \(path): \(problem)", sourceLocation: sourceLocation)
        }
        return reply
    }
}
