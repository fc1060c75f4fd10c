public import Hummingbird
public import Logging

/// The per-request context of the service's routes: the request ID, the client the bearer token names, and
/// the bodies are read through ``ServiceBody`` with the service's own limits.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-Id` the client sent (when well formed) or one made for the request; echoed in the response
    /// and in every log line.
    public var requestID: String = ""
    /// The authenticated client's name (nil before authentication and on /healthz).
    public var clientName: String?

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
