/// The header of every message: who sent it, to which carrier, in which CDAnet version.
public struct Routing: Sendable, Hashable, Codable {
    /// Routing prefix of the practice's network or clearinghouse [A01].
    public var transactionPrefix: String?
    /// The office's own reference number for the message; a reversal reuses the claim's number [A02].
    public var officeSequenceNumber: String
    /// CDAnet format version: "04" or "02" [A03].
    public var version: String
    /// Six-digit CDA number of the insurance carrier; "999999" addresses the network [A05].
    public var carrierId: String?
    /// The practice software's CDAnet certification ID [A06].
    public var softwareSystemId: String?
    /// Encryption method of a version 04 request; `none` is written when absent [A10].
    public var encryptionMethod: EncryptionMethod?
    /// The office's running count of messages to this carrier [A09].
    public var carrierTransactionCounter: String?
    /// Whether the carrier holds more mail for the office (version 04 responses) [A11].
    public var mailbox: Mailbox?

    /// A routing header; only the sequence number and version are always present.
    public init(
        transactionPrefix: String? = nil, officeSequenceNumber: String, version: String, carrierId: String? = nil,
        softwareSystemId: String? = nil, encryptionMethod: EncryptionMethod? = nil,
        carrierTransactionCounter: String? = nil, mailbox: Mailbox? = nil
    ) {
        self.transactionPrefix = transactionPrefix
        self.officeSequenceNumber = officeSequenceNumber
        self.version = version
        self.carrierId = carrierId
        self.softwareSystemId = softwareSystemId
        self.encryptionMethod = encryptionMethod
        self.carrierTransactionCounter = carrierTransactionCounter
        self.mailbox = mailbox
    }
}

/// The dentists and offices a message names.
public struct Providers: Sendable, Hashable, Codable {
    /// The dentist who treated the patient, and the office [B01, B02].
    public var treating: Provider?
    /// The dentist or office billing for the treatment [B03, B04].
    public var billing: Provider?
    /// The dentist who referred the patient, and why [B05, B06].
    public var referring: Provider?
    /// The dentist an attachment is for [B07, B08].
    public var receiving: Provider?

    /// The providers of a message; all optional.
    public init(
        treating: Provider? = nil, billing: Provider? = nil, referring: Provider? = nil, receiving: Provider? = nil
    ) {
        self.treating = treating
        self.billing = billing
        self.referring = referring
        self.receiving = receiving
    }
}

/// One dentist or dental office.
public struct Provider: Sendable, Hashable, Codable {
    /// The dentist's CDA provider number [B01 treating, B03 billing, B07 receiving].
    public var cdaNumber: String?
    /// The office number [B02 treating, B04 billing, B08 receiving].
    public var officeNumber: String?
    /// The billing provider's number, in a payment reconciliation line [B03].
    public var billingNumber: String?
    /// The referring dentist's CDA number or other identifier [B05].
    public var identifier: String?
    /// Why the patient was referred [B06].
    public var reason: ReferralReason?

    /// A provider; all optional.
    public init(
        cdaNumber: String? = nil, officeNumber: String? = nil, billingNumber: String? = nil, identifier: String? = nil,
        reason: ReferralReason? = nil
    ) {
        self.cdaNumber = cdaNumber
        self.officeNumber = officeNumber
        self.billingNumber = billingNumber
        self.identifier = identifier
        self.reason = reason
    }
}
