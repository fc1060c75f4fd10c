// The parts of a lab order other than its items: who orders, for whom, from which lab, when, with which files,
// how it travels, and its status history.

/// The dentist who orders the work.
public struct OrderingProvider: Sendable, Hashable, Codable {
    /// The dentist's name as the lab should print it.
    public var name: String?
    /// The dentist's licence or provider number.
    public var licenseNumber: String?

    /// An ordering provider.
    public init(name: String? = nil, licenseNumber: String? = nil) {
        self.name = name
        self.licenseNumber = licenseNumber
    }
}

/// What a lab needs to know about the patient: a name or the practice's chart reference, and optionally sex
/// and birth date. Personal data: never shown in diagnostics.
public struct LabPatient: Sendable, Hashable, Codable {
    /// The practice's chart number for the patient.
    public var chartReference: String?
    /// First name.
    public var firstName: String?
    /// Last name.
    public var lastName: String?
    /// `male` or `female`, as in the claim model.
    public var sex: Sex?
    /// Birth date.
    public var birthDate: CalendarDate?

    /// A patient.
    public init(
        chartReference: String? = nil, firstName: String? = nil, lastName: String? = nil, sex: Sex? = nil,
        birthDate: CalendarDate? = nil
    ) {
        self.chartReference = chartReference
        self.firstName = firstName
        self.lastName = lastName
        self.sex = sex
        self.birthDate = birthDate
    }
}

/// The lab the order goes to.
public struct LabReference: Sendable, Hashable, Codable {
    /// The lab's identifier, as the partner mappings name it (`example-rest`).
    public var id: String?
    /// The practice's account number at the lab.
    public var accountNumber: String?

    /// A lab.
    public init(id: String? = nil, accountNumber: String? = nil) {
        self.id = id
        self.accountNumber = accountNumber
    }
}

/// The dates of an order.
public struct LabOrderDates: Sendable, Hashable, Codable {
    /// When the practice sent the order.
    public var sent: CalendarDate?
    /// When the work must be back at the practice.
    public var due: CalendarDate?
    /// When the patient comes for a try-in, if there is one.
    public var tryIn: CalendarDate?

    /// The dates of an order.
    public init(sent: CalendarDate? = nil, due: CalendarDate? = nil, tryIn: CalendarDate? = nil) {
        self.sent = sent
        self.due = due
        self.tryIn = tryIn
    }
}

/// A file that goes with the order, by reference: an intra-oral scan (STL, PLY, OBJ) or a CBCT (DICOM).
public struct LabAttachment: Sendable, Hashable, Codable {
    /// Where the lab fetches the file.
    public var uri: String
    /// `model/stl`, `model/x-ply`, `model/obj` or `application/dicom`.
    public var mediaType: String
    /// The file's size in bytes.
    public var byteSize: Int64
    /// The SHA-256 of the file, 64 lowercase hexadecimal digits.
    public var sha256: String

    /// The media types an attachment may have.
    public static let mediaTypes = ["model/stl", "model/x-ply", "model/obj", "application/dicom"]

    /// An attachment.
    public init(uri: String, mediaType: String, byteSize: Int64, sha256: String) {
        self.uri = uri
        self.mediaType = mediaType
        self.byteSize = byteSize
        self.sha256 = sha256
    }
}

/// How the finished work comes back.
public struct LabShipping: Sendable, Hashable, Codable {
    /// `courier`, `pickup`, `mail`…: the lab's words.
    public var method: String?
    /// The carrier's tracking number, once shipped.
    public var trackingNumber: String?
    /// The practice address to deliver to.
    public var address: String?

    /// Shipping details.
    public init(method: String? = nil, trackingNumber: String? = nil, address: String? = nil) {
        self.method = method
        self.trackingNumber = trackingNumber
        self.address = address
    }
}

/// One step of an order's status history: from, to, when, and why.
public struct LabStatusStep: Sendable, Hashable, Codable {
    /// The state before (absent for the first step).
    public var from: LabOrderState?
    /// The state after.
    public var to: LabOrderState
    /// When it happened, in UTC.
    public var timestamp: UTCTimestamp
    /// Why, in the lab's or practice's words.
    public var note: String?

    /// A status step.
    public init(from: LabOrderState? = nil, to: LabOrderState, timestamp: UTCTimestamp, note: String? = nil) {
        self.from = from
        self.to = to
        self.timestamp = timestamp
        self.note = note
    }
}
