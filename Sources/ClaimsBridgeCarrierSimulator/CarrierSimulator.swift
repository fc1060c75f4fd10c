public import ClaimsBridge
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore

/// A CDAnet carrier that runs on loopback: it answers claims, eligibility, predeterminations, reversals, COB
/// claims and mailbox requests from a plan table, for tests, demos and integrators.
///
/// It listens for `POST /cdanet` (or `POST /`) with one CDAnet request in the body, raw (any content type) or in the
/// base64-JSON envelope (`Content-Type: application/json`, `{"message": "<base64>"}`), and answers in the same
/// envelope with the carrier's CDAnet reply, built from model objects by the CDAnet writer. `GET /healthz` answers
/// 200 once it listens.
///
/// How it behaves — at once, slow, failing with HTTP 503, dropping the connection, or answering garbage — comes
/// from the request's `X-Simulator-Behaviour` header (with `X-Simulator-Delay-Seconds`), else the plan's
/// `behaviour`, else the table's.
///
/// ```swift
/// let simulator = CarrierSimulator(table: try PlanTable.load(path: "plans.yaml"), catalog: catalog)
/// try await simulator.withRunning { port in
///     // post to http://127.0.0.1:\(port)/cdanet
/// }
/// ```
public struct CarrierSimulator: Sendable {
    /// The request header that chooses a behaviour for one request: normal, slow, fail, drop or garbage.
    public static let behaviourHeader = "X-Simulator-Behaviour"
    /// The request header that sets how long a slow answer waits, in seconds.
    public static let delayHeader = "X-Simulator-Delay-Seconds"

    /// Answers requests; its memory (usage, paid claims, mailboxes) lasts as long as the simulator.
    public let responder: CarrierResponder
    /// Reads requests and writes replies.
    public let codec: ModelCodec
    /// The base64-JSON envelope's field.
    public var messageField = "message"
    /// The largest request body accepted, in bytes.
    public var bodyLimit = 16 << 20
    /// One line per request: transaction codes, behaviour, HTTP status; never message content.
    public var logger: Logger

    /// A simulator for `table`, reading and writing CDAnet with `catalog`.
    public init(
        table: PlanTable, catalog: CDAnetCatalog,
        logger: Logger = Logger(label: "claimsbridge.simulator", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        responder = CarrierResponder(table: table)
        codec = ModelCodec(catalog: catalog)
        self.logger = logger
    }

    /// Listens on `host:port` until the task is cancelled (or, with `handleSignals`, SIGTERM/SIGINT arrives).
    /// - Parameters:
    ///   - port: the TCP port; 0 picks a free one, reported to `onListening`.
    ///   - tls: HTTPS settings; nil serves plain HTTP (keep it on loopback).
    ///   - onListening: called with the port once the simulator accepts connections.
    /// - Throws: what the server throws: the address in use, unreadable TLS files.
    public func run(
        host: String = "127.0.0.1", port: Int = 0, tls: SimulatorTLS? = nil, handleSignals: Bool = false,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let router = Router()
        router.get("healthz") { _, _ in Response(status: .ok) }
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.respond(to: request)
        }
        router.post("/", use: handler)
        router.post("cdanet", use: handler)
        var server = HTTPServerBuilder.http1()
        if let tls { server = try .tls(.http1(), tlsConfiguration: tls.makeConfiguration()) }
        let app = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "claimsbridge-carrier-simulator"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) }, logger: logger)
        if handleSignals {
            try await app.runService()
        } else {
            try await app.runService(gracefulShutdownSignals: [])
        }
    }

    /// Runs the simulator on a free loopback port while `body` runs, then stops it.
    /// - Parameter body: given the port.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, or why the simulator could not start.
    public func withRunning<Result: Sendable>(
        tls: SimulatorTLS? = nil, _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await self.run(tls: tls) { continuation.yield($0) }
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw BridgeError(.invalidConfiguration, "the carrier simulator stopped before it listened")
            }
            defer { group.cancelAll() }
            return try await body(port)
        }
    }
}
