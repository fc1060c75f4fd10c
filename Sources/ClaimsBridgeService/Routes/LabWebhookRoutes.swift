import ClaimsBridge
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /v1/webhooks/labs/{lab}`: a lab's status webhook. The Standard Webhooks signature is checked with the
/// lab's secrets (`labWebhooks:` in the service file) before anything in the body is read; a request that does not
/// verify is refused with 401. The messages are then translated through the lab's status mapping and applied to
/// the ledger's lab orders (see `Docs/status.md`): the same delivery twice changes nothing, and an update for
/// an order the ledger does not know is refused and kept in its history. No bearer token: the signature is the
/// lab's credential.
enum LabWebhookRoutes {
    static let endpoint = "lab-webhooks"

    static func add(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        service.routes(on: router, endpoint: endpoint, requiresToken: false, expensive: true)
            .post("/v1/webhooks/labs/:lab") { request, context in try await receive(request, context, service) }
    }

    static func receive(
        _ request: Request, _ context: ServiceRequestContext, _ service: ServiceContext
    ) async throws -> Response {
        let lab = try context.parameters.require("lab")
        guard let settings = service.configuration.labWebhooks[lab] else {
            throw Problem.notFound("no webhook is configured for lab \(lab)")
        }
        let body = try await ServiceBody.read(
            request, accepting: MediaTypes.json + MediaTypes.xml, limits: service.limits,
            deadlines: service.bodyDeadlines)
        var secrets: [String] = []
        for secret in settings.secrets {
            guard let value = try? secret.resolve() else { continue }
            secrets.append(value)
        }
        guard let verifier = try? WebhookVerifier(secrets: secrets, toleranceSeconds: settings.toleranceSeconds) else {
            throw Problem(.serviceUnavailable, code: "webhookSecretUnavailable", "the webhook secret for lab \(lab) cannot be read")
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let deliveryID: String
        do {
            deliveryID = try verifier.verify(payload: body, headers: headers)
        } catch {
            throw Problem(.unauthorized, code: "badSignature", "the webhook does not verify: \(error.reason)")
        }
        let partner: LabPartner
        do { partner = try LabPartner(name: lab, mappings: service.mappingsDirectory) } catch {
            throw Problem(.notFound, code: "unknownLab", "there is no lab named \(lab)")
        }
        let result = try LabStatusIntake(lab: partner, logger: service.logger).apply(
            body, ledger: try Ledger(location: service.ledgerLocation))
        var out = Array("{\"webhookId\":".utf8)
        appendString(deliveryID, to: &out)
        let applied = result.transitions.filter { $0.outcome == .applied }.count
        out += Array(",\"applied\":\(applied),\"transitions\":[".utf8)
        for (index, transition) in result.transitions.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"orderId\":".utf8)
            appendString(transition.key, to: &out)
            out += Array(",\"to\":".utf8)
            appendString(transition.to, to: &out)
            out += Array(",\"outcome\":\"\(transition.outcome.rawValue)\"".utf8)
            if let reason = transition.reason {
                out += Array(",\"reason\":".utf8)
                appendString(reason, to: &out)
            }
            out += Array("}".utf8)
        }
        out += Array("],\"rejects\":[".utf8)
        for (index, reject) in result.rejects.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"messageNumber\":\(reject.messageNumber),\"code\":".utf8)
            appendString(reject.error.code.name, to: &out)
            out += Array(",\"reason\":".utf8)
            appendString(BridgeError.bounded(reject.error.reason, to: 300), to: &out)
            out += Array("}".utf8)
        }
        out += Array("]}\n".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}
