import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// What stands in front of each endpoint: the bearer token (401 without a known one, 403 when the client is
/// not given this endpoint), the cap on requests running at once (503 with `Retry-After`), and the endpoint's
/// request count and latency.
struct EndpointGuard: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let endpoint: String
    let requiresToken: Bool
    /// Nil: no cap.
    let slots: EndpointSlots?
    let service: ServiceContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        service.metrics.started()
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            service.metrics.finished(endpoint: endpoint, status: status, seconds: seconds)
        }
        do {
            let response = try await guarded(request, context: context, next: next)
            status = response.status.code
            return response
        } catch {
            status = Problem.from(error).status.code
            throw error
        }
    }

    private func guarded(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if requiresToken {
            switch service.authenticator.authenticate(
                authorization: request.headers[.authorization], endpoint: endpoint)
            {
            case .missing:
                throw Problem.unauthorized("this endpoint needs a bearer token: Authorization: Bearer <token>")
            case .unknown:
                throw Problem.unauthorized("the bearer token is not one the service knows")
            case .known(let name, let allowed):
                context.clientName = name
                context.logger[metadataKey: "client"] = "\(name)"
                guard allowed else {
                    throw Problem.forbidden("client \(name) is not allowed to use the \(endpoint) endpoint")
                }
            }
        }
        guard let slots else { return try await next(request, context) }
        guard slots.take() else {
            throw Problem.busy(retryAfter: service.limits.retryAfterSeconds, endpoint: endpoint)
        }
        defer { slots.give() }
        return try await next(request, context)
    }
}

/// A count of requests an endpoint is running, bounded.
final class EndpointSlots: Sendable {
    private let used = Mutex(0)
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Takes a slot; false when all are in use.
    func take() -> Bool {
        used.withLock { used in
            guard used < capacity else { return false }
            used += 1
            return true
        }
    }

    func give() { used.withLock { $0 -= 1 } }

    /// How many slots are taken now.
    var inUse: Int { used.withLock { $0 } }
}
