import ClaimsBridge
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /v1/check?from=json|cdanet`: the carrier's rules, as `claimsbridge check --format json`, without
/// writing anything. Always 200 when the claims could be read: `refused` counts the claims a carrier would
/// reject and `refusals` gives each, with every problem and its CDAnet error code.
enum CheckRoutes {
    static func add(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        service.routes(on: router, endpoint: ServiceEndpoint.check, expensive: true)
            .post("/v1/check") { request, _ in try await check(request, service: service) }
    }

    static func check(_ request: Request, service: ServiceContext) async throws -> Response {
        let from = request.uri.queryParameters.get("from") ?? "json"
        guard from == "json" || from == "cdanet" else {
            throw Problem.badRequest("from must be json (model claims, one per line) or cdanet")
        }
        let body = try await ServiceBody.read(
            request, accepting: MediaTypes.accepted(for: from), limits: service.limits, deadlines: service.bodyDeadlines
        )
        var input = MemoryInput(body)
        var discard = CountingOutput()
        var refusals: [[UInt8]] = []
        let onReject: (RejectedMessage) throws -> Void = { refusals.append($0.jsonLine) }
        let summary: TranslationSummary
        if from == "json" {
            summary = try ModelWritePipeline(catalog: service.catalog, logger: service.logger)
                .run(input: &input, output: &discard, onReject: onReject)
        } else {
            summary = try CDAnetReadPipeline(catalog: service.catalog, logger: service.logger)
                .run(input: &input, output: &discard, onReject: onReject)
        }
        var out = Array(
            "{\"checked\":\(summary.messages),\"passed\":\(summary.translated),\"refused\":\(summary.rejected),\"refusals\":["
                .utf8)
        out += refusals.joined(separator: [UInt8(ascii: ",")])
        out += Array("]}\n".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}
