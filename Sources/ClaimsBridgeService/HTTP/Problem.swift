public import ClaimsBridge
import ClaimsBridgeStorage
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An error answered as `application/problem+json` (RFC 9457), carrying the diagnostics the command line prints:
/// the error code, the clerk's sentence, and where (message number, line, byte offset, field ID, model path),
/// with every carrier problem and its CDAnet error code. It never carries an input value.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A short, stable name (`invalidDate`, `unauthorized`), also the last part of `type`.
    public var code: String
    public var title: String
    /// What went wrong, in a billing clerk's words.
    public var detail: String
    public var location: BridgeError.Location?
    public var problems: [CarrierProblem] = []
    /// For a translation where no message could be translated: each reject as the `--errors` file has it.
    public var rejects: [[UInt8]] = []
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ detail: String, title: String? = nil) {
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title ?? status.reasonPhrase
    }

    /// A problem made from a translation error: 422 with its code, location and carrier problems.
    public init(_ error: BridgeError, status: HTTPResponse.Status = .unprocessableContent) {
        self.init(status, code: error.code.name, BridgeError.bounded(error.reason, to: BridgeError.maximumReasonLength))
        location = error.location
        location?.file = nil
        problems = error.problems
    }

    /// The media type of every problem.
    public static let mediaType = "application/problem+json"

    /// The body: `type`, `title`, `status`, `detail`, `instance`, `requestId`, then the diagnostics known.
    func body(instance: String, requestID: String) -> [UInt8] {
        var out: [UInt8] = Array("{\"type\":".utf8)
        JSONWriter.appendString(Array("urn:claimsbridge:problem:\(code)".utf8)[...], to: &out)
        func member(_ key: String, _ value: String) {
            out += Array(",\"\(key)\":".utf8)
            JSONWriter.appendString(Array(value.utf8)[...], to: &out)
        }
        member("title", title)
        out += Array(",\"status\":\(status.code)".utf8)
        member("detail", detail)
        member("instance", instance)
        member("requestId", requestID)
        member("code", code)
        if let location {
            if let number = location.messageNumber { out += Array(",\"messageNumber\":\(number)".utf8) }
            if let line = location.line { out += Array(",\"line\":\(line)".utf8) }
            if let offset = location.byteOffset { out += Array(",\"byteOffset\":\(offset)".utf8) }
            if let id = location.fieldID { member("fieldId", id) }
            if let name = location.fieldName { member("fieldName", name) }
            if let path = location.modelPath { member("modelPath", path) }
        }
        if let first = problems.first(where: { !$0.cdanetCode.isEmpty }) { member("cdanetCode", first.cdanetCode) }
        out += Array(",\"problems\":[".utf8)
        out += problems.map(\.json).joined(separator: [UInt8(ascii: ",")])
        out += Array("]".utf8)
        if !rejects.isEmpty {
            out += Array(",\"rejects\":[".utf8)
            out += rejects.joined(separator: [UInt8(ascii: ",")])
            out += Array("]".utf8)
        }
        out += Array("}\n".utf8)
        return out
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? ServiceRequestContext)?.requestID ?? ""
        return response(instance: request.uri.path, requestID: requestID)
    }

    /// The problem as a response.
    func response(instance: String, requestID: String) -> Response {
        var fields = headers
        fields[.contentType] = Self.mediaType
        return Response(
            status: status, headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: body(instance: instance, requestID: requestID))))
    }
}

extension Problem {
    static func unauthorized(_ detail: String) -> Problem {
        var problem = Problem(.unauthorized, code: "unauthorized", detail)
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"claimsbridge\""
        return problem
    }

    static func forbidden(_ detail: String) -> Problem { Problem(.forbidden, code: "forbidden", detail) }

    static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, code: "badRequest", detail) }

    static func notFound(_ detail: String) -> Problem { Problem(.notFound, code: "notFound", detail) }

    static func busy(retryAfter seconds: Int, endpoint: String) -> Problem {
        var problem = Problem(
            .serviceUnavailable, code: "busy",
            "the \(endpoint) endpoint is already handling as many requests as it is allowed; try again in \(seconds) s")
        problem.headers[.retryAfter] = String(seconds)
        return problem
    }

    /// How long a client is asked to wait when the database is busy or out of reach.
    static let storeRetryAfterSeconds = 5

    /// A 503 for a database that cannot take the request now: every connection the process may open is in use
    /// (`poolExhausted`), or the server cannot be reached or dropped the connection (retryable errors). The text
    /// names neither the server nor the statement.
    static func storeUnavailable(_ error: PostgreSQLError) -> Problem {
        let seconds = storeRetryAfterSeconds
        var problem =
            error.code == .poolExhausted
            ? Problem(
                .serviceUnavailable, code: "storeBusy",
                "every database connection this service may open is in use; try again in \(seconds) s")
            : Problem(
                .serviceUnavailable, code: "storeUnavailable",
                "the service cannot reach its database just now; try again in \(seconds) s")
        problem.headers[.retryAfter] = String(seconds)
        return problem
    }

    /// A problem for an error thrown anywhere: a ``Problem`` as is, a ``BridgeError`` as 422, a database that is busy
    /// or out of reach as 503 with `Retry-After`, Hummingbird's own errors with their status, anything else as 500
    /// without its text (it might hold a value).
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case let bridge as BridgeError: return Problem(bridge)
        case let storage as PostgreSQLError where storage.isRetryable || storage.code == .poolExhausted:
            return storeUnavailable(storage)
        case let http as HTTPError:
            var problem = Problem(http.status, code: Self.code(for: http.status), Self.sentence(for: http.status))
            if let retry = http.headers[.retryAfter] { problem.headers[.retryAfter] = retry }
            return problem
        case let response as any HTTPResponseError:
            return Problem(response.status, code: Self.code(for: response.status), Self.sentence(for: response.status))
        default:
            return Problem(
                .internalServerError, code: "internal",
                "the service failed while handling this request; the request ID in the log says where")
        }
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "badRequest"
        case 404: "notFound"
        case 405: "methodNotAllowed"
        case 408: "requestTimeout"
        case 413: "contentTooLarge"
        case 415: "unsupportedMediaType"
        default: "http\(status.code)"
        }
    }

    private static func sentence(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "there is no such endpoint; see /openapi.yaml"
        case 405: "this endpoint does not take that method; see /openapi.yaml"
        case 413: "the request body is larger than the service accepts"
        default: status.reasonPhrase
        }
    }
}
