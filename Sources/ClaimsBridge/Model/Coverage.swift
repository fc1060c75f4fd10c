/// The patient's dental plans: the primary plan, and a secondary plan when there is one.
public struct Coverage: Sendable, Hashable, Codable {
    /// The plan the message is sent to [C01–C03, C11, C12, C17, C19, D11].
    public var primary: CoverageDetails
    /// Whether the patient has a secondary plan (version 04) [E18].
    public var hasSecondary: SecondaryCoverageFlag?
    /// The secondary plan, when the message describes one [E01–E17, E19].
    public var secondary: CoverageDetails?

    /// The coverage of a message.
    public init(
        primary: CoverageDetails, hasSecondary: SecondaryCoverageFlag? = nil, secondary: CoverageDetails? = nil
    ) {
        self.primary = primary
        self.hasSecondary = hasSecondary
        self.secondary = secondary
    }
}

/// One dental plan: policy, certificate and the patient's place in it.
public struct CoverageDetails: Sendable, Hashable, Codable {
    /// The secondary carrier's six-digit CDA number; "999999" when it is not on CDAnet [E01].
    public var carrierId: String?
    /// The office's running count of messages to the secondary carrier [E19].
    public var carrierTransactionCounter: String?
    /// Policy or group plan number [C01; secondary E02].
    public var policyNumber: String?
    /// Division or section number within the plan [C11; secondary E05].
    public var division: String?
    /// The subscriber's ID (certificate number) in the plan [C02; secondary E03].
    public var certificateNumber: String?
    /// The patient's dependant code in the plan [C17; secondary E17].
    public var dependantCode: String?
    /// The patient's relationship to the subscriber [C03; secondary E06].
    public var relationship: Relationship?
    /// Card sequence or version number [D11; secondary E07].
    public var cardSequence: String?
    /// A public plan that covers the patient [C12].
    public var planFlag: PlanFlag?
    /// Public plan details, such as the Newfoundland MCP diagnostic and institution codes [C19].
    public var planRecord: String?
    /// The secondary plan's subscriber [E04, E08–E16].
    public var subscriber: Subscriber?

    /// A plan; all optional.
    public init(
        carrierId: String? = nil, carrierTransactionCounter: String? = nil, policyNumber: String? = nil,
        division: String? = nil, certificateNumber: String? = nil, dependantCode: String? = nil,
        relationship: Relationship? = nil, cardSequence: String? = nil, planFlag: PlanFlag? = nil,
        planRecord: String? = nil, subscriber: Subscriber? = nil
    ) {
        self.carrierId = carrierId
        self.carrierTransactionCounter = carrierTransactionCounter
        self.policyNumber = policyNumber
        self.division = division
        self.certificateNumber = certificateNumber
        self.dependantCode = dependantCode
        self.relationship = relationship
        self.cardSequence = cardSequence
        self.planFlag = planFlag
        self.planRecord = planRecord
        self.subscriber = subscriber
    }
}
