/// One procedure line of a claim or predetermination.
public struct Procedure: Sendable, Hashable, Codable {
    /// Line number, 1 to 7 [F07].
    public var lineNumber: Int
    /// CDA procedure code, such as "01202" [F08].
    public var code: String?
    /// Date the procedure was done (claims) [F09].
    public var serviceDate: CalendarDate?
    /// FDI tooth number, or "00" whole mouth, arch, sextant or quadrant code [F10].
    public var toothOrArea: String
    /// Tooth surfaces, letters from M O I D B L V [F11].
    public var surfaces: String?
    /// The dentist's fee claimed [F12].
    public var fee: Money
    /// Laboratory fees for the procedure, up to two; empty when none [F34 F13, F35 F36; version 02 F13].
    public var labFees: [LabFee]
    /// Units of time, with two decimals (version 02) [F14].
    public var unitsOfTime: Money?
    /// Procedure type letters from A B C E L S X, such as "X" for none of these [F16].
    public var typeCodes: String?
    /// Remarks code [F17].
    public var remarksCode: String?

    /// A procedure line.
    public init(
        lineNumber: Int, code: String? = nil, serviceDate: CalendarDate? = nil, toothOrArea: String,
        surfaces: String? = nil, fee: Money, labFees: [LabFee] = [], unitsOfTime: Money? = nil,
        typeCodes: String? = nil, remarksCode: String? = nil
    ) {
        self.lineNumber = lineNumber
        self.code = code
        self.serviceDate = serviceDate
        self.toothOrArea = toothOrArea
        self.surfaces = surfaces
        self.fee = fee
        self.labFees = labFees
        self.unitsOfTime = unitsOfTime
        self.typeCodes = typeCodes
        self.remarksCode = remarksCode
    }

    private enum CodingKeys: String, CodingKey {
        case lineNumber, code, serviceDate, toothOrArea, surfaces, fee, labFees, unitsOfTime, typeCodes, remarksCode
    }

    /// Decodes a procedure line from its JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lineNumber = try c.decode(Int.self, forKey: .lineNumber)
        code = try c.decodeIfPresent(String.self, forKey: .code)
        serviceDate = try c.decodeIfPresent(CalendarDate.self, forKey: .serviceDate)
        toothOrArea = try c.decode(String.self, forKey: .toothOrArea)
        surfaces = try c.decodeIfPresent(String.self, forKey: .surfaces)
        fee = try c.decode(Money.self, forKey: .fee)
        labFees = try c.decodeList([LabFee].self, forKey: .labFees)
        unitsOfTime = try c.decodeIfPresent(Money.self, forKey: .unitsOfTime)
        typeCodes = try c.decodeIfPresent(String.self, forKey: .typeCodes)
        remarksCode = try c.decodeIfPresent(String.self, forKey: .remarksCode)
    }

    /// Encodes the procedure line in its JSON form, leaving out absent values and empty `labFees`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lineNumber, forKey: .lineNumber)
        try c.encodeIfPresent(code, forKey: .code)
        try c.encodeIfPresent(serviceDate, forKey: .serviceDate)
        try c.encode(toothOrArea, forKey: .toothOrArea)
        try c.encodeIfPresent(surfaces, forKey: .surfaces)
        try c.encode(fee, forKey: .fee)
        try c.encodeList(labFees, forKey: .labFees)
        try c.encodeIfPresent(unitsOfTime, forKey: .unitsOfTime)
        try c.encodeIfPresent(typeCodes, forKey: .typeCodes)
        try c.encodeIfPresent(remarksCode, forKey: .remarksCode)
    }
}

/// A laboratory fee charged with a procedure.
public struct LabFee: Sendable, Hashable, Codable {
    /// Lab procedure code (version 04) [F34 first, F35 second].
    public var code: String?
    /// Lab fee [F13 first, F36 second].
    public var fee: Money

    /// A lab fee.
    public init(code: String? = nil, fee: Money) {
        self.code = code
        self.fee = fee
    }
}

/// Crown, bridge or denture placement: per arch in version 04, once in version 02.
public struct Prosthesis: Sendable, Hashable, Codable {
    /// The upper (maxillary) arch (version 04) [F15, F04, F20].
    public var upper: ProsthesisArch?
    /// The lower (mandibular) arch (version 04) [F18, F19, F21].
    public var lower: ProsthesisArch?
    /// Whether this is the first placement (version 02) [F15].
    public var initialPlacement: InitialPlacement?
    /// When the prosthesis being replaced was placed (version 02) [F04].
    public var priorPlacementDate: CalendarDate?

    /// Prosthesis details; all optional.
    public init(
        upper: ProsthesisArch? = nil, lower: ProsthesisArch? = nil, initialPlacement: InitialPlacement? = nil,
        priorPlacementDate: CalendarDate? = nil
    ) {
        self.upper = upper
        self.lower = lower
        self.initialPlacement = initialPlacement
        self.priorPlacementDate = priorPlacementDate
    }
}

/// Prosthesis details for one arch (version 04).
public struct ProsthesisArch: Sendable, Hashable, Codable {
    /// Whether this is the first placement in this arch [F15 upper, F18 lower].
    public var initialPlacement: InitialPlacement?
    /// When the prosthesis being replaced was placed [F04 upper, F19 lower].
    public var priorPlacementDate: CalendarDate?
    /// What the prosthesis is made of [F20 upper, F21 lower].
    public var material: ProsthesisMaterial

    /// Prosthesis details for one arch.
    public init(
        initialPlacement: InitialPlacement? = nil, priorPlacementDate: CalendarDate? = nil,
        material: ProsthesisMaterial
    ) {
        self.initialPlacement = initialPlacement
        self.priorPlacementDate = priorPlacementDate
        self.material = material
    }
}

/// A tooth extracted earlier, reported with a prosthesis claim.
public struct ExtractedTooth: Sendable, Hashable, Codable {
    /// FDI tooth number [F23].
    public var tooth: String
    /// Date of the extraction [F24].
    public var date: CalendarDate?

    /// An extracted tooth.
    public init(tooth: String, date: CalendarDate? = nil) {
        self.tooth = tooth
        self.date = date
    }
}

/// The orthodontic treatment plan sent with a predetermination.
public struct Orthodontics: Sendable, Hashable, Codable {
    /// Estimated date treatment starts [F37].
    public var estimatedStartDate: CalendarDate?
    /// Fee for the first examination [F26].
    public var firstExamFee: Money
    /// Fee for the diagnostic phase [F27].
    public var diagnosticPhaseFee: Money
    /// Initial payment [F28].
    public var initialPayment: Money
    /// Payment mode code, 1 to 4 [F29].
    public var paymentMode: Int
    /// Expected length of treatment, in months [F30].
    public var durationMonths: Int
    /// Number of payments expected [F31].
    public var anticipatedPayments: Int
    /// Amount of each expected payment [F32].
    public var anticipatedPaymentAmount: Money

    /// An orthodontic treatment plan.
    public init(
        estimatedStartDate: CalendarDate? = nil, firstExamFee: Money, diagnosticPhaseFee: Money,
        initialPayment: Money, paymentMode: Int, durationMonths: Int, anticipatedPayments: Int,
        anticipatedPaymentAmount: Money
    ) {
        self.estimatedStartDate = estimatedStartDate
        self.firstExamFee = firstExamFee
        self.diagnosticPhaseFee = diagnosticPhaseFee
        self.initialPayment = initialPayment
        self.paymentMode = paymentMode
        self.durationMonths = durationMonths
        self.anticipatedPayments = anticipatedPayments
        self.anticipatedPaymentAmount = anticipatedPaymentAmount
    }
}

/// Which page of a multi-message predetermination or reconciliation this is.
public struct Page: Sendable, Hashable, Codable {
    /// This page's number [G46; payment reconciliation F38].
    public var current: Int
    /// The number of the last page [G47; payment reconciliation G62].
    public var last: Int

    /// Page `current` of `last`.
    public init(current: Int, last: Int) {
        self.current = current
        self.last = last
    }
}
