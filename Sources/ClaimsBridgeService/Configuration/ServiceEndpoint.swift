/// The names clients are given access to in the service file (`endpoints: [translate, check]`), one per
/// capability, including those of route groups added through ``ServiceRouteProvider``.
public enum ServiceEndpoint {
    public static let translate = "translate"
    public static let check = "check"
    public static let claims = "claims"
    public static let labOrders = "lab-orders"
    public static let readiness = "readyz"
    public static let metrics = "metrics"
    public static let openAPI = "openapi"
    /// Claim submission and eligibility, served by the submission routes.
    public static let submit = "submit"
    public static let eligibility = "eligibility"

    /// Every name a client's `endpoints` may list.
    public static let known: Set<String> = [
        translate, check, claims, labOrders, readiness, metrics, openAPI, submit, eligibility,
    ]
}
