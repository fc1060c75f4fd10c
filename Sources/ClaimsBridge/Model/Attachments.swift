/// Files (X-rays, images, documents) sent to support an earlier claim: JSON type `attachment`.
public struct AttachmentMessage: Sendable, Hashable, Codable {
    /// The message header [A01–A06, A09, A10].
    public var routing: Routing
    /// The treating dentist, and the dentist the files are for [B01, B02, B07, B08].
    public var providers: Providers?
    /// The patient [C05–C08].
    public var patient: Patient?
    /// The claim the files belong to [F41, F42].
    public var original: OriginalTransaction
    /// Who made the files [F43].
    public var attachmentSource: AttachmentSource?
    /// The files, one to thirty [F44–F49].
    public var attachments: [Attachment]

    /// An attachment message.
    public init(
        routing: Routing, providers: Providers? = nil, patient: Patient? = nil, original: OriginalTransaction,
        attachmentSource: AttachmentSource? = nil, attachments: [Attachment]
    ) {
        self.routing = routing
        self.providers = providers
        self.patient = patient
        self.original = original
        self.attachmentSource = attachmentSource
        self.attachments = attachments
    }
}

/// The earlier claim that attachments belong to.
public struct OriginalTransaction: Sendable, Hashable, Codable {
    /// The claim's office sequence number [F41].
    public var officeSequenceNumber: String
    /// The carrier's reference number for the claim [F42].
    public var transactionReference: String?

    /// A reference to an earlier claim.
    public init(officeSequenceNumber: String, transactionReference: String? = nil) {
        self.officeSequenceNumber = officeSequenceNumber
        self.transactionReference = transactionReference
    }
}

/// One attached file.
public struct Attachment: Sendable, Hashable, Codable {
    /// The file's number in the message: 1, 2, … [F49].
    public var number: Int
    /// File type: "JPG", "DIC" (DICOM), "TXT", "DOC" or "PDF" [F45].
    public var mediaType: String?
    /// The file's date [F48].
    public var fileDate: CalendarDate?
    /// The file's contents, Base64-encoded [F47].
    public var data: String?

    /// An attached file.
    public init(number: Int, mediaType: String? = nil, fileDate: CalendarDate? = nil, data: String? = nil) {
        self.number = number
        self.mediaType = mediaType
        self.fileDate = fileDate
        self.data = data
    }
}
