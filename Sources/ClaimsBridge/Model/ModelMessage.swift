import Foundation

/// Any message of the internal model: one case per JSON `type`, each with the message's content.
///
/// The JSON form is one object with `"schemaVersion": 1` and `"type"` at the top level beside the
/// message's own keys. Decoding rejects an unknown `type` and any `schemaVersion` other than 1
/// (an absent `schemaVersion` is taken as 1); encoding always writes both.
/// The enum is `indirect` because messages can embed messages (`primaryEOB`, `embeddedTransaction`).
public indirect enum ModelMessage: Sendable, Hashable, Codable {
    /// A claim for treatment done (CDAnet transaction 01).
    case claim(Claim)
    /// A request to cancel an accepted claim (transaction 02).
    case claimReversal(ClaimReversal)
    /// An estimate asked for before treatment (transaction 03).
    case predetermination(Claim)
    /// A request for waiting responses; version 02 "pended claims" (transaction 04).
    case outstandingTransactionsRequest(OutstandingTransactionsRequest)
    /// A request for a day's payment summary (transaction 05).
    case summaryReconciliationRequest(SummaryReconciliationRequest)
    /// A request for a page of payment details (transaction 06).
    case paymentReconciliationRequest(PaymentReconciliationRequest)
    /// A claim to the secondary carrier, with the primary carrier's EOB (transaction 07).
    case cobClaim(Claim)
    /// A question whether a patient is covered (transaction 08; version 02: 00).
    case eligibilityRequest(EligibilityRequest)
    /// Files supporting an earlier claim (transaction 09).
    case attachment(AttachmentMessage)
    /// The carrier's acknowledgement of a claim (transaction 11).
    case claimAcknowledgement(Acknowledgement)
    /// The carrier's answer to a claim reversal (transaction 12).
    case claimReversalResponse(Acknowledgement)
    /// The carrier's acknowledgement of a predetermination (transaction 13).
    case predeterminationAcknowledgement(Acknowledgement)
    /// The answer when no more responses are waiting (transaction 14).
    case outstandingTransactionsAcknowledgement(Acknowledgement)
    /// A day's payments from the carrier (transaction 15).
    case summaryReconciliation(Reconciliation)
    /// A page of a payment's details (transaction 16).
    case paymentReconciliation(Reconciliation)
    /// The carrier's answer to an eligibility request (transaction 18; version 02: 10).
    case eligibilityResponse(Acknowledgement)
    /// The carrier's acknowledgement of attachments (transaction 19).
    case attachmentAcknowledgement(Acknowledgement)
    /// What the carrier pays for a claim (transaction 21).
    case explanationOfBenefits(ExplanationOfBenefits)
    /// What the carrier would pay for a predetermination (transaction 23).
    case predeterminationEOB(ExplanationOfBenefits)
    /// An e-mail from the carrier (transaction 24).
    case email(EmailMessage)

    /// The `schemaVersion` this model reads and writes.
    public static let schemaVersion = 1

    /// Every JSON `type` name, in CDAnet transaction order.
    public static let typeNames: [String] = [
        "claim", "claimReversal", "predetermination", "outstandingTransactionsRequest",
        "summaryReconciliationRequest", "paymentReconciliationRequest", "cobClaim", "eligibilityRequest",
        "attachment", "claimAcknowledgement", "claimReversalResponse", "predeterminationAcknowledgement",
        "outstandingTransactionsAcknowledgement", "summaryReconciliation", "paymentReconciliation",
        "eligibilityResponse", "attachmentAcknowledgement", "explanationOfBenefits", "predeterminationEOB", "email",
    ]

    /// The message's JSON `type` name, such as "claim".
    public var typeName: String {
        switch self {
        case .claim: "claim"
        case .claimReversal: "claimReversal"
        case .predetermination: "predetermination"
        case .outstandingTransactionsRequest: "outstandingTransactionsRequest"
        case .summaryReconciliationRequest: "summaryReconciliationRequest"
        case .paymentReconciliationRequest: "paymentReconciliationRequest"
        case .cobClaim: "cobClaim"
        case .eligibilityRequest: "eligibilityRequest"
        case .attachment: "attachment"
        case .claimAcknowledgement: "claimAcknowledgement"
        case .claimReversalResponse: "claimReversalResponse"
        case .predeterminationAcknowledgement: "predeterminationAcknowledgement"
        case .outstandingTransactionsAcknowledgement: "outstandingTransactionsAcknowledgement"
        case .summaryReconciliation: "summaryReconciliation"
        case .paymentReconciliation: "paymentReconciliation"
        case .eligibilityResponse: "eligibilityResponse"
        case .attachmentAcknowledgement: "attachmentAcknowledgement"
        case .explanationOfBenefits: "explanationOfBenefits"
        case .predeterminationEOB: "predeterminationEOB"
        case .email: "email"
        }
    }

    /// The message header, which every message has.
    public var routing: Routing {
        switch self {
        case .claim(let m), .predetermination(let m), .cobClaim(let m): m.routing
        case .claimReversal(let m): m.routing
        case .outstandingTransactionsRequest(let m): m.routing
        case .summaryReconciliationRequest(let m): m.routing
        case .paymentReconciliationRequest(let m): m.routing
        case .eligibilityRequest(let m): m.routing
        case .attachment(let m): m.routing
        case .claimAcknowledgement(let m), .claimReversalResponse(let m), .predeterminationAcknowledgement(let m),
            .outstandingTransactionsAcknowledgement(let m), .eligibilityResponse(let m),
            .attachmentAcknowledgement(let m):
            m.routing
        case .summaryReconciliation(let m), .paymentReconciliation(let m): m.routing
        case .explanationOfBenefits(let m), .predeterminationEOB(let m): m.routing
        case .email(let m): m.routing
        }
    }

    private enum EnvelopeKeys: String, CodingKey {
        case schemaVersion, type
    }

    /// Decodes a message: checks `schemaVersion` is 1 (or absent), then decodes the content `type` names.
    public init(from decoder: any Decoder) throws {
        let envelope = try decoder.container(keyedBy: EnvelopeKeys.self)
        // Read as a decimal number so that 1.5 or 2 is reported as an unsupported version, not as bad JSON.
        // An absent schemaVersion is taken as 1, as the CDAnet writer does.
        let version = try envelope.decodeIfPresent(Decimal.self, forKey: .schemaVersion) ?? 1
        guard version == Decimal(ModelMessage.schemaVersion) else {
            throw DecodingError.dataCorruptedError(
                forKey: .schemaVersion, in: envelope,
                debugDescription: "schemaVersion \(version) is not supported; this model reads schemaVersion "
                    + String(ModelMessage.schemaVersion))
        }
        let type = try envelope.decode(String.self, forKey: .type)
        switch type {
        case "claim": self = .claim(try Claim(from: decoder))
        case "claimReversal": self = .claimReversal(try ClaimReversal(from: decoder))
        case "predetermination": self = .predetermination(try Claim(from: decoder))
        case "outstandingTransactionsRequest":
            self = .outstandingTransactionsRequest(try OutstandingTransactionsRequest(from: decoder))
        case "summaryReconciliationRequest":
            self = .summaryReconciliationRequest(try SummaryReconciliationRequest(from: decoder))
        case "paymentReconciliationRequest":
            self = .paymentReconciliationRequest(try PaymentReconciliationRequest(from: decoder))
        case "cobClaim": self = .cobClaim(try Claim(from: decoder))
        case "eligibilityRequest": self = .eligibilityRequest(try EligibilityRequest(from: decoder))
        case "attachment": self = .attachment(try AttachmentMessage(from: decoder))
        case "claimAcknowledgement": self = .claimAcknowledgement(try Acknowledgement(from: decoder))
        case "claimReversalResponse": self = .claimReversalResponse(try Acknowledgement(from: decoder))
        case "predeterminationAcknowledgement":
            self = .predeterminationAcknowledgement(try Acknowledgement(from: decoder))
        case "outstandingTransactionsAcknowledgement":
            self = .outstandingTransactionsAcknowledgement(try Acknowledgement(from: decoder))
        case "summaryReconciliation": self = .summaryReconciliation(try Reconciliation(from: decoder))
        case "paymentReconciliation": self = .paymentReconciliation(try Reconciliation(from: decoder))
        case "eligibilityResponse": self = .eligibilityResponse(try Acknowledgement(from: decoder))
        case "attachmentAcknowledgement": self = .attachmentAcknowledgement(try Acknowledgement(from: decoder))
        case "explanationOfBenefits": self = .explanationOfBenefits(try ExplanationOfBenefits(from: decoder))
        case "predeterminationEOB": self = .predeterminationEOB(try ExplanationOfBenefits(from: decoder))
        case "email": self = .email(try EmailMessage(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: envelope,
                debugDescription: "unknown message type \"\(type)\"; the known types are "
                    + ModelMessage.typeNames.joined(separator: ", "))
        }
    }

    /// Encodes the message as one JSON object: `schemaVersion`, `type` and the content's keys.
    public func encode(to encoder: any Encoder) throws {
        var envelope = encoder.container(keyedBy: EnvelopeKeys.self)
        try envelope.encode(ModelMessage.schemaVersion, forKey: .schemaVersion)
        try envelope.encode(typeName, forKey: .type)
        switch self {
        case .claim(let m), .predetermination(let m), .cobClaim(let m): try m.encode(to: encoder)
        case .claimReversal(let m): try m.encode(to: encoder)
        case .outstandingTransactionsRequest(let m): try m.encode(to: encoder)
        case .summaryReconciliationRequest(let m): try m.encode(to: encoder)
        case .paymentReconciliationRequest(let m): try m.encode(to: encoder)
        case .eligibilityRequest(let m): try m.encode(to: encoder)
        case .attachment(let m): try m.encode(to: encoder)
        case .claimAcknowledgement(let m), .claimReversalResponse(let m), .predeterminationAcknowledgement(let m),
            .outstandingTransactionsAcknowledgement(let m), .eligibilityResponse(let m),
            .attachmentAcknowledgement(let m):
            try m.encode(to: encoder)
        case .summaryReconciliation(let m), .paymentReconciliation(let m): try m.encode(to: encoder)
        case .explanationOfBenefits(let m), .predeterminationEOB(let m): try m.encode(to: encoder)
        case .email(let m): try m.encode(to: encoder)
        }
    }
}
