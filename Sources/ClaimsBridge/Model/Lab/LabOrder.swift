/// An order to a dental lab: JSON type `labOrder`.
///
/// One open model for every lab; each lab's own format is a tree mapping under `Mappings/labs/<lab>/` (see
/// `Docs/lab-orders.md`). JSON form, keys in this order, absent keys meaning "not given":
/// ```json
/// {"schemaVersion":1,"type":"labOrder","orderId":"LO-1001","practiceReference":"CHART-88",
///  "orderingProvider":{"name":"Dr. A. Roy","licenseNumber":"12345"},"patient":{"chartReference":"C-2231"},
///  "lab":{"id":"example-rest"},"dates":{"sent":"2026-03-02","due":"2026-03-16"},
///  "items":[{"lineNumber":1,"kind":"crown","material":"zirconia","teeth":[{"tooth":"36"}]}],
///  "status":"submitted"}
/// ```
public struct LabOrder: Sendable, Hashable, Codable {
    /// The JSON `type`.
    public static let typeName = "labOrder"

    /// The practice's identifier of the order; status updates refer to it.
    public var orderId: String
    /// The practice's own reference (case or chart), printed on the lab's paperwork.
    public var practiceReference: String?
    /// The dentist who orders.
    public var orderingProvider: OrderingProvider?
    /// The patient, as far as the lab needs to know.
    public var patient: LabPatient?
    /// The lab.
    public var lab: LabReference?
    /// Sent, due and try-in dates.
    public var dates: LabOrderDates?
    /// What is made, one or more.
    public var items: [LabOrderItem]
    /// Scans and images, by reference.
    public var attachments: [LabAttachment]
    /// How the work comes back.
    public var shipping: LabShipping?
    /// The current state; absent means the order has not been given one (a draft).
    public var status: LabOrderState?
    /// Every state change so far, oldest first.
    public var statusHistory: [LabStatusStep]

    /// An order.
    public init(
        orderId: String, practiceReference: String? = nil, orderingProvider: OrderingProvider? = nil,
        patient: LabPatient? = nil, lab: LabReference? = nil, dates: LabOrderDates? = nil, items: [LabOrderItem],
        attachments: [LabAttachment] = [], shipping: LabShipping? = nil, status: LabOrderState? = nil,
        statusHistory: [LabStatusStep] = []
    ) {
        self.orderId = orderId
        self.practiceReference = practiceReference
        self.orderingProvider = orderingProvider
        self.patient = patient
        self.lab = lab
        self.dates = dates
        self.items = items
        self.attachments = attachments
        self.shipping = shipping
        self.status = status
        self.statusHistory = statusHistory
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, type, orderId, practiceReference, orderingProvider, patient, lab, dates, items
        case attachments, shipping, status, statusHistory
    }

    /// Decodes an order; `type` must be `labOrder` and `schemaVersion` 1 (both may be left out).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try Self.checkHeader(c, type: Self.typeName, typeKey: .type, versionKey: .schemaVersion)
        orderId = try c.decode(String.self, forKey: .orderId)
        practiceReference = try c.decodeIfPresent(String.self, forKey: .practiceReference)
        orderingProvider = try c.decodeIfPresent(OrderingProvider.self, forKey: .orderingProvider)
        patient = try c.decodeIfPresent(LabPatient.self, forKey: .patient)
        lab = try c.decodeIfPresent(LabReference.self, forKey: .lab)
        dates = try c.decodeIfPresent(LabOrderDates.self, forKey: .dates)
        items = try c.decode([LabOrderItem].self, forKey: .items)
        attachments = try c.decodeList([LabAttachment].self, forKey: .attachments)
        shipping = try c.decodeIfPresent(LabShipping.self, forKey: .shipping)
        status = try c.decodeIfPresent(LabOrderState.self, forKey: .status)
        statusHistory = try c.decodeList([LabStatusStep].self, forKey: .statusHistory)
    }

    /// Encodes the JSON form with `schemaVersion` and `type` first.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ModelMessage.schemaVersion, forKey: .schemaVersion)
        try c.encode(Self.typeName, forKey: .type)
        try c.encode(orderId, forKey: .orderId)
        try c.encodeIfPresent(practiceReference, forKey: .practiceReference)
        try c.encodeIfPresent(orderingProvider, forKey: .orderingProvider)
        try c.encodeIfPresent(patient, forKey: .patient)
        try c.encodeIfPresent(lab, forKey: .lab)
        try c.encodeIfPresent(dates, forKey: .dates)
        try c.encode(items, forKey: .items)
        try c.encodeList(attachments, forKey: .attachments)
        try c.encodeIfPresent(shipping, forKey: .shipping)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeList(statusHistory, forKey: .statusHistory)
    }

    /// The current state: ``status``, or `draft` when none is given.
    public var currentState: LabOrderState { status ?? .draft }
}

extension Decodable {
    /// Checks a model header: `type` (when present) must be `type`, `schemaVersion` (when present) 1.
    static func checkHeader<Key: CodingKey>(
        _ c: KeyedDecodingContainer<Key>, type: String, typeKey: Key, versionKey: Key
    ) throws {
        if let found = try c.decodeIfPresent(String.self, forKey: typeKey), found != type {
            throw DecodingError.dataCorruptedError(
                forKey: typeKey, in: c, debugDescription: "this is a \(found) message, not a \(type)")
        }
        if let version = try c.decodeIfPresent(Int.self, forKey: versionKey), version != ModelMessage.schemaVersion {
            throw DecodingError.dataCorruptedError(
                forKey: versionKey, in: c,
                debugDescription: "schemaVersion \(version) is not supported; this version reads 1")
        }
    }
}
