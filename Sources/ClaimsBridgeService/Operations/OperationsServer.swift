public import ClaimsBridgeWatcher
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
public import ServiceLifecycle

/// Serves `/metrics` (Prometheus text format) and `/healthz` for a running watcher, on Hummingbird (the
/// server stack `claimsbridge serve` uses too).
public struct OperationsServer: Service {
    let host: String
    let port: UInt16
    let watcher: Watcher
    let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - address: `host:port`, e.g. `127.0.0.1:9464`; port 0 lets the system choose.
    ///   - onListening: called with the port once the server listens.
    public init(address: String, watcher: Watcher, onListening: @escaping @Sendable (Int) async -> Void = { _ in })
        throws
    {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw ServiceError("the listen address must be host:port, e.g. 127.0.0.1:9464")
        }
        self.host = String(address[..<colon])
        self.port = port
        self.watcher = watcher
        self.onListening = onListening
    }

    public func run() async throws {
        let router = Router()
        let watcher = self.watcher
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: watcher.metrics.prometheusText())))
        }
        router.get("/healthz") { _, _ in
            let healthy = watcher.isHealthy
            return Response(
                status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(string: healthy ? "{\"status\":\"ok\"}\n" : "{\"status\":\"stalled\"}\n")))
        }
        let onListening = self.onListening
        let application = Application(
            router: router,
            configuration: .init(
                address: .hostname(host == "localhost" ? "127.0.0.1" : host, port: Int(port)), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "claimsbridge.operations", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await application.run()
    }
}
