// Named values from the CDAnet code tables (Mappings/cdanet/*/codes.yaml), as they appear in the JSON form.
// Each is a struct wrapping the name, so a name added to a code table later decodes without breaking a `switch`.

/// The carrier's answer to a request [G05].
public struct ResponseStatus: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Accepted (code "A").
    public static let accepted = ResponseStatus(rawValue: "accepted")
    /// The patient is eligible (code "E").
    public static let eligible = ResponseStatus(rawValue: "eligible")
    /// Rejected; see the errors (code "R").
    public static let rejected = ResponseStatus(rawValue: "rejected")
    /// Held by the carrier for review (code "H").
    public static let heldByCarrier = ResponseStatus(rawValue: "heldByCarrier")
    /// Forwarded to the carrier in a batch (code "B").
    public static let batchForwarded = ResponseStatus(rawValue: "batchForwarded")
    /// Held; the reply comes later through the mailbox (code "C").
    public static let heldReplyLater = ResponseStatus(rawValue: "heldReplyLater")
    /// Held by the network; the reply comes later (code "N").
    public static let networkReplyLater = ResponseStatus(rawValue: "networkReplyLater")
    /// Submit the claim on paper (code "M").
    public static let submitOnPaper = ResponseStatus(rawValue: "submitOnPaper")
    /// No more responses are waiting (code "X").
    public static let noMoreResponses = ResponseStatus(rawValue: "noMoreResponses")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [ResponseStatus] = [
        .accepted, .eligible, .rejected, .heldByCarrier, .batchForwarded, .heldReplyLater, .networkReplyLater,
        .submitOnPaper, .noMoreResponses,
    ]
}

/// Which printout the office should produce for a response [G42].
public struct FormID: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The CDA explanation-of-benefits form (code "01").
    public static let eob = FormID(rawValue: "eob")
    /// The Dentaide form (obsolete) (code "02").
    public static let dentaide = FormID(rawValue: "dentaide")
    /// The claim acknowledgement (code "03").
    public static let claimAcknowledgement = FormID(rawValue: "claimAcknowledgement")
    /// The employer-certified form (code "04").
    public static let employerCertified = FormID(rawValue: "employerCertified")
    /// The standard CDA paper claim form (code "05").
    public static let paperClaimForm = FormID(rawValue: "paperClaimForm")
    /// The predetermination acknowledgement (code "06").
    public static let predeterminationAcknowledgement = FormID(rawValue: "predeterminationAcknowledgement")
    /// The predetermination explanation of benefits (code "07").
    public static let predeterminationEOB = FormID(rawValue: "predeterminationEOB")
    /// The eligibility form (code "08").
    public static let eligibility = FormID(rawValue: "eligibility")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [FormID] = [
        .eob, .dentaide, .claimAcknowledgement, .employerCertified, .paperClaimForm, .predeterminationAcknowledgement,
        .predeterminationEOB, .eligibility,
    ]
}

/// How the office shows a note line [G41].
public struct MessageOutput: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Show and ask the user to acknowledge (code "0").
    public static let prompt = MessageOutput(rawValue: "prompt")
    /// Show on screen only, do not print (code "1").
    public static let displayOnly = MessageOutput(rawValue: "displayOnly")
    /// Print it (code "2").
    public static let print = MessageOutput(rawValue: "print")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [MessageOutput] = [
        .prompt, .displayOnly, .print,
    ]
}
