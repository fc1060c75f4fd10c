import ClaimsBridge
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /v1/translate?from=…&to=…`: any direction `claimsbridge translate` knows, body in, body out.
///
/// Every message translated: 200 with the output. Some rejected: 200 `multipart/mixed` with two parts, the
/// output and the rejects (`application/x-ndjson`, one line per reject as `--errors` writes it). None
/// translated: 422 problem with the rejects. A translation that needs a mapping file or an orders file is not
/// served (400).
enum TranslateRoutes {
    static func add(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        service.routes(on: router, endpoint: ServiceEndpoint.translate, expensive: true)
            .post("/v1/translate") { request, _ in try await translate(request, service: service) }
    }

    static func translate(_ request: Request, service: ServiceContext) async throws -> Response {
        let translation = try requestedTranslation(request)
        let body = try await ServiceBody.read(
            request, accepting: MediaTypes.accepted(for: translation.from), limits: service.limits,
            deadlines: service.bodyDeadlines)
        var rejects: [[UInt8]] = []
        var firstReject: RejectedMessage?
        var output = MemoryOutput()
        let (summary, fileExtension) = try service.translations.withTranslation(translation) { prepared in
            var input = try LookaheadInput(MemoryInput(body))
            guard !input.isBlank else {
                throw Problem(BridgeError(.emptyInput, "the request body is empty: there is no message to translate"))
            }
            let summary = try prepared.run(input: &input, output: &output) { rejected in
                if firstReject == nil { firstReject = rejected }
                rejects.append(rejected.jsonLine)
            }
            return (summary, prepared.outputExtension)
        }
        let produced = MediaTypes.produced(for: translation.to, fileExtension: fileExtension)
        var headers: HTTPFields = [
            HTTPField.Name("ClaimsBridge-Messages")!: String(summary.messages),
            HTTPField.Name("ClaimsBridge-Rejected")!: String(summary.rejected),
        ]
        if summary.rejected == 0 {
            headers[.contentType] = produced
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: output.bytes)))
        }
        if summary.translated == 0, let firstReject {
            var problem = Problem(rejectedMessage: firstReject)
            problem.detail =
                "none of the \(summary.messages) message\(summary.messages == 1 ? "" : "s") could be translated; the first: "
                + problem.detail
            problem.rejects = rejects
            problem.headers = headers
            throw problem
        }
        let boundary = "claimsbridge-" + UUID().uuidString
        headers[.contentType] = "multipart/mixed; boundary=\(boundary)"
        var multipart = Multipart(boundary: boundary)
        multipart.append(name: "output", contentType: produced, output.bytes)
        multipart.append(
            name: "rejects", contentType: "application/x-ndjson",
            rejects.flatMap { $0 + [0x0A] })
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: multipart.finish())))
    }

    private static func requestedTranslation(_ request: Request) throws -> Translation {
        guard let from = request.uri.queryParameters.get("from"), let to = request.uri.queryParameters.get("to")
        else {
            throw Problem.badRequest(
                "name the translation with the query parameters from and to, e.g. ?from=cdanet&to=json")
        }
        guard let translation = TranslationRegistry.find(from: from, to: to) else {
            throw Problem.badRequest(
                "there is no translation from \(from) to \(to); the translations are: \(TranslationRegistry.choices)")
        }
        if translation.needsMappingFile || translation.needsOrders {
            throw Problem.badRequest(
                "translating \(translation) needs a mapping or orders file, which the service does not take over HTTP; use claimsbridge translate or a watch route"
            )
        }
        return translation
    }
}

extension Problem {
    /// A problem for a message that could not be translated: where (message number, byte offset, field) and why.
    init(rejectedMessage rejected: RejectedMessage) {
        self.init(rejected.error)
        var location = rejected.error.location
        location.file = nil
        if rejected.isLine {
            location.line = location.line ?? rejected.messageNumber
        } else {
            location.messageNumber = rejected.messageNumber
        }
        if location.byteOffset == nil { location.byteOffset = rejected.messageOffset }
        self.location = location
    }
}

/// A `multipart/mixed` body (RFC 2046) built part by part.
struct Multipart {
    let boundary: String
    private var bytes: [UInt8] = []

    init(boundary: String) { self.boundary = boundary }

    mutating func append(name: String, contentType: String, _ content: [UInt8]) {
        bytes += Array(
            "--\(boundary)\r\nContent-Disposition: attachment; name=\"\(name)\"\r\nContent-Type: \(contentType)\r\n\r\n"
                .utf8)
        bytes += content
        bytes += Array("\r\n".utf8)
    }

    func finish() -> [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }
}
