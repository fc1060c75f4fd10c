/// Where a claim (or a predetermination) stands after it was sent.
///
/// ```
/// submitted → acknowledged → adjudicated → paid
///     ↘ pended ↗       ↘ rejected · reversed · paperClaimRequested
/// ```
/// ``allowedNext`` is the table (see `Docs/status.md`). A name this version does not know has no allowed
/// transitions.
public struct ClaimState: ModelEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Sent to the carrier; no answer yet.
    public static let submitted = ClaimState(rawValue: "submitted")
    /// Held by the carrier or the network; an answer may come later through the mailbox (G05 H, B, C or N).
    public static let pended = ClaimState(rawValue: "pended")
    /// Accepted by the carrier for processing (an acknowledgement with G05 A).
    public static let acknowledged = ClaimState(rawValue: "acknowledged")
    /// Adjudicated: an explanation of benefits came back.
    public static let adjudicated = ClaimState(rawValue: "adjudicated")
    /// Paid, as a payment reconciliation shows.
    public static let paid = ClaimState(rawValue: "paid")
    /// Refused by the carrier (G05 R, with its error codes).
    public static let rejected = ClaimState(rawValue: "rejected")
    /// Cancelled by a reversal the carrier accepted.
    public static let reversed = ClaimState(rawValue: "reversed")
    /// The carrier asks for a paper claim form (G05 M).
    public static let paperClaimRequested = ClaimState(rawValue: "paperClaimRequested")

    public static let knownValues: [ClaimState] = [
        .submitted, .pended, .acknowledged, .adjudicated, .paid, .rejected, .reversed, .paperClaimRequested,
    ]

    /// The states a claim in this state may move to.
    public var allowedNext: [ClaimState] {
        switch self {
        case .submitted: return [.pended, .acknowledged, .adjudicated, .rejected, .reversed, .paperClaimRequested]
        case .pended: return [.acknowledged, .adjudicated, .rejected, .reversed, .paperClaimRequested]
        case .acknowledged: return [.adjudicated, .paid, .reversed]
        case .adjudicated: return [.paid, .reversed]
        case .paid: return [.reversed]
        default: return []
        }
    }

    /// Why a claim may not move from this state to `next`, in a clerk's words; nil when it may.
    public func refusal(to next: ClaimState) -> String? {
        guard next.isKnown else {
            return "\(next) is not a claim state (expected one of \(Self.knownValues.map(\.rawValue).joined(separator: ", ")))"
        }
        guard allowedNext.contains(next) else {
            let allowed = allowedNext.map(\.rawValue).joined(separator: ", ")
            return "a claim cannot go from \(self) to \(next); from \(self) it may go to "
                + (allowed.isEmpty ? "no other state (\(self) is final)" : allowed)
        }
        return nil
    }

    /// The state a carrier's answer puts a claim in: `type` is the answer's model type and `status` its G05 code
    /// name (e.g. `accepted`); nil for an answer that does not move a claim (an eligibility reply, an e-mail).
    public static func answeredBy(type: String, status: String?) -> ClaimState? {
        switch type {
        case "explanationOfBenefits", "predeterminationEOB":
            return .adjudicated
        case "claimAcknowledgement", "predeterminationAcknowledgement":
            switch status {
            case "accepted": return .acknowledged
            case "rejected": return .rejected
            case "heldByCarrier", "batchForwarded", "heldReplyLater", "networkReplyLater": return .pended
            case "submitOnPaper": return .paperClaimRequested
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The request types whose lifecycle is tracked.
    public static let trackedRequestTypes: Set<String> = ["claim", "cobClaim", "predetermination"]
}
