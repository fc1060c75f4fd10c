import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: gives each request its ID (the client's `X-Request-Id` when it is 1–128 safe
/// characters, otherwise a new UUID), puts it in every log line and in the response, turns any error into an
/// `application/problem+json` response, and logs one line per request with method, route, status and time —
/// never a query value, a header value or a body.
struct RequestIdentity: RouterMiddleware {
    typealias Context = ServiceRequestContext

    static let header = HTTPField.Name("X-Request-Id")!

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = request.headers[Self.header].flatMap { Self.isAcceptable($0) ? $0 : nil } ?? UUID().uuidString
        context.requestID = id
        context.logger[metadataKey: "request.id"] = "\(id)"
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status.code >= 500 {
                context.logger.error(
                    "request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            }
            response = problem.response(instance: request.uri.path, requestID: id)
        }
        response.headers[Self.header] = id
        let elapsed = ContinuousClock.now - started
        context.logger.info(
            "request",
            metadata: [
                "http.method": "\(request.method)", "http.route": "\(context.endpointPath ?? "-")",
                "http.status": "\(response.status.code)",
                "duration.ms":
                    "\(elapsed.components.attoseconds / 1_000_000_000_000_000 + elapsed.components.seconds * 1000)",
            ])
        return response
    }

    /// Letters, digits and `-_.:`, 1 to 128 of them: anything else could carry text into the logs.
    static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                    UInt8(ascii: ":"):
                    true
                default: false
                }
            }
    }
}
