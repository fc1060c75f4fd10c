/// One status transition of a lab order, as a lab reports it: JSON type `labOrderStatus`.
///
/// ```json
/// {"schemaVersion":1,"type":"labOrderStatus","orderId":"LO-1001","from":"accepted","to":"inProduction",
///  "timestamp":"2026-03-04T13:20:00Z","note":"milling started"}
/// ```
public struct LabOrderStatusChange: Sendable, Hashable, Codable {
    /// The JSON `type`.
    public static let typeName = "labOrderStatus"

    /// The order the change is for.
    public var orderId: String
    /// The state before.
    public var from: LabOrderState
    /// The state after.
    public var to: LabOrderState
    /// When it happened, in UTC.
    public var timestamp: UTCTimestamp
    /// The lab's words about it (a hold reason, a tracking note).
    public var note: String?

    /// A status change.
    public init(orderId: String, from: LabOrderState, to: LabOrderState, timestamp: UTCTimestamp, note: String? = nil) {
        self.orderId = orderId
        self.from = from
        self.to = to
        self.timestamp = timestamp
        self.note = note
    }

    private enum CodingKeys: String, CodingKey { case schemaVersion, type, orderId, from, to, timestamp, note }

    /// Decodes a change; `type` must be `labOrderStatus` and `schemaVersion` 1 (both may be left out).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try Self.checkHeader(c, type: Self.typeName, typeKey: .type, versionKey: .schemaVersion)
        orderId = try c.decode(String.self, forKey: .orderId)
        from = try c.decode(LabOrderState.self, forKey: .from)
        to = try c.decode(LabOrderState.self, forKey: .to)
        timestamp = try c.decode(UTCTimestamp.self, forKey: .timestamp)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    /// Encodes the JSON form with `schemaVersion` and `type` first.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ModelMessage.schemaVersion, forKey: .schemaVersion)
        try c.encode(Self.typeName, forKey: .type)
        try c.encode(orderId, forKey: .orderId)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encodeIfPresent(note, forKey: .note)
    }
}

extension LabOrder {
    /// Moves the order to `next`, recording the step.
    /// - Throws: ``BridgeError`` (`illegalTransition`) naming both states and the allowed next states.
    public mutating func apply(_ next: LabOrderState, at timestamp: UTCTimestamp, note: String? = nil)
        throws(BridgeError) -> LabOrderStatusChange
    {
        let current = currentState
        try current.checkTransition(to: next)
        status = next
        statusHistory.append(LabStatusStep(from: current, to: next, timestamp: timestamp, note: note))
        return LabOrderStatusChange(orderId: orderId, from: current, to: next, timestamp: timestamp, note: note)
    }
}
