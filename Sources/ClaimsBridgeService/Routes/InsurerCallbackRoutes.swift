import ClaimsBridge
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /v1/webhooks/insurers/{insurer}`: an insurer's claim status callback. The signature is checked with the
/// insurer's secrets (`insurerCallbacks:` in the service file), Standard Webhooks or an HMAC header as configured,
/// before anything in the body is read; a request that does not verify is refused with 401. The updates are then
/// translated through the insurer's status mapping and applied to the ledger's claims (Docs/status.md): the
/// same update twice changes nothing, and an update for a claim the ledger does not know is refused, kept in its
/// history and reported. No bearer token: the signature is the insurer's credential.
enum InsurerCallbackRoutes {
    static let endpoint = "insurer-callbacks"

    static func add(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        service.routes(on: router, endpoint: endpoint, requiresToken: false, expensive: true)
            .post("/v1/webhooks/insurers/:insurer") { request, context in try await receive(request, context, service) }
    }

    static func receive(
        _ request: Request, _ context: ServiceRequestContext, _ service: ServiceContext
    ) async throws -> Response {
        let insurer = try context.parameters.require("insurer")
        guard let settings = service.configuration.insurerCallbacks[insurer] else {
            throw Problem.notFound("no callback is configured for insurer \(insurer)")
        }
        let body = try await ServiceBody.read(
            request, accepting: MediaTypes.json, limits: service.limits, deadlines: service.bodyDeadlines)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let deliveryID = try verify(body, headers: headers, settings: settings, insurer: insurer)
        let result: InsurerStatusIntake.Result
        do {
            result = try InsurerStatusIntake(insurer: insurer, statuses: settings.statuses).apply(
                body, deliveryID: deliveryID, ledger: try Ledger(location: service.ledgerLocation))
        } catch let error as BridgeError where error.code == .invalidJSON {
            throw Problem(.badRequest, code: "invalidJSON", error.reason)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: answer(result, deliveryID: deliveryID))))
    }

    /// Checks the signature; returns the delivery's id (`webhook-id`, or a digest of the body for HMAC headers).
    private static func verify(
        _ body: [UInt8], headers: [String: String], settings: InsurerCallback, insurer: String
    ) throws -> String {
        var secrets: [String] = []
        for secret in settings.secrets {
            guard let value = try? secret.resolve() else { continue }
            secrets.append(value)
        }
        let unavailable = Problem(
            .serviceUnavailable, code: "webhookSecretUnavailable", "the callback secret for insurer \(insurer) cannot be read")
        do {
            switch settings.signature {
            case .standardWebhooks:
                guard let verifier = try? WebhookVerifier(secrets: secrets, toleranceSeconds: settings.toleranceSeconds)
                else { throw unavailable }
                return try verifier.verify(payload: body, headers: headers)
            case .hmac(let header, let encoding, let prefix, let timestampHeader):
                guard
                    let verifier = try? HMACHeaderVerifier(
                        secrets: secrets, signatureHeader: header, encoding: encoding, prefix: prefix,
                        timestampHeader: timestampHeader, toleranceSeconds: settings.toleranceSeconds)
                else { throw unavailable }
                try verifier.verify(payload: body, headers: headers)
                return "sha256:" + ContentDigest.sha256(body)
            }
        } catch let error as WebhookVerificationError {
            throw Problem(.unauthorized, code: "badSignature", "the callback does not verify: \(error.reason)")
        }
    }

    private static func answer(_ result: InsurerStatusIntake.Result, deliveryID: String) -> [UInt8] {
        var out = Array("{\"webhookId\":".utf8)
        appendString(deliveryID, to: &out)
        let applied = result.transitions.filter { $0.outcome == .applied }.count
        out += Array(",\"applied\":\(applied),\"transitions\":[".utf8)
        for (index, transition) in result.transitions.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"claimKey\":".utf8)
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
        out += Array("],\"unknownClaims\":[".utf8)
        for (index, unknown) in result.unknownClaims.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"update\":\(unknown.update)".utf8)
            for key in ["carrierId", "officeSequenceNumber", "providerNumber"] {
                out += Array(",\"\(key)\":".utf8)
                appendString(unknown.subject[key] ?? "", to: &out)
            }
            out += Array("}".utf8)
        }
        out += Array("],\"rejects\":[".utf8)
        for (index, reject) in result.rejects.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"update\":\(reject.update),\"field\":".utf8)
            appendString(reject.field, to: &out)
            out += Array(",\"reason\":".utf8)
            appendString(BridgeError.bounded(reject.reason, to: 300), to: &out)
            out += Array("}".utf8)
        }
        out += Array("]}\n".utf8)
        return out
    }
}
