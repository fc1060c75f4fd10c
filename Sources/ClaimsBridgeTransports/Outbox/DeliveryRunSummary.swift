/// What one ``Outbox/deliverDue(transports:now:limit:concurrency:)`` call did.
public struct DeliveryRunSummary: Sendable, Hashable {
    /// Deliveries the receiver acknowledged.
    public var delivered: [DeliveryID] = []
    /// Deliveries that failed and will be retried later.
    public var retrying: [DeliveryID] = []
    /// Deliveries that failed permanently or too often.
    public var dead: [DeliveryID] = []
    /// Deliveries whose lease another sender took over before their outcome came back; the outcome was not
    /// recorded (the other sender's is).
    public var lostLease: [DeliveryID] = []

    /// How many deliveries were attempted.
    public var attempted: Int { delivered.count + retrying.count + dead.count + lostLease.count }

    /// An empty summary.
    public init() {}
}
