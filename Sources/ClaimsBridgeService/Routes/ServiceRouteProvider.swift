public import Hummingbird

/// A group of routes added to the service's router from another file or module (claim submission and
/// eligibility are added this way). Give each route its guard with ``ServiceContext/routes(on:endpoint:expensive:)``
/// so that it has the bearer-token check, the request cap and its metrics like the built-in ones:
///
/// ```swift
/// struct SubmissionRoutes: ServiceRouteProvider {
///     func addRoutes(to router: Router<ServiceRequestContext>, service: ServiceContext) {
///         service.routes(on: router, endpoint: ServiceEndpoint.submit, expensive: true)
///             .post("/v1/claims") { request, context in … }
///     }
/// }
/// let server = try ClaimsBridgeServer(service: service, routeProviders: [SubmissionRoutes()])
/// ```
public protocol ServiceRouteProvider: Sendable {
    /// Adds the group's routes to `router`.
    func addRoutes(to router: Router<ServiceRequestContext>, service: ServiceContext)
}

extension ServiceContext {
    /// A group of `router` whose routes are guarded as `endpoint`: a bearer token allowed that endpoint (unless
    /// `requiresToken` is false), and, when `expensive`, at most ``ServiceLimits/concurrentRequestsPerEndpoint``
    /// requests at once.
    public func routes(
        on router: Router<ServiceRequestContext>, endpoint: String, requiresToken: Bool = true, expensive: Bool = false
    ) -> RouterGroup<ServiceRequestContext> {
        router.group().add(middleware: endpointGuard(endpoint, requiresToken: requiresToken, expensive: expensive))
    }
}
