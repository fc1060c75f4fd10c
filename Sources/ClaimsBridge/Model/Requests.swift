/// A request to cancel a claim the carrier already accepted: JSON type `claimReversal`.
public struct ClaimReversal: Sendable, Hashable, Codable {
    /// The message header; the sequence number is the original claim's [A01–A06, A09, A10].
    public var routing: Routing
    /// The treating and billing dentists [B01–B04].
    public var providers: Providers?
    /// The subscriber's name [D02–D04].
    public var subscriber: Subscriber?
    /// The plan the claim was sent to [C01–C03, C11].
    public var coverage: Coverage
    /// The carrier's reference number of the claim to cancel [G01].
    public var originalTransactionReference: String?

    /// A claim reversal.
    public init(
        routing: Routing, providers: Providers? = nil, subscriber: Subscriber? = nil, coverage: Coverage,
        originalTransactionReference: String? = nil
    ) {
        self.routing = routing
        self.providers = providers
        self.subscriber = subscriber
        self.coverage = coverage
        self.originalTransactionReference = originalTransactionReference
    }
}

/// A request for the responses waiting in the office's mailbox (version 02: pended claims):
/// JSON type `outstandingTransactionsRequest`.
public struct OutstandingTransactionsRequest: Sendable, Hashable, Codable {
    /// The message header [A01–A06, A09, A10].
    public var routing: Routing
    /// The treating dentist and the billing provider [B01–B03].
    public var providers: Providers?

    /// A request for outstanding transactions.
    public init(routing: Routing, providers: Providers? = nil) {
        self.routing = routing
        self.providers = providers
    }
}

/// A request for a summary of the carrier's payments for a day: JSON type `summaryReconciliationRequest`.
public struct SummaryReconciliationRequest: Sendable, Hashable, Codable {
    /// The message header [A01–A06, A09, A10].
    public var routing: Routing
    /// The treating dentist [B01, B02].
    public var providers: Providers?
    /// The day to reconcile [F33].
    public var reconciliationDate: CalendarDate?

    /// A summary reconciliation request.
    public init(routing: Routing, providers: Providers? = nil, reconciliationDate: CalendarDate? = nil) {
        self.routing = routing
        self.providers = providers
        self.reconciliationDate = reconciliationDate
    }
}

/// A request for one page of the carrier's payment details: JSON type `paymentReconciliationRequest`.
public struct PaymentReconciliationRequest: Sendable, Hashable, Codable {
    /// The message header [A01–A06, A09, A10].
    public var routing: Routing
    /// The treating dentist and the billing provider [B01–B04].
    public var providers: Providers?
    /// The payment date to reconcile [F33].
    public var reconciliationDate: CalendarDate?
    /// The page asked for: 1, then 2 and so on up to the last page of the reply [F38].
    public var page: Int

    /// A payment reconciliation request.
    public init(
        routing: Routing, providers: Providers? = nil, reconciliationDate: CalendarDate? = nil, page: Int
    ) {
        self.routing = routing
        self.providers = providers
        self.reconciliationDate = reconciliationDate
        self.page = page
    }
}

/// A question whether a patient is covered on a date: JSON type `eligibilityRequest`.
public struct EligibilityRequest: Sendable, Hashable, Codable {
    /// The message header [A01–A06, A09, A10].
    public var routing: Routing
    /// The treating dentist and the billing provider [B01–B03].
    public var providers: Providers?
    /// The patient [C04–C09].
    public var patient: Patient
    /// The subscriber [D01–D04, D10].
    public var subscriber: Subscriber?
    /// The plan asked about [C01–C03, C11, C12, C17, C19, D11].
    public var coverage: Coverage
    /// The date the patient should be covered on (version 04) [C16].
    public var eligibilityDate: CalendarDate?

    /// An eligibility request.
    public init(
        routing: Routing, providers: Providers? = nil, patient: Patient, subscriber: Subscriber? = nil,
        coverage: Coverage, eligibilityDate: CalendarDate? = nil
    ) {
        self.routing = routing
        self.providers = providers
        self.patient = patient
        self.subscriber = subscriber
        self.coverage = coverage
        self.eligibilityDate = eligibilityDate
    }
}
