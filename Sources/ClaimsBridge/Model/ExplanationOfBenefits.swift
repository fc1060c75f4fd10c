/// The carrier's explanation of benefits: what it pays for each procedure of a claim, or would pay for a
/// predetermination. JSON types `explanationOfBenefits` and `predeterminationEOB`.
public struct ExplanationOfBenefits: Sendable, Hashable, Codable {
    /// The message header; the sequence number is the claim's [A01–A05, A11].
    public var routing: Routing
    /// The treating dentist [B01, B02].
    public var providers: Providers?
    /// The carrier's reference number for the claim [G01].
    public var transactionReference: String?
    /// When the carrier expects to pay [G03].
    public var expectedPaymentDate: CalendarDate?
    /// The insured's language, for printing [G27].
    public var language: Language?
    /// Whether an e-mail or a letter follows (version 02) [G09].
    public var emailFlag: EmailFlag?
    /// Which printout to produce (version 04) [G42].
    public var formId: FormID?
    /// Who the carrier pays; it may differ from the claim's payee [F01].
    public var payee: Payee?
    /// The carrier's validation code for the transaction [G30].
    public var validationCode: String?
    /// Page of a predetermination explanation of benefits [G46, G47].
    public var page: Page?
    /// The totals of the claim [G04, G28, G29, G33, G55].
    public var totals: Totals
    /// What the carrier pays for each procedure line [F06, F07, G12–G17, G02, G43, G56–G61].
    public var procedures: [AdjudicatedProcedure]
    /// Procedures the carrier added or substituted; empty when none [G10, G18–G25, G44].
    public var carrierProcedures: [CarrierProcedure]
    /// Note lines the procedures refer to; empty when none [G11, G41, G45, G26].
    public var notes: [Note]
    /// A complete message sent along, such as another carrier's explanation of benefits [G40].
    public var embeddedTransaction: ModelMessage?

    /// An explanation of benefits.
    public init(
        routing: Routing, providers: Providers? = nil, transactionReference: String? = nil,
        expectedPaymentDate: CalendarDate? = nil, language: Language? = nil, emailFlag: EmailFlag? = nil,
        formId: FormID? = nil, payee: Payee? = nil, validationCode: String? = nil, page: Page? = nil,
        totals: Totals, procedures: [AdjudicatedProcedure], carrierProcedures: [CarrierProcedure] = [],
        notes: [Note] = [], embeddedTransaction: ModelMessage? = nil
    ) {
        self.routing = routing
        self.providers = providers
        self.transactionReference = transactionReference
        self.expectedPaymentDate = expectedPaymentDate
        self.language = language
        self.emailFlag = emailFlag
        self.formId = formId
        self.payee = payee
        self.validationCode = validationCode
        self.page = page
        self.totals = totals
        self.procedures = procedures
        self.carrierProcedures = carrierProcedures
        self.notes = notes
        self.embeddedTransaction = embeddedTransaction
    }

    private enum CodingKeys: String, CodingKey {
        case routing, providers, transactionReference, expectedPaymentDate, language, emailFlag, formId, payee
        case validationCode, page, totals, procedures, carrierProcedures, notes, embeddedTransaction
    }

    /// Decodes an explanation of benefits from its JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        routing = try c.decode(Routing.self, forKey: .routing)
        providers = try c.decodeIfPresent(Providers.self, forKey: .providers)
        transactionReference = try c.decodeIfPresent(String.self, forKey: .transactionReference)
        expectedPaymentDate = try c.decodeIfPresent(CalendarDate.self, forKey: .expectedPaymentDate)
        language = try c.decodeIfPresent(Language.self, forKey: .language)
        emailFlag = try c.decodeIfPresent(EmailFlag.self, forKey: .emailFlag)
        formId = try c.decodeIfPresent(FormID.self, forKey: .formId)
        payee = try c.decodeIfPresent(Payee.self, forKey: .payee)
        validationCode = try c.decodeIfPresent(String.self, forKey: .validationCode)
        page = try c.decodeIfPresent(Page.self, forKey: .page)
        totals = try c.decode(Totals.self, forKey: .totals)
        procedures = try c.decode([AdjudicatedProcedure].self, forKey: .procedures)
        carrierProcedures = try c.decodeList([CarrierProcedure].self, forKey: .carrierProcedures)
        notes = try c.decodeList([Note].self, forKey: .notes)
        embeddedTransaction = try c.decodeIfPresent(ModelMessage.self, forKey: .embeddedTransaction)
    }

    /// Encodes the explanation of benefits in its JSON form, leaving out absent values and empty lists.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(routing, forKey: .routing)
        try c.encodeIfPresent(providers, forKey: .providers)
        try c.encodeIfPresent(transactionReference, forKey: .transactionReference)
        try c.encodeIfPresent(expectedPaymentDate, forKey: .expectedPaymentDate)
        try c.encodeIfPresent(language, forKey: .language)
        try c.encodeIfPresent(emailFlag, forKey: .emailFlag)
        try c.encodeIfPresent(formId, forKey: .formId)
        try c.encodeIfPresent(payee, forKey: .payee)
        try c.encodeIfPresent(validationCode, forKey: .validationCode)
        try c.encodeIfPresent(page, forKey: .page)
        try c.encode(totals, forKey: .totals)
        try c.encode(procedures, forKey: .procedures)
        try c.encodeList(carrierProcedures, forKey: .carrierProcedures)
        try c.encodeList(notes, forKey: .notes)
        try c.encodeIfPresent(embeddedTransaction, forKey: .embeddedTransaction)
    }
}

/// What the carrier pays for one procedure line of the claim.
public struct AdjudicatedProcedure: Sendable, Hashable, Codable {
    /// The claim's procedure line number [F07].
    public var lineNumber: Int
    /// Amount eligible for benefits [G12].
    public var eligibleAmount: Money
    /// Deductible applied [G13].
    public var deductible: Money
    /// Percentage of the eligible amount covered, 0 to 100 [G14].
    public var percentage: Int
    /// Benefit paid [G15].
    public var benefit: Money
    /// What the carrier pays for the line's lab fees (version 04); empty when none [G43 G56–G58, G02 G59–G61].
    public var labs: [LabAdjudication]
    /// Number of the first note about this line [G16].
    public var note1: Int?
    /// Number of the second note about this line [G17].
    public var note2: Int?

    /// An adjudicated procedure line.
    public init(
        lineNumber: Int, eligibleAmount: Money, deductible: Money, percentage: Int, benefit: Money,
        labs: [LabAdjudication] = [], note1: Int? = nil, note2: Int? = nil
    ) {
        self.lineNumber = lineNumber
        self.eligibleAmount = eligibleAmount
        self.deductible = deductible
        self.percentage = percentage
        self.benefit = benefit
        self.labs = labs
        self.note1 = note1
        self.note2 = note2
    }

    private enum CodingKeys: String, CodingKey {
        case lineNumber, eligibleAmount, deductible, percentage, benefit, labs, note1, note2
    }

    /// Decodes an adjudicated procedure line from its JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lineNumber = try c.decode(Int.self, forKey: .lineNumber)
        eligibleAmount = try c.decode(Money.self, forKey: .eligibleAmount)
        deductible = try c.decode(Money.self, forKey: .deductible)
        percentage = try c.decode(Int.self, forKey: .percentage)
        benefit = try c.decode(Money.self, forKey: .benefit)
        labs = try c.decodeList([LabAdjudication].self, forKey: .labs)
        note1 = try c.decodeIfPresent(Int.self, forKey: .note1)
        note2 = try c.decodeIfPresent(Int.self, forKey: .note2)
    }

    /// Encodes the line in its JSON form, leaving out absent notes and empty `labs`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lineNumber, forKey: .lineNumber)
        try c.encode(eligibleAmount, forKey: .eligibleAmount)
        try c.encode(deductible, forKey: .deductible)
        try c.encode(percentage, forKey: .percentage)
        try c.encode(benefit, forKey: .benefit)
        try c.encodeList(labs, forKey: .labs)
        try c.encodeIfPresent(note1, forKey: .note1)
        try c.encodeIfPresent(note2, forKey: .note2)
    }
}

/// What the carrier pays for one lab fee of a procedure line.
public struct LabAdjudication: Sendable, Hashable, Codable {
    /// Amount eligible for benefits [G43 first lab, G02 second].
    public var eligibleAmount: Money
    /// Deductible applied [G56 first lab, G59 second].
    public var deductible: Money
    /// Percentage covered, 0 to 100 [G57 first lab, G60 second].
    public var percentage: Int
    /// Benefit paid [G58 first lab, G61 second].
    public var benefit: Money

    /// An adjudicated lab fee.
    public init(eligibleAmount: Money, deductible: Money, percentage: Int, benefit: Money) {
        self.eligibleAmount = eligibleAmount
        self.deductible = deductible
        self.percentage = percentage
        self.benefit = benefit
    }
}

/// A procedure the carrier added or substituted when it assessed the claim.
public struct CarrierProcedure: Sendable, Hashable, Codable {
    /// The submitted lines it relates to, one digit per line: "0000012" means lines 1 and 2 [G18].
    public var submittedLines: String
    /// The procedure code the carrier used [G19].
    public var code: String?
    /// Amount eligible for benefits [G20].
    public var eligibleAmount: Money
    /// Eligible lab amount (version 04) [G44].
    public var eligibleLabAmount: Money?
    /// Deductible applied [G21].
    public var deductible: Money
    /// Percentage covered, 0 to 100 [G22].
    public var percentage: Int
    /// Benefit paid [G23].
    public var benefit: Money
    /// Number of the first note about this procedure [G24].
    public var note1: Int?
    /// Number of the second note about this procedure [G25].
    public var note2: Int?

    /// A carrier-issued procedure.
    public init(
        submittedLines: String, code: String? = nil, eligibleAmount: Money, eligibleLabAmount: Money? = nil,
        deductible: Money, percentage: Int, benefit: Money, note1: Int? = nil, note2: Int? = nil
    ) {
        self.submittedLines = submittedLines
        self.code = code
        self.eligibleAmount = eligibleAmount
        self.eligibleLabAmount = eligibleLabAmount
        self.deductible = deductible
        self.percentage = percentage
        self.benefit = benefit
        self.note1 = note1
        self.note2 = note2
    }
}
