/// A carrier's acknowledgement of a request, with its status, messages and errors. JSON types
/// `claimAcknowledgement`, `claimReversalResponse`, `predeterminationAcknowledgement`,
/// `outstandingTransactionsAcknowledgement`, `eligibilityResponse` and `attachmentAcknowledgement`.
public struct Acknowledgement: Sendable, Hashable, Codable {
    /// The message header; the sequence number is the request's [A01–A05, A11].
    public var routing: Routing
    /// The treating dentist (and billing provider) the request named [B01–B03].
    public var providers: Providers?
    /// The secondary carrier's transaction counter, in a reversal response [E19].
    public var secondaryCarrierTransactionCounter: String?
    /// The carrier's reference number for the transaction [G01].
    public var transactionReference: String?
    /// The carrier's answer: accepted, rejected, eligible… [G05].
    public var status: ResponseStatus?
    /// The carrier's explanation, to show to the user [G07].
    public var disposition: String?
    /// Whether the employer-certified form applies (version 02) [G02].
    public var employerCertified: YesNo?
    /// The total amount of the request [G04].
    public var totals: Totals?
    /// The insured's language, for printing [G27].
    public var language: Language?
    /// Which printout to produce [G42].
    public var formId: FormID?
    /// Page of a predetermination acknowledgement [G46, G47].
    public var page: Page?
    /// Messages to show the user; empty when none [G31, G32].
    public var displayMessages: [DisplayMessage]
    /// Errors found in the request; empty when none [G06, F07, G08].
    public var errors: [ResponseError]
    /// A complete message sent along, such as an explanation of benefits from the secondary carrier [G40].
    public var embeddedTransaction: ModelMessage?

    /// An acknowledgement.
    public init(
        routing: Routing, providers: Providers? = nil, secondaryCarrierTransactionCounter: String? = nil,
        transactionReference: String? = nil, status: ResponseStatus? = nil, disposition: String? = nil,
        employerCertified: YesNo? = nil, totals: Totals? = nil, language: Language? = nil, formId: FormID? = nil,
        page: Page? = nil, displayMessages: [DisplayMessage] = [], errors: [ResponseError] = [],
        embeddedTransaction: ModelMessage? = nil
    ) {
        self.routing = routing
        self.providers = providers
        self.secondaryCarrierTransactionCounter = secondaryCarrierTransactionCounter
        self.transactionReference = transactionReference
        self.status = status
        self.disposition = disposition
        self.employerCertified = employerCertified
        self.totals = totals
        self.language = language
        self.formId = formId
        self.page = page
        self.displayMessages = displayMessages
        self.errors = errors
        self.embeddedTransaction = embeddedTransaction
    }

    private enum CodingKeys: String, CodingKey {
        case routing, providers, secondaryCarrierTransactionCounter, transactionReference, status, disposition
        case employerCertified, totals, language, formId, page, displayMessages, errors, embeddedTransaction
    }

    /// Decodes an acknowledgement from its JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        routing = try c.decode(Routing.self, forKey: .routing)
        providers = try c.decodeIfPresent(Providers.self, forKey: .providers)
        secondaryCarrierTransactionCounter = try c.decodeIfPresent(
            String.self, forKey: .secondaryCarrierTransactionCounter)
        transactionReference = try c.decodeIfPresent(String.self, forKey: .transactionReference)
        status = try c.decodeIfPresent(ResponseStatus.self, forKey: .status)
        disposition = try c.decodeIfPresent(String.self, forKey: .disposition)
        employerCertified = try c.decodeIfPresent(YesNo.self, forKey: .employerCertified)
        totals = try c.decodeIfPresent(Totals.self, forKey: .totals)
        language = try c.decodeIfPresent(Language.self, forKey: .language)
        formId = try c.decodeIfPresent(FormID.self, forKey: .formId)
        page = try c.decodeIfPresent(Page.self, forKey: .page)
        displayMessages = try c.decodeList([DisplayMessage].self, forKey: .displayMessages)
        errors = try c.decodeList([ResponseError].self, forKey: .errors)
        embeddedTransaction = try c.decodeIfPresent(ModelMessage.self, forKey: .embeddedTransaction)
    }

    /// Encodes the acknowledgement in its JSON form, leaving out absent values and empty lists.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(routing, forKey: .routing)
        try c.encodeIfPresent(providers, forKey: .providers)
        try c.encodeIfPresent(secondaryCarrierTransactionCounter, forKey: .secondaryCarrierTransactionCounter)
        try c.encodeIfPresent(transactionReference, forKey: .transactionReference)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(disposition, forKey: .disposition)
        try c.encodeIfPresent(employerCertified, forKey: .employerCertified)
        try c.encodeIfPresent(totals, forKey: .totals)
        try c.encodeIfPresent(language, forKey: .language)
        try c.encodeIfPresent(formId, forKey: .formId)
        try c.encodeIfPresent(page, forKey: .page)
        try c.encodeList(displayMessages, forKey: .displayMessages)
        try c.encodeList(errors, forKey: .errors)
        try c.encodeIfPresent(embeddedTransaction, forKey: .embeddedTransaction)
    }
}

/// An error the carrier found in a request.
public struct ResponseError: Sendable, Hashable, Codable {
    /// The procedure line the error is about; 0 for the whole message [F07].
    public var lineNumber: Int?
    /// The CDAnet error code, such as "035" [G08].
    public var code: String

    /// An error.
    public init(lineNumber: Int? = nil, code: String) {
        self.lineNumber = lineNumber
        self.code = code
    }
}

/// A line of text the carrier wants shown to the user.
public struct DisplayMessage: Sendable, Hashable, Codable {
    /// The text [G32].
    public var text: String?

    /// A display message.
    public init(text: String? = nil) {
        self.text = text
    }
}

/// A numbered note line of an explanation of benefits or a reconciliation.
public struct Note: Sendable, Hashable, Codable {
    /// How to show the note (version 04) [G41].
    public var output: MessageOutput?
    /// The note's number, referred to by procedure lines (explanations of benefits, version 04) [G45].
    public var number: Int?
    /// The text [G26].
    public var text: String?

    /// A note line.
    public init(output: MessageOutput? = nil, number: Int? = nil, text: String? = nil) {
        self.output = output
        self.number = number
        self.text = text
    }
}

/// The amounts of a whole request or explanation of benefits.
public struct Totals: Sendable, Hashable, Codable {
    /// Total amount of the services claimed [G04].
    public var serviceAmount: Money
    /// Total benefit the carrier pays [G28].
    public var benefitAmount: Money?
    /// Deductible not allocated to a procedure [G29].
    public var deductibleNotAllocated: Money?
    /// Adjustment to the payment, positive or negative (version 04) [G33].
    public var paymentAdjustment: Money?
    /// Total payable (version 04) [G55].
    public var payable: Money?

    /// Totals.
    public init(
        serviceAmount: Money, benefitAmount: Money? = nil, deductibleNotAllocated: Money? = nil,
        paymentAdjustment: Money? = nil, payable: Money? = nil
    ) {
        self.serviceAmount = serviceAmount
        self.benefitAmount = benefitAmount
        self.deductibleNotAllocated = deductibleNotAllocated
        self.paymentAdjustment = paymentAdjustment
        self.payable = payable
    }
}
