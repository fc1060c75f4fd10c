import FlyingFox
import FlyingSocks
import Foundation
import Synchronization
public import ServiceLifecycle

/// Serves `/metrics` (Prometheus text format) and `/healthz` for a running watcher.
public struct OperationsServer: Service {
    let host: String
    let port: UInt16
    let watcher: Watcher

    /// - Parameter address: `host:port`, e.g. `127.0.0.1:9464`.
    public init(address: String, watcher: Watcher) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw WatchError("the listen address must be host:port, e.g. 127.0.0.1:9464")
        }
        self.host = String(address[..<colon])
        self.port = port
        self.watcher = watcher
    }

    public func run() async throws {
        let server = HTTPServer(
            address: try .inet(ip4: host == "localhost" ? "127.0.0.1" : host, port: port), logger: .disabled)
        let watcher = self.watcher
        await server.appendRoute("GET /metrics") { _ in
            HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: Data(watcher.metrics.prometheusText().utf8))
        }
        await server.appendRoute("GET /healthz") { _ in
            let healthy = watcher.isHealthy
            return HTTPResponse(
                statusCode: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: Data((healthy ? "{\"status\":\"ok\"}\n" : "{\"status\":\"stalled\"}\n").utf8))
        }
        let stopping = Mutex(false)
        do {
            try await withGracefulShutdownHandler {
                try await server.run()
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
                Task { await server.stop(timeout: 1) }
            }
        } catch where stopping.withLock({ $0 }) {
            // Stopping closes the listening socket, which the server reports as an error.
        }
    }
}
