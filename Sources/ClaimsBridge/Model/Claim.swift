/// A claim for treatment done, a predetermination (an estimate before treatment), or a secondary
/// (coordination-of-benefits) claim: JSON types `claim`, `predetermination` and `cobClaim`.
public struct Claim: Sendable, Hashable, Codable {
    /// The message header [A01–A06, A09, A10].
    public var routing: Routing
    /// What the office sends separately, such as X-rays (version 04) [A08].
    public var materialsForwarded: MaterialsForwarded?
    /// Whether an e-mail or a letter follows (version 02) [A08].
    public var emailFlag: EmailFlag?
    /// The treating, billing and referring dentists [B01–B06].
    public var providers: Providers
    /// The patient [C04–C10].
    public var patient: Patient
    /// The primary plan's subscriber [D01–D10].
    public var subscriber: Subscriber?
    /// The primary plan, and the secondary plan when there is one [C01–C03, C11, C12, C17, C19, D11, E01–E19].
    public var coverage: Coverage
    /// Who the carrier pays (claims and secondary claims) [F01].
    public var payee: Payee?
    /// Date of the accident, when the treatment follows one [F02].
    public var accidentDate: CalendarDate?
    /// The carrier's number for an earlier predetermination of this treatment [F03].
    public var predeterminationNumber: String?
    /// Whether the treatment is for orthodontic purposes [F05].
    public var orthodonticTreatment: YesNo?
    /// Crown, bridge or denture placement [F04, F15, F18–F21].
    public var prosthesis: Prosthesis?
    /// Page of a predetermination sent in several messages (version 04) [G46, G47].
    public var page: Page?
    /// Orthodontic treatment plan of a predetermination [F25–F32, F37].
    public var orthodontics: Orthodontics?
    /// Teeth extracted earlier, for a prosthesis claim; empty when none [F22–F24].
    public var extractedTeeth: [ExtractedTooth]
    /// The procedures claimed, one to seven [F06–F17, F34–F36].
    public var procedures: [Procedure]
    /// The primary carrier's explanation of benefits, in a secondary claim [G40].
    public var primaryEOB: ModelMessage?

    /// A claim, predetermination or secondary claim.
    public init(
        routing: Routing, materialsForwarded: MaterialsForwarded? = nil, emailFlag: EmailFlag? = nil,
        providers: Providers, patient: Patient, subscriber: Subscriber? = nil, coverage: Coverage,
        payee: Payee? = nil, accidentDate: CalendarDate? = nil, predeterminationNumber: String? = nil,
        orthodonticTreatment: YesNo? = nil, prosthesis: Prosthesis? = nil, page: Page? = nil,
        orthodontics: Orthodontics? = nil, extractedTeeth: [ExtractedTooth] = [], procedures: [Procedure],
        primaryEOB: ModelMessage? = nil
    ) {
        self.routing = routing
        self.materialsForwarded = materialsForwarded
        self.emailFlag = emailFlag
        self.providers = providers
        self.patient = patient
        self.subscriber = subscriber
        self.coverage = coverage
        self.payee = payee
        self.accidentDate = accidentDate
        self.predeterminationNumber = predeterminationNumber
        self.orthodonticTreatment = orthodonticTreatment
        self.prosthesis = prosthesis
        self.page = page
        self.orthodontics = orthodontics
        self.extractedTeeth = extractedTeeth
        self.procedures = procedures
        self.primaryEOB = primaryEOB
    }

    private enum CodingKeys: String, CodingKey {
        case routing, materialsForwarded, emailFlag, providers, patient, subscriber, coverage, payee, accidentDate
        case predeterminationNumber, orthodonticTreatment, prosthesis, page, orthodontics, extractedTeeth, procedures
        case primaryEOB
    }

    /// Decodes a claim from its JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        routing = try c.decode(Routing.self, forKey: .routing)
        materialsForwarded = try c.decodeIfPresent(MaterialsForwarded.self, forKey: .materialsForwarded)
        emailFlag = try c.decodeIfPresent(EmailFlag.self, forKey: .emailFlag)
        providers = try c.decode(Providers.self, forKey: .providers)
        patient = try c.decode(Patient.self, forKey: .patient)
        subscriber = try c.decodeIfPresent(Subscriber.self, forKey: .subscriber)
        coverage = try c.decode(Coverage.self, forKey: .coverage)
        payee = try c.decodeIfPresent(Payee.self, forKey: .payee)
        accidentDate = try c.decodeIfPresent(CalendarDate.self, forKey: .accidentDate)
        predeterminationNumber = try c.decodeIfPresent(String.self, forKey: .predeterminationNumber)
        orthodonticTreatment = try c.decodeIfPresent(YesNo.self, forKey: .orthodonticTreatment)
        prosthesis = try c.decodeIfPresent(Prosthesis.self, forKey: .prosthesis)
        page = try c.decodeIfPresent(Page.self, forKey: .page)
        orthodontics = try c.decodeIfPresent(Orthodontics.self, forKey: .orthodontics)
        extractedTeeth = try c.decodeList([ExtractedTooth].self, forKey: .extractedTeeth)
        procedures = try c.decode([Procedure].self, forKey: .procedures)
        primaryEOB = try c.decodeIfPresent(ModelMessage.self, forKey: .primaryEOB)
    }

    /// Encodes the claim in its JSON form, leaving out absent values and an empty `extractedTeeth`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(routing, forKey: .routing)
        try c.encodeIfPresent(materialsForwarded, forKey: .materialsForwarded)
        try c.encodeIfPresent(emailFlag, forKey: .emailFlag)
        try c.encode(providers, forKey: .providers)
        try c.encode(patient, forKey: .patient)
        try c.encodeIfPresent(subscriber, forKey: .subscriber)
        try c.encode(coverage, forKey: .coverage)
        try c.encodeIfPresent(payee, forKey: .payee)
        try c.encodeIfPresent(accidentDate, forKey: .accidentDate)
        try c.encodeIfPresent(predeterminationNumber, forKey: .predeterminationNumber)
        try c.encodeIfPresent(orthodonticTreatment, forKey: .orthodonticTreatment)
        try c.encodeIfPresent(prosthesis, forKey: .prosthesis)
        try c.encodeIfPresent(page, forKey: .page)
        try c.encodeIfPresent(orthodontics, forKey: .orthodontics)
        try c.encodeList(extractedTeeth, forKey: .extractedTeeth)
        try c.encode(procedures, forKey: .procedures)
        try c.encodeIfPresent(primaryEOB, forKey: .primaryEOB)
    }
}
