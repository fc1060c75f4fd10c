/// The carrier's account of what it paid the office: JSON types `summaryReconciliation` (a day's payments)
/// and `paymentReconciliation` (one page of a payment's details).
public struct Reconciliation: Sendable, Hashable, Codable {
    /// The message header; the sequence number is the request's [A01–A04, A11].
    public var routing: Routing
    /// The office the payment is for [B02 summary, B04 payment].
    public var providers: Providers?
    /// The carrier's reference number for this reconciliation [G01].
    public var transactionReference: String?
    /// The carrier's answer to the request [G05].
    public var status: ResponseStatus?
    /// The payment as a whole [G33–G36].
    public var payment: Payment
    /// Page of a payment reconciliation; ask for the next page until `current` is `last` [F38, G62].
    public var page: Page?
    /// The transactions the payment covers; empty when none [G37, A02, A05, B01–B03, G01, G38].
    public var payments: [PaymentLine]
    /// Note lines; empty when none [G11, G41, G26].
    public var notes: [Note]
    /// Errors found in the request; empty when none [G06, G08].
    public var errors: [ResponseError]

    /// A reconciliation.
    public init(
        routing: Routing, providers: Providers? = nil, transactionReference: String? = nil,
        status: ResponseStatus? = nil, payment: Payment, page: Page? = nil, payments: [PaymentLine] = [],
        notes: [Note] = [], errors: [ResponseError] = []
    ) {
        self.routing = routing
        self.providers = providers
        self.transactionReference = transactionReference
        self.status = status
        self.payment = payment
        self.page = page
        self.payments = payments
        self.notes = notes
        self.errors = errors
    }

    private enum CodingKeys: String, CodingKey {
        case routing, providers, transactionReference, status, payment, page, payments, notes, errors
    }

    /// Decodes a reconciliation from its JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        routing = try c.decode(Routing.self, forKey: .routing)
        providers = try c.decodeIfPresent(Providers.self, forKey: .providers)
        transactionReference = try c.decodeIfPresent(String.self, forKey: .transactionReference)
        status = try c.decodeIfPresent(ResponseStatus.self, forKey: .status)
        payment = try c.decode(Payment.self, forKey: .payment)
        page = try c.decodeIfPresent(Page.self, forKey: .page)
        payments = try c.decodeList([PaymentLine].self, forKey: .payments)
        notes = try c.decodeList([Note].self, forKey: .notes)
        errors = try c.decodeList([ResponseError].self, forKey: .errors)
    }

    /// Encodes the reconciliation in its JSON form, leaving out absent values and empty lists.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(routing, forKey: .routing)
        try c.encodeIfPresent(providers, forKey: .providers)
        try c.encodeIfPresent(transactionReference, forKey: .transactionReference)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encode(payment, forKey: .payment)
        try c.encodeIfPresent(page, forKey: .page)
        try c.encodeList(payments, forKey: .payments)
        try c.encodeList(notes, forKey: .notes)
        try c.encodeList(errors, forKey: .errors)
    }
}

/// A payment from the carrier to the office.
public struct Payment: Sendable, Hashable, Codable {
    /// The carrier's payment reference, such as a cheque or deposit number [G34].
    public var reference: String?
    /// Date of the payment [G35].
    public var date: CalendarDate?
    /// Amount paid [G36].
    public var amount: Money
    /// Adjustment to the payment, positive or negative [G33].
    public var adjustment: Money

    /// A payment.
    public init(reference: String? = nil, date: CalendarDate? = nil, amount: Money, adjustment: Money) {
        self.reference = reference
        self.date = date
        self.amount = amount
        self.adjustment = adjustment
    }
}

/// One transaction covered by a payment.
public struct PaymentLine: Sendable, Hashable, Codable {
    /// The dentist (and office and billing provider) the transaction was for [B01; payment B02, B03].
    public var provider: Provider?
    /// The carrier that paid [A05].
    public var carrierId: String
    /// The office sequence number of the transaction [A02].
    public var officeSequenceNumber: String
    /// The carrier's reference number for the transaction [G01].
    public var transactionReference: String?
    /// Amount paid for the transaction [G38].
    public var amount: Money

    /// A payment line.
    public init(
        provider: Provider? = nil, carrierId: String, officeSequenceNumber: String,
        transactionReference: String? = nil, amount: Money
    ) {
        self.provider = provider
        self.carrierId = carrierId
        self.officeSequenceNumber = officeSequenceNumber
        self.transactionReference = transactionReference
        self.amount = amount
    }
}
