import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/healthz` (the process answers; no token), `/readyz` (the ledger and the outbox can be read), `/metrics`
/// (Prometheus text) and `/openapi.yaml` (the contract).
enum OperationsRoutes {
    static func add(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        service.routes(on: router, endpoint: "healthz", requiresToken: false)
            .get("/healthz") { _, _ in json(.ok, "{\"status\":\"ok\"}\n") }
        service.routes(on: router, endpoint: ServiceEndpoint.readiness)
            .get("/readyz") { _, _ in readiness(service) }
        service.routes(on: router, endpoint: ServiceEndpoint.metrics)
            .get("/metrics") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: service.metrics.prometheusText())))
            }
        service.routes(on: router, endpoint: ServiceEndpoint.openAPI)
            .get("/openapi.yaml") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/yaml"],
                    body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text + "\n")))
            }
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 200 when both stores answer; 503 naming the one that does not.
    static func readiness(_ service: ServiceContext) -> Response {
        var failures: [String] = []
        do {
            if service.ledgerLocation.exists {
                _ = try Ledger(location: service.ledgerLocation).countsByState()
            } else {
                let folder = (service.ledgerPath as NSString).deletingLastPathComponent
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue {
                    if !FileManager.default.isWritableFile(atPath: folder) { failures.append("ledger") }
                } else if !FileManager.default.isWritableFile(
                    atPath: (folder as NSString).deletingLastPathComponent)
                {
                    failures.append("ledger")
                }
            }
        } catch {
            failures.append("ledger")
        }
        do {
            // A connection of its own, so that a file replaced or damaged since the start is seen.
            _ = try Outbox(store: service.delivery.outboxStore).counts()
        } catch {
            failures.append("outbox")
        }
        let checks = ["ledger", "outbox"].map { "\"\($0)\":\"\(failures.contains($0) ? "unreachable" : "ok")\"" }
        let status = failures.isEmpty ? "ready" : "unready"
        return json(
            failures.isEmpty ? .ok : .serviceUnavailable,
            "{\"status\":\"\(status)\",\"checks\":{\(checks.joined(separator: ","))}}\n")
    }
}
