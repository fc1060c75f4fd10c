/// Where a lab order stands in its lifecycle.
///
/// ```
/// draft → submitted → accepted → inProduction → shipped → delivered
/// ```
/// with `onHold`, `cancelled` and `remakeRequested` beside the main line; ``allowedNext`` is the table (see
/// `Docs/lab-orders.md`). A name this version does not know has no allowed transitions.
public struct LabOrderState: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String
    /// Wraps a name.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let draft = LabOrderState(rawValue: "draft")
    public static let submitted = LabOrderState(rawValue: "submitted")
    public static let accepted = LabOrderState(rawValue: "accepted")
    public static let inProduction = LabOrderState(rawValue: "inProduction")
    public static let shipped = LabOrderState(rawValue: "shipped")
    public static let delivered = LabOrderState(rawValue: "delivered")
    public static let onHold = LabOrderState(rawValue: "onHold")
    public static let cancelled = LabOrderState(rawValue: "cancelled")
    public static let remakeRequested = LabOrderState(rawValue: "remakeRequested")

    public static let knownValues: [LabOrderState] = [
        .draft, .submitted, .accepted, .inProduction, .shipped, .delivered, .onHold, .cancelled, .remakeRequested,
    ]

    /// The states an order in this state may move to, in lifecycle order.
    public var allowedNext: [LabOrderState] {
        switch self {
        case .draft: return [.submitted, .cancelled]
        case .submitted: return [.accepted, .onHold, .cancelled]
        case .accepted: return [.inProduction, .onHold, .cancelled]
        case .inProduction: return [.shipped, .onHold, .cancelled]
        case .shipped: return [.delivered]
        case .delivered: return [.remakeRequested]
        case .onHold: return [.accepted, .inProduction, .cancelled]
        case .remakeRequested: return [.accepted, .inProduction, .cancelled]
        default: return []
        }
    }

    /// Checks that an order may move from this state to `next`.
    /// - Throws: ``BridgeError`` (`illegalTransition`) naming both states and the allowed next states.
    public func checkTransition(to next: LabOrderState) throws(BridgeError) {
        guard next.isKnown else {
            let known = Self.knownValues.map(\.rawValue).joined(separator: ", ")
            throw BridgeError(.unknownCode, "\(next) is not a lab-order state (expected one of \(known))")
        }
        guard allowedNext.contains(next) else {
            let allowed = allowedNext.map(\.rawValue).joined(separator: ", ")
            throw BridgeError(
                .illegalTransition,
                "an order cannot go from \(self) to \(next); from \(self) it may go to "
                    + (allowed.isEmpty ? "no other state (\(self) is final)" : allowed))
        }
    }
}

extension BridgeError.Code {
    /// A lab order's status cannot move from its current state to the one asked for.
    public static let illegalTransition = BridgeError.Code("illegalTransition")
    /// A status update names an order that is not among the known orders.
    public static let unknownOrder = BridgeError.Code("unknownOrder")
    /// A lab product code is not in the lab's catalog, or a kind and material have no code.
    public static let notInCatalog = BridgeError.Code("notInCatalog")
}
