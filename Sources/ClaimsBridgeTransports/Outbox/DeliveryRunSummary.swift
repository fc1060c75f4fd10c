/// What one ``Outbox/deliverDue(transports:now:limit:concurrency:)`` call did.
public struct DeliveryRunSummary: Sendable, Hashable {
    /// Deliveries the receiver acknowledged.
    public var delivered: [DeliveryID] = []
    /// Deliveries that failed and will be retried later.
    public var retrying: [DeliveryID] = []
    /// Deliveries that failed permanently or too often.
    public var dead: [DeliveryID] = []

    /// How many deliveries were attempted.
    public var attempted: Int { delivered.count + retrying.count + dead.count }

    /// An empty summary.
    public init() {}
}
